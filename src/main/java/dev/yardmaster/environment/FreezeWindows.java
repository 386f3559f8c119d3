package dev.yardmaster.environment;

import dev.yardmaster.core.YardmasterException;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * The configured freeze windows, checked by everything that changes what an environment runs:
 * promotions, rolls and their controls, and inventory edits. A freeze belongs to the environment,
 * not to any one of them, so it lives here and each asks the same question.
 */
@ApplicationScoped
public class FreezeWindows {

    /** Where the windows are configured (the key predates this class, hence its prefix). */
    @ConfigMapping(prefix = "yardmaster.promotion.freeze-windows")
    public interface Config {
        /**
         * Freeze windows per environment, in UTC, as {@code Fri 16:00-Mon 08:00} (weekday ranges)
         * or {@code 2026-12-24T00:00-2026-12-27T00:00} (dates); promotions, rolls and inventory
         * changes are refused inside them. Example:
         * {@code yardmaster.promotion.freeze-windows.prod=Fri 16:00-Mon 08:00}.
         */
        @WithParentName
        Map<String, List<String>> windows();
    }

    private final Config config;

    FreezeWindows(Config config) {
        this.config = config;
    }

    /** A freeze window that cannot be read stops the start, rather than every promotion later. */
    void checkReadable(@Observes StartupEvent event) {
        config.windows().values().forEach(windows -> windows.forEach(FreezeWindow::parse));
    }

    /** Refuses with 423 inside one of the environment's freeze windows. */
    public void checkNotFrozen(Environment env, String what) {
        OffsetDateTime at = OffsetDateTime.now(ZoneOffset.UTC);
        for (String text : config.windows().getOrDefault(env.name, List.of())) {
            FreezeWindow window = FreezeWindow.parse(text);
            if (window.contains(at)) {
                throw new YardmasterException(423, "environment-frozen", "Locked",
                        what + " refused: " + env.name + " is frozen (" + window.text() + " UTC).",
                        Map.of("environment", env.name));
            }
        }
    }
}
