package dev.yardmaster.drift;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Drift checks: how many hosts are asked at once and how long one may take. */
@ConfigMapping(prefix = "yardmaster.drift")
public interface DriftConfig {

    /** Hosts asked at the same time by "check now" ({@code rpm -q} over SSH). */
    @WithDefault("10")
    int parallelism();

    /** Time allowed for one host: connect, authenticate and answer {@code rpm -q}. */
    @WithDefault("15s")
    Duration timeout();

    /**
     * Ask every host what it runs at start (one replica, under an advisory lock) and each host
     * when it is added or imported, so drift shows real versions before any roll.
     */
    @WithDefault("true")
    boolean askHosts();
}
