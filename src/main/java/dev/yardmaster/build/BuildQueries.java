package dev.yardmaster.build;

import dev.yardmaster.web.YardmasterException;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads of the catalog shared by the API and the pages. */
@ApplicationScoped
public class BuildQueries {

    /** Builds newest first (id order, stable under inserts), optionally of one package and matching text. */
    public List<Build> newestFirst(String packageName, String q, Long cursor, int limit) {
        // The search's own bounds (web.ParameterFilter already refuses a NUL in any parameter).
        for (String[] param : new String[][] {{"package", packageName}, {"q", q}}) {
            if (param[1] != null && (param[1].length() > 200 || param[1].chars().anyMatch(Character::isISOControl))) {
                throw YardmasterException.badRequest("invalid-query",
                        param[0] + " must be at most 200 characters, without control characters.");
            }
        }
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        where.add("state = :present");
        params.and("present", Build.State.present);
        if (packageName != null && !packageName.isBlank()) {
            where.add("packageName = :pkg");
            params.and("pkg", packageName.strip());
        }
        if (q != null && !q.isBlank()) {
            where.add("(lower(fileName) like :q or lower(coalesce(commitMessage, '')) like :q "
                    + "or lower(coalesce(commitAuthor, '')) = :exact or lower(coalesce(commitReviewer, '')) = :exact)");
            String needle = q.strip().toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
            params.and("q", "%" + needle + "%").and("exact", q.strip().toLowerCase());
        }
        if (cursor != null) {
            where.add("id < :cursor");
            params.and("cursor", cursor);
        }
        return Build.<Build>find(String.join(" and ", where) + " order by id desc", params).range(0, limit - 1).list();
    }

    /** Every present build matching, sorted by rpm version order (newest first) or by build time. */
    public List<Build> sorted(String packageName, String q, String sort) {
        List<Build> builds = newestFirst(packageName, q, null, 10_000);
        Comparator<Build> order = "version".equals(sort)
                ? Comparator.comparing((Build b) -> b.packageName)
                        .thenComparing(b -> new Evr(b.epoch == null ? 0 : b.epoch, b.version, b.release), Comparator.reverseOrder())
                : Comparator.comparing((Build b) -> b.buildTime == null ? java.time.OffsetDateTime.MIN : b.buildTime,
                        Comparator.reverseOrder()).thenComparing(b -> b.id, Comparator.reverseOrder());
        builds = new ArrayList<>(builds);
        builds.sort(order);
        return builds;
    }

    /** Package names with build counts and the newest version by rpm order. */
    public List<dev.yardmaster.build.BuildResource.PackageView> packages() {
        Map<String, List<Build>> byPackage = new LinkedHashMap<>();
        for (Build b : Build.<Build>list("state = ?1 order by packageName", Build.State.present)) {
            byPackage.computeIfAbsent(b.packageName, k -> new ArrayList<>()).add(b);
        }
        List<dev.yardmaster.build.BuildResource.PackageView> views = new ArrayList<>();
        byPackage.forEach((name, builds) -> {
            Build latest = builds.stream()
                    .max(Comparator.comparing(b -> new Evr(b.epoch == null ? 0 : b.epoch, b.version, b.release))).orElseThrow();
            views.add(new dev.yardmaster.build.BuildResource.PackageView(name, builds.size(), latest.evr()));
        });
        return views;
    }

    /**
     * Where each build is live now. The catalog asks the promotions table directly rather than
     * depending on the promotion package, which depends on it.
     */
    public Map<Long, List<String>> liveIn(List<Build> builds) {
        Map<Long, List<String>> live = new HashMap<>();
        if (builds.isEmpty()) {
            return live;
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Build.getEntityManager().createNativeQuery("""
                SELECT p.build_id, e.name FROM promotion p JOIN environment e ON e.id = p.environment_id
                WHERE p.state = 'applied' AND p.build_id IN (:ids) ORDER BY e.position""")
                .setParameter("ids", builds.stream().map(b -> b.id).toList()).getResultList();
        for (Object[] row : rows) {
            live.computeIfAbsent(((Number) row[0]).longValue(), k -> new ArrayList<>()).add((String) row[1]);
        }
        return live;
    }
}
