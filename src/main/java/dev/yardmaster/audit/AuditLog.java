package dev.yardmaster.audit;

import dev.yardmaster.core.Problem;
import dev.yardmaster.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the audit log. A successful change is recorded in the transaction that makes it, so
 * the two commit or fail together; a refusal is recorded in a transaction of its own, because
 * the refused work rolls back.
 */
@ApplicationScoped
public class AuditLog {

    /** What one audit record says; build it with {@link AuditLog#entry(Actor, String)}. */
    public static final class Entry {
        private final Actor actor;
        private final String action;
        private String outcome = "succeeded";
        private String environment;
        private String packageName;
        private String subject;
        private final Map<String, Object> details = new LinkedHashMap<>();

        private Entry(Actor actor, String action) {
            this.actor = actor;
            this.action = action;
        }

        public Entry environment(String environment) {
            this.environment = environment;
            return this;
        }

        public Entry packageName(String packageName) {
            this.packageName = packageName;
            return this;
        }

        public Entry subject(String subject) {
            this.subject = subject;
            return this;
        }

        public Entry detail(String key, Object value) {
            if (value != null) {
                details.put(key, value);
            }
            return this;
        }

        public Entry outcome(String outcome) {
            this.outcome = outcome;
            return this;
        }
    }

    @Inject
    EntityManager em;

    @Inject
    Event<AuditEvent> recorded;

    @Inject
    RefusalWindows refusalWindows;

    @Inject
    ChainVerifier verifier;

    public Entry entry(Actor actor, String action) {
        return new Entry(actor, action);
    }

    /** Records an action inside the caller's transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public AuditEvent record(Entry entry) {
        AuditEvent event = new AuditEvent();
        event.occurredAt = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        event.actor = entry.actor.name();
        event.onBehalfOf = entry.actor.onBehalfOf();
        event.roles = entry.actor.roles();
        event.clientId = entry.actor.clientId();
        event.sourceIp = entry.actor.sourceIp();
        event.userAgent = truncate(entry.actor.userAgent(), 512);
        event.action = entry.action;
        event.outcome = entry.outcome;
        event.environment = entry.environment;
        event.packageName = entry.packageName;
        event.subject = entry.subject;
        event.details = entry.details;
        event.persist();
        em.flush();
        // Observers (webhooks) enqueue their work in this same transaction.
        recorded.fire(event);
        return event;
    }

    /**
     * Records, in a transaction of its own, that an action was refused and why; beyond
     * {@code yardmaster.audit.refusals-per-minute} per principal and minute it is only counted,
     * and the minute's summary event reports the rest (see {@link RefusalWindows}).
     */
    public void refused(Actor actor, String attempted, Problem problem) {
        Entry entry = entry(actor, "request.refused").outcome("refused").subject(attempted)
                .detail("status", problem.status()).detail("type", problem.type())
                .detail("reason", problem.detail());
        Object environment = problem.extensions().get("environment");
        Object packageName = problem.extensions().get("package");
        entry.environment(environment == null ? null : environment.toString());
        entry.packageName(packageName == null ? null : packageName.toString());
        QuarkusTransaction.requiringNew().run(() -> {
            if (refusalWindows.admit(actor.name(), attempted)) {
                record(entry);
            }
        });
    }

    /**
     * Walks the hash chain (from the last intact head, or from the start when {@code full}) and
     * holds it against the newest signed checkpoint; reports the first thing that does not hold.
     */
    public Verification verify(boolean full) {
        return verifier.verify(full);
    }

    /**
     * The outcome of a chain walk. {@code brokenAt} and {@code problem} are null when every link
     * holds; {@code events} is the number of events in the log, {@code checked} how many this
     * walk re-hashed (fewer than events when it started from {@code incrementalFrom}).
     */
    public record Verification(boolean intact, long checked, Long brokenAt, String reason, String problem,
            long events, Long headId, Long incrementalFrom, AuditCheckpoint checkpoint, long millis) {
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
