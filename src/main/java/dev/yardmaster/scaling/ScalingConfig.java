package dev.yardmaster.scaling;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * EC2 Auto Scaling. Credentials always come from the AWS SDK's default provider chain
 * (environment, system properties, profile, container or instance role); Yardmaster never
 * stores or logs them.
 */
@ConfigMapping(prefix = "yardmaster.scaling")
public interface ScalingConfig {

    /**
     * Whether Yardmaster talks to AWS at all. When false the scaling pages explain how to turn
     * it on and no discovery runs.
     */
    @WithDefault("false")
    boolean enabled();

    /**
     * AWS region, e.g. {@code eu-west-1}. When unset the SDK's default region chain decides
     * ({@code AWS_REGION}, profile, instance metadata).
     */
    Optional<String> region();

    /**
     * Endpoint for both the Auto Scaling and the EC2 API instead of AWS's, for AWS-compatible
     * clouds and for tests (the wire-level fake endpoint).
     */
    Optional<URI> endpointOverride();

    /** How often discovery refreshes the stored groups and instances; {@code off} disables it. */
    @WithDefault("2m")
    String refreshEvery();

    /** Tag whose value names the environment a group serves (e.g. {@code staging}). */
    @WithDefault("yardmaster:environment")
    String environmentTag();

    /** Tag whose value names the node type a group runs (e.g. {@code worker}). */
    @WithDefault("yardmaster:node-type")
    String nodeTypeTag();

    /**
     * Tag on an on-demand group that names the spot group it backs up. It pairs the two, so
     * they are shown side by side and capacity can be shifted from spot to backup.
     */
    @WithDefault("yardmaster:backup-for")
    String backupForTag();

    /**
     * The yum repository URL that first boot configures, with {@code {environment}} replaced by
     * the environment's name, e.g. {@code https://repo.example.com/{environment}}.
     */
    @WithDefault("http://repo.internal/{environment}")
    String repoUrlTemplate();

    /** Whether the first-boot yum repository checks package signatures. */
    @WithDefault("true")
    boolean repoGpgCheck();

    /**
     * The command on the image that first boot runs once the facts are written; it installs
     * the node type's packages from the environment's repository.
     */
    @WithDefault("/usr/local/sbin/yardmaster-first-boot")
    String firstBootCommand();

    /**
     * Packages each node type runs, for rolls: {@code yardmaster.scaling.node-type-packages.worker=gnip-worker,flingerator}.
     * A node type without an entry runs the package of its own name.
     */
    Map<String, List<String>> nodeTypePackages();

    /** SSH port rolls use to reach instances of Auto Scaling groups. */
    @WithDefault("22")
    int sshPort();

    /** Retries of throttled or failed AWS calls. */
    Retry retry();

    interface Retry {
        /** Attempts per AWS call, the first included (the SDK's standard retry strategy). */
        @WithDefault("5")
        int maxAttempts();

        /** Base delay of the SDK's exponential backoff with jitter for throttled calls. */
        @WithDefault("500ms")
        Duration throttlingBaseDelay();

        /** Base delay of the SDK's exponential backoff with jitter for other retryable errors. */
        @WithDefault("100ms")
        Duration baseDelay();

        /** Longest wait between two attempts. */
        @WithDefault("20s")
        Duration maxBackoff();
    }

    /** Timeouts of one AWS HTTP call. */
    @WithDefault("10s")
    Duration callTimeout();
}
