package dev.yardmaster.promotion;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Rules and limits of promotions. */
@ConfigMapping(prefix = "yardmaster.promotion")
public interface PromotionConfig {

    /**
     * A build may enter an environment only after it was live in the one before it. Admins
     * can still pass {@code force} (audited).
     */
    @WithDefault("true")
    boolean requirePreviousEnvironment();

    /** How long a request for a protected environment waits for approval before it expires. */
    @WithDefault("24h")
    Duration approvalTimeout();

    /** Refuse builds flagged unreviewed (no reviewer, or author = reviewer) in protected environments. */
    @WithDefault("false")
    boolean blockUnreviewedInProtected();

    /** How long a promotion waits for the environment's repo lock (another promotion, or a person). */
    @WithDefault("60s")
    Duration lockTimeout();

    /** Time allowed for one repo-server command, e.g. createrepo_c. */
    @WithDefault("2m")
    Duration commandTimeout();

    /** What a promotion does with the environment's links to other builds of the package. */
    enum OlderBuilds {
        /** Remove every other link of the package: the environment serves exactly the promoted build. */
        replace,
        /**
         * Keep the links to older builds (as scripts like {@code cap promote} do, so yum can still
         * downgrade to them); links to newer builds are removed, so the promoted build is the one
         * yum installs. A rollback therefore removes the newer links.
         */
        keep
    }

    /**
     * {@code replace} or {@code keep}: whether promoting a build removes the environment's links
     * to older builds of the same package ({@code replace}) or leaves them ({@code keep}).
     */
    @WithDefault("replace")
    OlderBuilds olderBuilds();
}
