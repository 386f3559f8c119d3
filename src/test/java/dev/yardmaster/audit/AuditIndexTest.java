package dev.yardmaster.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.SchemaOwner;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every filter of the audit page and API is served by an index at a realistic size. The rows
 * are inserted and analysed inside one transaction that is rolled
 * back (the chain trigger is off inside it), so other tests never see them; EXPLAIN runs in that transaction and sees their
 * statistics. The queries have the shape AuditQuery gives Hibernate: newest first, a page of 51.
 */
@QuarkusTest
class AuditIndexTest {

    /** Enough for the planner to prefer an index to reading the table; bench/audit.sh goes to 1,000,000. */
    static final int ROWS = 200_000;

    static final Map<String, String> FILTERS = new LinkedHashMap<>();

    static {
        String page = " ORDER BY id DESC LIMIT 51";
        FILTERS.put("newest page", "SELECT * FROM audit_event" + page);
        FILTERS.put("older page (cursor)", "SELECT * FROM audit_event WHERE id < 150000" + page);
        FILTERS.put("actor or on behalf of", "SELECT * FROM audit_event WHERE (actor = 'user-7' OR on_behalf_of = 'user-7')" + page);
        FILTERS.put("rare actor", "SELECT * FROM audit_event WHERE (actor = 'user-49' OR on_behalf_of = 'user-49')" + page);
        FILTERS.put("action", "SELECT * FROM audit_event WHERE action = 'promotion.applied'" + page);
        FILTERS.put("action prefix", "SELECT * FROM audit_event WHERE action LIKE 'rare.%'" + page);
        FILTERS.put("environment", "SELECT * FROM audit_event WHERE environment = 'prod'" + page);
        FILTERS.put("package", "SELECT * FROM audit_event WHERE package = 'pkg-42'" + page);
        FILTERS.put("environment and package", "SELECT * FROM audit_event WHERE environment = 'prod' AND package = 'pkg-42'" + page);
        FILTERS.put("time range", "SELECT * FROM audit_event WHERE occurred_at >= now() - interval '2 hours'"
                + " AND occurred_at < now() - interval '1 hour'" + page);
        FILTERS.put("export chunk", "SELECT * FROM audit_event WHERE action = 'promotion.applied' AND id > 1000 ORDER BY id LIMIT 1000");
        FILTERS.put("distinct actions (skip scan, first probe)", "SELECT action FROM audit_event WHERE action > 'a' ORDER BY action LIMIT 1");
        FILTERS.put("checkpoint recency", "SELECT max(occurred_at) FROM audit_event WHERE action = 'audit.checkpointed'");
    }

    @Test
    void everyFilterReadsAnIndexNotTheWholeTable() throws SQLException {
        try (Connection owner = SchemaOwner.connect(); Statement s = owner.createStatement()) {
            owner.setAutoCommit(false);
            try {
                // Through the chain trigger this takes a minute (about 3,500 rows/s, see
                // bench/README.md); the planner only needs the rows, not their hashes.
                s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_chain_insert");
                s.execute(SEED.formatted(ROWS));
                s.execute("ANALYZE audit_event");
                Map<String, String> plans = new LinkedHashMap<>();
                for (var filter : FILTERS.entrySet()) {
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = s.executeQuery("EXPLAIN " + filter.getValue())) {
                        while (rs.next()) {
                            plan.append(rs.getString(1)).append('\n');
                        }
                    }
                    plans.put(filter.getKey(), plan.toString());
                }
                assertThat(plans).allSatisfy((name, plan) -> assertThat(plan).as(name + ":\n" + plan)
                        .doesNotContain("Seq Scan on audit_event"));
            } finally {
                owner.rollback();
            }
        }
    }

    /**
     * A year of a busy team in miniature: 50 people (a few do most), 30 actions (some rare), three
     * environments, 100 packages, a bot acting for someone in one event of ten.
     */
    static final String SEED = """
            INSERT INTO audit_event (id, seq, occurred_at, actor, on_behalf_of, roles, action, outcome, environment, package,
                                     subject, details, prev_hash, hash)
            SELECT base.id + g, base.seq + g, now() - make_interval(secs => (%1$d - g) * 30),
                   'user-' || (floor(power(random(), 3) * 50))::int,
                   CASE WHEN g %% 10 = 0 THEN 'user-' || (g %% 50) END,
                   'viewer,deployer',
                   CASE WHEN g %% 1000 = 0 THEN 'rare.thing' ELSE
                   (ARRAY['promotion.applied','promotion.requested','roll.started','roll.finished','environment.locked',
                          'environment.unlocked','request.refused','host.updated'])[1 + (g %% 8)] END,
                   'succeeded',
                   (ARRAY['review','staging','prod'])[1 + (g %% 3)],
                   'pkg-' || (g %% 100),
                   'subject ' || g,
                   jsonb_build_object('n', g),
                   md5('p' || g) || md5('q' || g), md5('h' || g) || md5('i' || g)
            FROM generate_series(1, %1$d) g,
                 (SELECT coalesce(max(id), 0) AS id, coalesce(max(seq), 0) AS seq FROM audit_event) base""";
}
