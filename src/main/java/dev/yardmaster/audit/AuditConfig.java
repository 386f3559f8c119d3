package dev.yardmaster.audit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The audit log's proof and its limits: signed checkpoints kept outside PostgreSQL, flood
 * control for refusals, and how often one principal may run the heavy reads.
 */
@ConfigMapping(prefix = "yardmaster.audit")
public interface AuditConfig {

    /**
     * Ed25519 private key (PKCS#8 PEM, {@code openssl genpkey -algorithm ed25519}) that signs
     * checkpoints. Keep it out of the database: a file, on Kubernetes a Secret. Without it no
     * checkpoints are written and verify can only check the chain against itself.
     */
    Optional<Path> checkpointKey();

    /**
     * Directory outside PostgreSQL where every signed checkpoint is written as a JSON file (one
     * directory per day); an object-locked bucket mount or a volume the database owner cannot
     * write. Replicas should share it.
     */
    Optional<Path> checkpointDir();

    /** How often the head of the log is signed (skipped while nothing new was recorded); {@code off} disables it. */
    @WithDefault("1m")
    String checkpointInterval();

    /** Refusals of one principal audited one by one per minute; the rest are counted into one summary event. */
    @WithDefault("10")
    int refusalsPerMinute();

    /** Verify walks and exports one principal may start per minute (429 with Retry-After beyond). */
    @WithDefault("6")
    int heavyReadsPerMinute();
}
