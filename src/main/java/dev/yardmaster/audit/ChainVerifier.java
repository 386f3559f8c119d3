package dev.yardmaster.audit;

import jakarta.persistence.EntityManager;
import java.util.stream.Stream;

/**
 * Walks the audit log in id order and recomputes each row's hash with the database's own
 * digest function, so Java and SQL can never disagree on the canonical form.
 */
final class ChainVerifier {

    private static final String GENESIS = "0".repeat(64);

    private ChainVerifier() {
    }

    static AuditLog.Verification verify(EntityManager em) {
        @SuppressWarnings("unchecked")
        Stream<Object[]> rows = em.createNativeQuery("""
                SELECT e.id, e.prev_hash, e.hash, audit_event_digest(e, e.prev_hash)
                FROM audit_event e ORDER BY e.id""").setHint("org.hibernate.fetchSize", 1000).getResultStream();
        String expectedPrev = GENESIS;
        long checked = 0;
        try (rows) {
            for (var it = rows.iterator(); it.hasNext();) {
                Object[] row = it.next();
                long id = ((Number) row[0]).longValue();
                String prev = (String) row[1];
                String hash = (String) row[2];
                String recomputed = (String) row[3];
                checked++;
                if (!prev.equals(expectedPrev)) {
                    return new AuditLog.Verification(false, checked, id,
                            "prev_hash does not match the hash of the event before it (an event was removed or reordered)");
                }
                if (!hash.equals(recomputed)) {
                    return new AuditLog.Verification(false, checked, id,
                            "content does not match its hash (the event was altered)");
                }
                expectedPrev = hash;
            }
        }
        return new AuditLog.Verification(true, checked, null, null);
    }
}
