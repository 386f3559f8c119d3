package dev.yardmaster.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Signs the head of the audit log every {@code yardmaster.audit.checkpoint-interval} and on
 * demand, and keeps the signed checkpoints where the database owner cannot reach them: one JSON
 * file per checkpoint in {@code yardmaster.audit.checkpoint-dir} (a directory per UTC day), and
 * the webhook stream (each checkpoint is also recorded as an {@code audit.checkpointed} event,
 * which the webhooks send like any other). Of several replicas only one signs per interval: the
 * signer holds a transaction-scoped advisory lock and skips when a checkpoint is younger than
 * half the interval.
 */
@ApplicationScoped
public class AuditCheckpoints {

    private static final Logger LOG = Logger.getLogger(AuditCheckpoints.class);
    static final String ACTION = "audit.checkpointed";
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final AuditConfig config;
    private final AuditLog auditLog;
    private final ObjectMapper json;
    private final EntityManager em;
    private final Optional<CheckpointKey> key;

    AuditCheckpoints(AuditConfig config, AuditLog auditLog, ObjectMapper json, EntityManager em) {
        this.config = config;
        this.auditLog = auditLog;
        this.json = json;
        this.em = em;
        this.key = config.checkpointKey().map(CheckpointKey::read);
    }

    public boolean enabled() {
        return key.isPresent();
    }

    /** The public key as PEM, for auditors; empty when no key is configured. */
    public Optional<String> publicKeyPem() {
        return key.map(CheckpointKey::publicKeyPem);
    }

    @Scheduled(every = "${yardmaster.audit.checkpoint-interval:1m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = NoKey.class)
    void onSchedule() {
        try {
            QuarkusTransaction.requiringNew().call(() -> sign(false));
        } catch (RuntimeException e) {
            LOG.error("Could not write an audit checkpoint", e);
        }
    }

    /**
     * Signs the current head in the caller's (new) transaction. Scheduled runs skip when another
     * replica holds the lock, when nothing but a checkpoint was recorded since the last one, or
     * when the last one is younger than half the interval; {@code onDemand} always signs.
     */
    Optional<AuditCheckpoint> sign(boolean onDemand) {
        CheckpointKey signer = key.orElseThrow(() -> new IllegalStateException("no yardmaster.audit.checkpoint-key"));
        if (onDemand) {
            em.createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('yardmaster.audit_checkpoint'))").getSingleResult();
        } else if (!(Boolean) em.createNativeQuery("SELECT pg_try_advisory_xact_lock(hashtext('yardmaster.audit_checkpoint'))")
                .getSingleResult()) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> head = em.createNativeQuery("SELECT id, hash, seq, action FROM audit_event ORDER BY id DESC LIMIT 1")
                .getResultList();
        if (head.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = head.get(0);
        if (!onDemand && (ACTION.equals(row[3]) || recentlySigned())) {
            return Optional.empty();
        }
        String signedAt = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
        long lastId = ((Number) row[0]).longValue();
        String lastHash = (String) row[1];
        long count = ((Number) row[2]).longValue();
        AuditCheckpoint checkpoint = new AuditCheckpoint(AuditCheckpoint.VERSION, lastId, lastHash, count, signedAt,
                signer.keyId(), signer.sign(AuditCheckpoint.payload(lastId, lastHash, count, signedAt)));
        config.checkpointDir().ifPresent(dir -> write(dir, checkpoint));
        auditLog.record(auditLog.entry(Actor.system(), ACTION).subject("checkpoint " + lastId)
                .detail("lastId", lastId).detail("lastHash", lastHash).detail("count", count)
                .detail("signedAt", signedAt).detail("keyId", checkpoint.keyId()).detail("signature", checkpoint.signature()));
        return Optional.of(checkpoint);
    }

    private boolean recentlySigned() {
        String interval = config.checkpointInterval();
        if (interval.equals("off")) {
            return false;
        }
        Duration half = DurationConverter.parseDuration(interval).dividedBy(2);
        return (Boolean) em.createNativeQuery("""
                SELECT coalesce(max(occurred_at) > clock_timestamp() - make_interval(secs => :seconds), false)
                FROM audit_event WHERE action = :action""")
                .setParameter("seconds", half.toMillis() / 1000.0).setParameter("action", ACTION).getSingleResult();
    }

    private void write(Path dir, AuditCheckpoint checkpoint) {
        Instant at = Instant.parse(checkpoint.signedAt());
        Path day = dir.resolve(at.atOffset(ZoneOffset.UTC).toLocalDate().toString());
        String name = FILE_TIME.format(at) + "-" + checkpoint.lastId() + ".json";
        try {
            Files.createDirectories(day);
            Path temporary = Files.createTempFile(day, ".checkpoint-", ".tmp");
            json.writeValue(temporary.toFile(), checkpoint);
            Files.move(temporary, day.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the checkpoint to " + day, e);
        }
    }

    /**
     * The newest {@code limit} checkpoints, newest first: from the sink directory when there is
     * one (the record the database cannot change), else from the audit events.
     */
    public List<AuditCheckpoint> newest(int limit) {
        if (config.checkpointDir().isEmpty()) {
            return fromEvents(limit);
        }
        Path dir = config.checkpointDir().get();
        List<AuditCheckpoint> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        for (Path day : newestFirst(dir, Files::isDirectory)) {
            for (Path file : newestFirst(day, p -> p.getFileName().toString().endsWith(".json"))) {
                try {
                    found.add(json.readValue(file.toFile(), AuditCheckpoint.class));
                } catch (IOException e) {
                    LOG.warnf("Unreadable checkpoint file %s: %s", file, e.getMessage());
                }
                if (found.size() >= limit) {
                    return found;
                }
            }
        }
        return found;
    }

    private static List<Path> newestFirst(Path dir, Predicate<Path> wanted) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(wanted).sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<AuditCheckpoint> fromEvents(int limit) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find("action = ?1 order by id desc", ACTION)
                .range(0, limit - 1).list().stream().map(e -> new AuditCheckpoint(AuditCheckpoint.VERSION,
                        ((Number) e.details.get("lastId")).longValue(), (String) e.details.get("lastHash"),
                        ((Number) e.details.get("count")).longValue(), (String) e.details.get("signedAt"),
                        (String) e.details.get("keyId"), (String) e.details.get("signature")))
                .toList());
    }

    /** The newest checkpoint this key signed, and how many newer ones failed their signature. */
    Optional<SignedHead> newestSigned() {
        if (key.isEmpty()) {
            return Optional.empty();
        }
        int forged = 0;
        for (AuditCheckpoint checkpoint : newest(50)) {
            if (checkpoint.signedBy(key.get().publicKey())) {
                return Optional.of(new SignedHead(checkpoint, forged));
            }
            forged++;
        }
        return Optional.empty();
    }

    record SignedHead(AuditCheckpoint checkpoint, int forgedNewer) {
    }

    @Singleton
    static class NoKey implements Scheduled.SkipPredicate {
        private final AuditConfig config;

        NoKey(AuditConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return config.checkpointKey().isEmpty();
        }
    }
}
