package dev.yardmaster.rollout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Rolls: defaults for plans, the commands run on each host, and the lease between replicas. */
@ConfigMapping(prefix = "yardmaster.rolls")
public interface RollConfig {

    /** Canary hosts when the plan does not say. */
    @WithDefault("1")
    int canary();

    /** Batch size when the plan does not say: count or percent. */
    @WithDefault("25%")
    String batchSize();

    /** Parallelism when the plan does not say. */
    @WithDefault("10")
    int parallelism();

    /** The highest parallelism a plan may ask for. */
    @WithDefault("100")
    int maxParallelism();

    /** Failed hosts tolerated when the plan does not say: count or percent. */
    @WithDefault("0")
    String failureBudget();

    /** Unreachable hosts tolerated when the plan does not say: count or percent. */
    @WithDefault("0")
    String unreachableBudget();

    /** What a halted roll does when the plan does not say and its environment has no default: halt or rollback. */
    @WithDefault("halt")
    RollPlan.OnFailure onFailure();

    /** What a halted roll does per environment when the plan does not say ({@code on-failure-in.prod=rollback}). */
    java.util.Map<String, RollPlan.OnFailure> onFailureIn();

    /** Default timeout of the SSH connection and authentication. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Default timeout of the update (yum) step. */
    @WithDefault("5m")
    Duration updateTimeout();

    /** Default timeout of the restart step. */
    @WithDefault("2m")
    Duration restartTimeout();

    /** Default time the health check may take to pass, retries included. */
    @WithDefault("30s")
    Duration healthTimeout();

    /** Wait between two health checks of one host. */
    @WithDefault("1s")
    Duration healthInterval();

    /** Update to the newest build in the repository; {package} is replaced. */
    @WithDefault("sudo -n yum -y --refresh update {package}")
    String updateCommand();

    /**
     * Install an exact build: when the target is not the newest, and after an update that left a host elsewhere (a
     * rollback: yum update never goes down, dnf's install of an older build does); {package} and {evr} are replaced.
     */
    @WithDefault("sudo -n yum -y --refresh install {package}-{evr}")
    String installCommand();

    /** Restart the service; {service} is replaced. */
    @WithDefault("sudo -n systemctl restart {service}")
    String restartCommand();

    /** Health check, passes on exit status 0; {service} is replaced. */
    @WithDefault("systemctl is-active {service}")
    String healthCommand();

    /** How long a roll's lease lasts without a heartbeat; another replica takes over after it. */
    @WithDefault("15s")
    Duration leaseDuration();

    /** How often the lease holder renews its leases and idle replicas look for rolls to run. */
    @WithDefault("3s")
    Duration heartbeat();

    /** Run rolls on this instance (turn off for a read-only replica). */
    @WithDefault("true")
    boolean runner();

    /** Roll event streams (SSE) this instance serves at once; past it a new one is answered 429. */
    @WithDefault("500")
    int maxStreams();

    /** Roll event streams one principal may have open at once on this instance; past it 429. */
    @WithDefault("20")
    int maxStreamsPerPrincipal();

    /** Most events a reconnecting stream replays from the database; past it the client is told to reload. */
    @WithDefault("20000")
    int replayLimit();
}
