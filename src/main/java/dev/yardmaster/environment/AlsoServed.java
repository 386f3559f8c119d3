package dev.yardmaster.environment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.yardmaster.build.Evr;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds an environment directory serves besides each package's live one: what scripts like
 * {@code cap promote} leave behind when links accumulate. yum installs the newest, which is the
 * live build; these stay reachable for a downgrade. Read from what the last read of the
 * directory recorded (environment_served) against the live promotions, newest first.
 */
public final class AlsoServed {

    /** One build served but not live. */
    public record Build(@JsonProperty("package") String packageName, long buildId, String nevra) {
    }

    private AlsoServed() {
    }

    /** Per package, the builds served besides the live one, newest first (rpm version order). */
    @SuppressWarnings("unchecked")
    public static Map<String, List<Build>> in(Environment env) {
        List<Object[]> rows = Environment.getEntityManager().createNativeQuery("""
                SELECT b.package, b.id, b.nevra, coalesce(b.epoch, 0), b.version, b.release
                  FROM environment_served s JOIN build b ON b.id = s.build_id
                 WHERE s.environment_id = :env
                   AND NOT EXISTS (SELECT 1 FROM promotion p WHERE p.environment_id = s.environment_id
                                      AND p.state = 'applied' AND p.build_id = b.id)""")
                .setParameter("env", env.id).getResultList();
        record Row(Build build, Evr evr) {
        }
        Map<String, List<Row>> byPackage = new TreeMap<>();
        for (Object[] row : rows) {
            byPackage.computeIfAbsent((String) row[0], k -> new ArrayList<>()).add(new Row(
                    new Build((String) row[0], ((Number) row[1]).longValue(), (String) row[2]),
                    new Evr(((Number) row[3]).intValue(), (String) row[4], (String) row[5])));
        }
        Map<String, List<Build>> result = new TreeMap<>();
        byPackage.forEach((pkg, list) -> result.put(pkg, list.stream().sorted(Comparator.comparing(Row::evr).reversed())
                .map(Row::build).distinct().toList()));
        return result;
    }
}
