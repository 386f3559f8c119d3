package dev.yardmaster.build;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How the build catalog keeps up with build/. */
@ConfigMapping(prefix = "yardmaster.catalog")
public interface CatalogConfig {

    /** Interval of the scheduled scan of build/; {@code off} disables it. */
    @WithDefault("30s")
    String scanInterval();

    /**
     * A file modified more recently than this is taken to be still being copied and is
     * looked at again in the next scan.
     */
    @WithDefault("2s")
    Duration settleTime();

    /**
     * In local mode, scan as soon as build/ changes (inotify), not only on the schedule; the
     * environment directories are read as soon as they change too (promotion/RepoAdoption).
     */
    @WithDefault("true")
    boolean watch();
}
