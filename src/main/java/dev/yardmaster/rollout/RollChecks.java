package dev.yardmaster.rollout;

import dev.yardmaster.core.Names;
import dev.yardmaster.observability.Prometheus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;

/**
 * The checks a roll makes beyond its steps: the HTTP health check of its service (the plan's,
 * else its package's) and the metric gate between batches (the plan's, else its environment's).
 * The configured ones are checked at start, so a bad template or query stops the console with a
 * message naming the property instead of failing every roll later.
 */
@ApplicationScoped
public class RollChecks {

    private final HealthConfig health;
    private final GateConfig gates;
    private final Prometheus prometheus;

    RollChecks(HealthConfig health, GateConfig gates, Prometheus prometheus) {
        this.health = health;
        this.gates = gates;
        this.prometheus = prometheus;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            for (String pkg : health.packages().keySet()) {
                if (!Names.PACKAGE.matcher(pkg).matches()) {
                    throw new IllegalArgumentException("yardmaster.rolls.health.\"" + Names.printable(pkg) + "\": not a package name");
                }
                health.check(pkg);
            }
            for (String env : gates.environments().keySet()) {
                if (!Names.ENVIRONMENT.matcher(env).matches()) {
                    throw new IllegalArgumentException("yardmaster.rolls.gates.\"" + Names.printable(env) + "\": not an environment name");
                }
                gates.gate(env);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Bad roll check configuration: " + e.getMessage(), e);
        }
    }

    /** The roll's HTTP health check, if it has one. */
    public Optional<HttpCheck> httpCheck(RollPlan.Strategy strategy) {
        return strategy.health() != null ? Optional.of(strategy.health()) : health.check(strategy.packageName());
    }

    /** The roll's gate between batches, if it has one. */
    public Optional<Gate> gate(RollPlan.Strategy strategy) {
        return strategy.gate() != null ? Optional.of(strategy.gate()) : gates.gate(strategy.environment());
    }

    public Prometheus prometheus() {
        return prometheus;
    }
}
