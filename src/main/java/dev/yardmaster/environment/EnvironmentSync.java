package dev.yardmaster.environment;

import dev.yardmaster.core.Names;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.util.HashSet;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Makes the environment table match {@code yardmaster.lifecycle.environments} at start:
 * new names are added, the order is applied, names no longer configured are retired.
 * Runs under an advisory lock so replicas starting together do not race.
 */
@ApplicationScoped
public class EnvironmentSync {

    private static final Logger LOG = Logger.getLogger(EnvironmentSync.class);

    private final LifecycleConfig config;

    EnvironmentSync(LifecycleConfig config) {
        this.config = config;
    }

    @Transactional
    void onStart(@Observes StartupEvent event) {
        Environment.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('yardmaster.environment-sync'))")
                .getSingleResult();
        List<String> names = config.environments().stream().map(String::strip).toList();
        if (names.isEmpty() || new HashSet<>(names).size() != names.size()) {
            throw new IllegalStateException("yardmaster.lifecycle.environments must list distinct names, got " + names);
        }
        for (String name : names) {
            if (!Names.ENVIRONMENT.matcher(name).matches()) {
                throw new IllegalStateException("Environment name '" + name
                        + "' in yardmaster.lifecycle.environments must match " + Names.ENVIRONMENT.pattern());
            }
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Environment env = Environment.named(name).orElseGet(Environment::new);
            env.name = name;
            env.position = i;
            env.retired = false;
            env.persist();
        }
        List<Environment> retired = Environment.list("name not in ?1 and retired = false", names);
        for (Environment env : retired) {
            env.retired = true;
            LOG.infof("Environment %s is no longer configured: retired (its history is kept)", env.name);
        }
    }
}
