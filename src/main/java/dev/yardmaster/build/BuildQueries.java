package dev.yardmaster.build;

import dev.yardmaster.core.YardmasterException;
import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads of the catalog shared by the API and the pages. Every list is a keyset page (a cursor
 * that names the last row seen, never an offset) over an index of migration V95, so a page
 * costs the same at 100,000 builds as at 100, and a row is neither skipped nor repeated while
 * new builds arrive.
 */
@ApplicationScoped
public class BuildQueries {

    /** Orders of the Builds page. */
    public enum Order {
        /** Newest build time first (then newest id). */
        time,
        /** By package, highest rpm version first within each. */
        version
    }

    /** A page and the cursor of the next one (null on the last page). */
    public record Slice<T>(List<T> items, String next) {
    }

    /** Builds newest first (id order, stable under inserts), optionally of one package and matching text. */
    public List<Build> newestFirst(String packageName, String q, Long cursor, int limit) {
        Filter filter = filter(packageName, q);
        if (cursor != null) {
            filter.where.add("id < :cursor");
            filter.params.and("cursor", cursor);
        }
        return Build.<Build>find(String.join(" and ", filter.where) + " order by id desc", filter.params)
                .range(0, limit - 1).list();
    }

    /**
     * One page of present builds in {@code order}, after the build {@code after} (the last one
     * of the previous page; null for the first page). SQL rather than HQL: the ORDER BY and the
     * cursor condition must be the very expressions of V95's indexes for PostgreSQL to walk them.
     */
    public Slice<Build> sorted(String packageName, String q, Order order, Long after, int limit) {
        Filter filter = filter(packageName, q);
        List<String> where = new ArrayList<>();
        Map<String, Object> params = new HashMap<>();
        where.add("b.state = 'present'");
        if (filter.params.map().containsKey("pkg")) {
            where.add("b.package = :pkg");
            params.put("pkg", filter.params.map().get("pkg"));
        }
        if (filter.params.map().containsKey("q")) {
            where.add("(lower(b.file_name) LIKE :q OR lower(b.commit_message) LIKE :q "
                    + "OR lower(b.commit_author) = :exact OR lower(b.commit_reviewer) = :exact)");
            params.put("q", filter.params.map().get("q"));
            params.put("exact", filter.params.map().get("exact"));
        }
        String orderBy;
        if (order == Order.version) {
            if (after != null) {
                // (package ascending, version descending) is no single row comparison: the first
                // condition bounds the index range, the second skips the rest of the cursor's package.
                where.add("b.package >= c.package AND (b.package > c.package OR (b.evr_key, b.id) < (c.evr_key, c.id))");
            }
            orderBy = " ORDER BY b.package, b.evr_key DESC, b.id DESC";
        } else {
            if (after != null) {
                where.add("(coalesce(b.build_time, '-infinity'::timestamptz), b.id) "
                        + "< (coalesce(c.build_time, '-infinity'::timestamptz), c.id)");
            }
            orderBy = " ORDER BY coalesce(b.build_time, '-infinity'::timestamptz) DESC, b.id DESC";
        }
        String from = after == null ? "build b" : "build b, build c";
        if (after != null) {
            where.add("c.id = :after");
            params.put("after", after);
        }
        var query = Build.getEntityManager().createNativeQuery("SELECT b.* FROM " + from + " WHERE "
                + String.join(" AND ", where) + orderBy + " LIMIT " + (limit + 1), Build.class);
        params.forEach(query::setParameter);
        @SuppressWarnings("unchecked")
        List<Build> rows = query.getResultList();
        boolean more = rows.size() > limit;
        List<Build> page = more ? rows.subList(0, limit) : rows;
        return new Slice<>(page, more ? String.valueOf(page.get(page.size() - 1).id) : null);
    }

    private record Filter(List<String> where, Parameters params) {
    }

    private static Filter filter(String packageName, String q) {
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
            // The very expressions of V95's indexes: trigram GIN on lower(file_name) and
            // lower(commit_message), b-tree on lower(commit_author/reviewer). A NULL commit line
            // simply does not match.
            where.add("(lower(fileName) like :q or lower(commitMessage) like :q "
                    + "or lower(commitAuthor) = :exact or lower(commitReviewer) = :exact)");
            String needle = q.strip().toLowerCase().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
            params.and("q", "%" + needle + "%").and("exact", q.strip().toLowerCase());
        }
        return new Filter(where, params);
    }

    /**
     * Packages with present builds, by name, after {@code after}: each with its build count and
     * newest version by rpm order, read from package_summary (kept by V95's triggers).
     */
    public Slice<BuildResource.PackageView> packages(String after, int limit) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Build.getEntityManager().createNativeQuery("""
                SELECT s.package, s.builds, b.epoch, b.version, b.release
                FROM package_summary s JOIN build b ON b.id = s.latest_build_id
                WHERE s.package > ?1 ORDER BY s.package LIMIT ?2""")
                .setParameter(1, after == null ? "" : after).setParameter(2, limit + 1).getResultList();
        List<BuildResource.PackageView> views = new ArrayList<>(Math.min(rows.size(), limit));
        for (Object[] row : rows.subList(0, Math.min(rows.size(), limit))) {
            Evr latest = new Evr(row[2] == null ? 0 : ((Number) row[2]).intValue(), (String) row[3], (String) row[4]);
            views.add(new BuildResource.PackageView((String) row[0], ((Number) row[1]).longValue(), latest.toString()));
        }
        return new Slice<>(views, rows.size() > limit ? views.get(views.size() - 1).name() : null);
    }

    /** Rejected files by name, after {@code after}. */
    public Slice<RejectedFile> rejected(String after, int limit) {
        List<RejectedFile> rows = RejectedFile.<RejectedFile>find("fileName > ?1 order by fileName", after == null ? "" : after)
                .range(0, limit).list();
        boolean more = rows.size() > limit;
        List<RejectedFile> page = more ? rows.subList(0, limit) : rows;
        return new Slice<>(page, more ? page.get(page.size() - 1).fileName : null);
    }

    /** How many files build/ holds that could not be indexed. */
    public long rejectedCount() {
        return RejectedFile.count();
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
                // A page's ids: at most the page size (500), never the directory's.
                .setParameter("ids", builds.stream().map(b -> b.id).toList()).getResultList();
        for (Object[] row : rows) {
            live.computeIfAbsent(((Number) row[0]).longValue(), k -> new ArrayList<>()).add((String) row[1]);
        }
        return live;
    }
}
