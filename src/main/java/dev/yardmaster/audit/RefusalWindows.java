package dev.yardmaster.audit;

import dev.yardmaster.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Flood control for refusals: per principal and minute (the database's clock, so replicas
 * agree) the first {@code yardmaster.audit.refusals-per-minute} refusals are audited one by one;
 * the rest are only counted in audit_refusal_window (V78), and once the minute is over one
 * {@code request.refused.summary} event per principal reports how many there were, with a few
 * examples. Webhooks see that one event instead of the flood.
 */
@ApplicationScoped
public class RefusalWindows {

    private static final Logger LOG = Logger.getLogger(RefusalWindows.class);
    static final String SUMMARY = "request.refused.summary";
    private static final int EXAMPLES = 10;

    @Inject
    EntityManager em;

    @Inject
    AuditConfig config;

    @Inject
    AuditLog auditLog;

    /** Counts one refusal of {@code principal}; true when it is to be audited on its own. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean admit(String principal, String attempted) {
        em.createNativeQuery("""
                INSERT INTO audit_refusal_window (principal, minute) VALUES (:principal, date_trunc('minute', clock_timestamp()))
                ON CONFLICT DO NOTHING""").setParameter("principal", principal).executeUpdate();
        // The row lock makes concurrent refusals of one principal count one after the other.
        Number recorded = (Number) em.createNativeQuery("""
                SELECT recorded FROM audit_refusal_window
                WHERE principal = :principal AND minute = date_trunc('minute', clock_timestamp()) FOR UPDATE""")
                .setParameter("principal", principal).getSingleResult();
        boolean admitted = recorded.intValue() < config.refusalsPerMinute();
        if (admitted) {
            em.createNativeQuery("""
                    UPDATE audit_refusal_window SET recorded = recorded + 1
                    WHERE principal = :principal AND minute = date_trunc('minute', clock_timestamp())""")
                    .setParameter("principal", principal).executeUpdate();
        } else {
            em.createNativeQuery("""
                    UPDATE audit_refusal_window SET suppressed = suppressed + 1,
                        examples = CASE WHEN cardinality(examples) < :examples THEN array_append(examples, CAST(:attempted AS text))
                                   ELSE examples END
                    WHERE principal = :principal AND minute = date_trunc('minute', clock_timestamp())""")
                    .setParameter("principal", principal).setParameter("attempted", attempted)
                    .setParameter("examples", EXAMPLES).executeUpdate();
        }
        return admitted;
    }

    @Scheduled(every = "15s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void summarizeFinishedMinutes() {
        try {
            summarize(Instant.now());
        } catch (RuntimeException e) {
            LOG.error("Could not summarize refused requests", e);
        }
    }

    /** Writes one summary per principal for every minute that ended before {@code now}; returns how many. */
    int summarize(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> windows = em.createNativeQuery("""
                    SELECT principal, minute, recorded, suppressed, examples FROM audit_refusal_window
                    WHERE minute < date_trunc('minute', CAST(:now AS timestamptz))
                    ORDER BY minute, principal LIMIT 500 FOR UPDATE SKIP LOCKED""")
                    .setParameter("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC)).getResultList();
            int written = 0;
            for (Object[] window : windows) {
                String principal = (String) window[0];
                Object minute = window[1];
                int suppressed = ((Number) window[3]).intValue();
                if (suppressed > 0) {
                    Object examples = window[4];
                    List<String> sample = examples instanceof String[] array ? Arrays.asList(array)
                            : examples instanceof Object[] array ? Arrays.stream(array).map(String::valueOf).toList() : List.of();
                    auditLog.record(auditLog.entry(new Actor(principal, null, "", null, null, null), SUMMARY)
                            .outcome("refused")
                            .subject(suppressed + " more refused requests in the minute from " + minute)
                            .detail("minute", minute.toString())
                            .detail("recordedOneByOne", ((Number) window[2]).intValue())
                            .detail("notRecordedOneByOne", suppressed)
                            .detail("examples", sample));
                    written++;
                }
                em.createNativeQuery("DELETE FROM audit_refusal_window WHERE principal = :principal AND minute = :minute")
                        .setParameter("principal", principal).setParameter("minute", minute).executeUpdate();
            }
            return written;
        });
    }
}
