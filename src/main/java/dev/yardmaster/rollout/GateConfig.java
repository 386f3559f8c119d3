package dev.yardmaster.rollout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Metric gates per environment, asked after the canary and after each batch of its rolls:
 * {@code yardmaster.rolls.gates."prod".query=...}. A roll plan's {@code gate} replaces its
 * environment's. Prometheus is {@code yardmaster.prometheus.url}.
 */
@ConfigMapping(prefix = "yardmaster.rolls.gates")
public interface GateConfig {

    /** Per environment (the key): the gate its rolls must pass between batches. */
    @WithParentName
    Map<String, EnvironmentGate> environments();

    /** One environment's gate. */
    interface EnvironmentGate {
        /** PromQL instant query; every sample it returns must pass the comparison (no sample fails the gate). */
        String query();

        /** How a sample must compare with the threshold to pass: {@code < <= > >= == !=}. */
        @WithDefault(Gate.DEFAULT_COMPARISON)
        String comparison();

        /** The number the samples are compared with. */
        double threshold();

        /** How long the condition must hold after a batch (0s: asked once). */
        @WithDefault(Gate.DEFAULT_HOLD)
        Duration hold();

        /** How often the query is asked while the condition must hold. */
        @WithDefault(Gate.DEFAULT_INTERVAL)
        Duration interval();
    }

    /** The environment's gate, validated, or empty when it has none. */
    default Optional<Gate> gate(String environment) {
        EnvironmentGate g = environments().get(environment);
        if (g == null) {
            return Optional.empty();
        }
        return Optional.of(new Gate(g.query(), g.comparison(), g.threshold(), g.hold(), g.interval())
                .validated(part -> "yardmaster.rolls.gates.\"" + environment + "\"." + part, (field, message) -> new IllegalArgumentException(message)));
    }
}
