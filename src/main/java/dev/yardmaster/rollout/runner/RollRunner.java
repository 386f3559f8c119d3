package dev.yardmaster.rollout.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.observability.Meters;
import dev.yardmaster.promotion.TargetBuilds;
import dev.yardmaster.rollout.RollChecks;
import dev.yardmaster.rollout.RollConfig;
import dev.yardmaster.rollout.RollTransitions;
import dev.yardmaster.rollout.Rollbacks;
import dev.yardmaster.rollout.store.Leases;
import dev.yardmaster.rollout.store.RollStore;
import dev.yardmaster.ssh.SshSessions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Schedules rolls on this instance: claims the leases of rolls nobody runs (or whose holder's
 * lease lapsed), renews them every heartbeat, and runs each claimed roll as a
 * {@link RollExecution} under the claim's fencing token. When a holder dies its lease expires and
 * another instance takes the roll over and resumes it: hosts that were in flight are checked
 * again on the host and continue from where they are.
 */
@ApplicationScoped
public class RollRunner {

    private static final Logger LOG = Logger.getLogger(RollRunner.class);

    private final RollConfig config;
    private final Leases leases;
    private final Rollbacks rollbacks;
    private final RunnerServices services;
    private final String instanceId;
    private final Map<Long, RollExecution> executions = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    /** Claims rolls; false from the start of a shutdown. */
    private volatile boolean running;
    /** Ends the heartbeat loop, after the hand-over. */
    private volatile boolean closed;
    private Thread loop;

    RollRunner(RollConfig config, SshSessions ssh, Inventory inventory, TargetBuilds targets, RollTransitions transitions,
            RollStore store, Leases leases, ObjectMapper json, Meters meters, RollChecks checks, AuditLog audit,
            Rollbacks rollbacks) {
        this.config = config;
        this.leases = leases;
        this.rollbacks = rollbacks;
        this.services = new RunnerServices(config, ssh, inventory, targets, transitions, store, leases, json, meters, checks, audit);
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "yardmaster";
        }
        this.instanceId = host + "/" + ProcessHandle.current().pid() + "/" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Starts after every default-priority startup observer: a restarted instance resumes rolls
     * at once, and its hosts must not meet an SSH client or event listener that is not started yet
     * (they failed with "the SSH client is stopped" after a crash).
     */
    void onStart(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) StartupEvent event) {
        if (!config.runner()) {
            return;
        }
        running = true;
        loop = Thread.ofPlatform().daemon().name("roll-runner").start(this::loop);
    }

    /**
     * Hands rolls over first, before the SSH client and the event listener stop: running hosts
     * get {@link #handOverGrace} to finish.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        Optional<Duration> timeout;
        try {
            timeout = ConfigProvider.getConfig().getOptionalValue("quarkus.shutdown.timeout", Duration.class);
        } catch (IllegalArgumentException e) {
            timeout = Optional.empty();
        }
        releaseLeases(handOverGrace(timeout));
    }

    /** This instance's name in {@code roll.lease_owner}. */
    public String instanceId() {
        return instanceId;
    }

    /** Rolls this instance is executing now. */
    public Set<Long> executing() {
        return Set.copyOf(executions.keySet());
    }

    /** Looks for rolls to run now instead of at the next heartbeat (after a roll is started or retried). */
    public void wake() {
        wake.release();
    }

    /**
     * Hand-over: stops starting hosts, lets running hosts finish for up to {@code grace}, then
     * interrupts the rest (they stay RUNNING at their last stored step, for the next holder to
     * check again) and gives up this instance's leases so another replica takes over at once.
     */
    public void releaseLeases(Duration grace) {
        running = false; // no more claims; the loop goes on renewing the leases while hosts finish
        executions.values().forEach(RollExecution::drain);
        long deadline = System.nanoTime() + grace.toNanos();
        for (RollExecution execution : executions.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !execution.awaitDone(left)) {
                execution.stop();
            }
        }
        closed = true;
        if (loop != null) {
            loop.interrupt();
        }
        try {
            leases.releaseAll(instanceId);
        } catch (RuntimeException e) {
            LOG.warnf("could not release roll leases: %s", e.getMessage());
        }
        executions.clear();
    }

    /**
     * How long running hosts may take to finish at shutdown: Quarkus' shutdown timeout (the Helm
     * chart derives it from the pod's termination grace period) less 5 s to interrupt the rest,
     * release the leases and close; at least 1 s.
     */
    static Duration handOverGrace(Optional<Duration> shutdownTimeout) {
        Duration grace = shutdownTimeout.orElse(Duration.ofSeconds(10)).minusSeconds(5);
        return grace.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : grace;
    }

    private void loop() {
        while (!closed) {
            try {
                heartbeat();
                if (running) {
                    // A halted roll's rollback first (due from its halt's commit, so also after a crash): the linked roll
                    // it creates is then claimed at once.
                    rollbacks.startDue();
                    claim();
                }
            } catch (RuntimeException e) {
                LOG.warnf("roll runner: %s", e.getMessage());
            }
            // Whether or not the renewal got through: an execution whose lease may lapse stops.
            executions.values().forEach(execution -> {
                if (execution.leaseExpiring()) {
                    LOG.warnf("could not renew the lease of roll %d in time; stopping its hosts", execution.rollId());
                    execution.stop();
                    executions.remove(execution.rollId(), execution);
                }
            });
            try {
                wake.tryAcquire(config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void heartbeat() {
        if (executions.isEmpty()) {
            return;
        }
        Map<Long, Long> fences = new HashMap<>();
        executions.forEach((id, execution) -> fences.put(id, execution.fence()));
        long sentAt = System.nanoTime();
        Set<Long> kept = leases.renew(fences, instanceId, config.leaseDuration());
        fences.forEach((id, fence) -> {
            RollExecution execution = executions.get(id);
            if (execution == null || execution.fence() != fence) {
                return;
            }
            if (kept.contains(id)) {
                execution.renewed(sentAt);
            } else {
                LOG.warnf("lost the lease of roll %d; stopping here", id);
                execution.stop();
                executions.remove(id, execution);
            }
        });
    }

    private void claim() {
        while (running) {
            Leases.Claimed claimed = leases.claim(instanceId, config.leaseDuration());
            if (claimed == null) {
                return;
            }
            long id = claimed.rollId();
            String lapsed = claimed.lapsedHolder();
            RollExecution execution = new RollExecution(id, claimed.fence(), instanceId.equals(lapsed) ? null : lapsed, instanceId,
                    services);
            RollExecution before = executions.put(id, execution);
            if (before != null) {
                before.stop(); // this instance's own earlier execution lost its lease; the new fence supersedes it
            }
            Thread.ofVirtual().name("roll-" + id).start(() -> execution.run(() -> ended(execution)));
        }
    }

    /**
     * An execution is over, none of its hosts in flight: its lease is given up (fenced, so a newer
     * holder's stays). A roll still active (retried meanwhile, or hosts left open) is claimed
     * again at once, under a new fence.
     */
    private void ended(RollExecution execution) {
        if (!executions.remove(execution.rollId(), execution) || closed) {
            return;
        }
        try {
            leases.release(execution.rollId(), execution.fence());
            // Still active: claim it again; halted: its rollback may be due.
            if (running) {
                wake();
            }
        } catch (RuntimeException e) {
            LOG.warnf("could not release the lease of roll %d: %s", execution.rollId(), e.getMessage());
        }
    }
}
