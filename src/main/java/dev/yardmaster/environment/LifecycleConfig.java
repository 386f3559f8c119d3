package dev.yardmaster.environment;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** The release lifecycle. */
@ConfigMapping(prefix = "yardmaster.lifecycle")
public interface LifecycleConfig {

    /**
     * Environment names in promotion order, first stage first. Names are lower case letters,
     * digits and dashes. An environment removed from this list is retired (kept for history).
     */
    @WithDefault("review,staging,prod")
    List<String> environments();

    /**
     * Environments whose promotions, rolls, locks and scaling need the {@code release-manager}
     * role (and, for promotions, a second person's approval).
     */
    @WithDefault("prod")
    List<String> protectedEnvironments();
}
