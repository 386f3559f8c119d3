package dev.yardmaster.drift;

import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.security.Actor;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.interceptor.Interceptor;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Knows the hosts from the start: once the console is up it asks every host what it runs
 * ({@link Drift#checkHosts}, {@code rpm -q} over SSH, bounded parallelism), and asks each host
 * that is added or imported, so drift and the fleet page show real versions before any roll.
 * With several replicas only the one that takes the advisory lock does the start-up check; the
 * others skip it (they read the same database). Runs off the start-up thread: the console is
 * ready while the hosts answer.
 */
@ApplicationScoped
public class HostCheck {

    private static final Logger LOG = Logger.getLogger(HostCheck.class);
    /** pg advisory lock key of the start-up check (any constant distinct from the others in use). */
    static final String LOCK = "SELECT pg_try_advisory_lock(hashtext('yardmaster.host-check-at-start'))";
    static final String UNLOCK = "SELECT pg_advisory_unlock(hashtext('yardmaster.host-check-at-start'))";

    private final Drift drift;
    private final DriftConfig config;
    private final AgroalDataSource dataSource;
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();

    HostCheck(Drift drift, DriftConfig config, AgroalDataSource dataSource) {
        this.drift = drift;
        this.config = config;
        this.dataSource = dataSource;
    }

    /** After the environments and the start-up import (their observers come first). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 700) StartupEvent event) {
        if (config.askHosts()) {
            background.submit(this::checkAtStart);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        background.shutdownNow();
    }

    /** Hosts added or changed: asked once their change has committed. */
    void onHostsChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) Inventory.HostsChanged changed) {
        if (config.askHosts()) {
            Set<String> names = Set.copyOf(changed.names());
            background.submit(() -> {
                try {
                    Drift.Asked asked = drift.checkHosts(Actor.system(), "hosts added", names);
                    LOG.debugf("asked %d new or changed hosts: %d answered", asked.hosts(), asked.answered());
                } catch (RuntimeException e) {
                    LOG.warnf("could not ask the new hosts %s: %s", names, e.getMessage());
                }
            });
        }
    }

    /** The start-up check, if this replica takes the lock. Returns what was asked, or null when another replica has it. */
    Drift.Asked checkAtStart() {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            if (!lock(connection, LOCK)) {
                LOG.info("another replica is asking the hosts what they run; this one skips the start-up check");
                return null;
            }
            try {
                Drift.Asked asked = drift.checkHosts(Actor.system(), "start", null);
                LOG.infof("asked %d hosts what they run at start in %d ms: %d answered, %d could not be asked",
                        asked.hosts(), asked.millis(), asked.answered(), asked.failed());
                return asked;
            } finally {
                lock(connection, UNLOCK);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.errorf("the start-up host check failed: %s", e.getMessage());
            return null;
        }
    }

    private static boolean lock(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() && r.getBoolean(1);
        }
    }
}
