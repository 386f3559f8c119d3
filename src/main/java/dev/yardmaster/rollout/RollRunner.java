package dev.yardmaster.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.fleet.HostSource;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.fleet.InventoryHost;
import dev.yardmaster.ssh.Deadline;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.OutputListener;
import dev.yardmaster.ssh.RemoteCommand;
import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import dev.yardmaster.ssh.SshSessions;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.interceptor.Interceptor;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.net.InetAddress;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Executes rolls. Each roll is run by exactly one instance, the holder of its lease
 * ({@code roll.lease_owner}, renewed every heartbeat); when a holder dies its lease expires and
 * another instance takes the roll over and resumes it: hosts that were in flight are checked
 * again (rpm -q, service state) and continue from the step they had reached.
 */
@ApplicationScoped
public class RollRunner {

    private static final Logger LOG = Logger.getLogger(RollRunner.class);

    private final RollConfig config;
    private final SshSessions ssh;
    private final Inventory inventory;
    private final TargetBuilds targets;
    private final Rolls rolls;
    private final ObjectMapper json;
    private final EntityManager em;
    private final RollEvents events;
    private final HostRows hostRows;
    private final Leases leases;
    private final String instanceId;
    private final Map<Long, Execution> executions = new ConcurrentHashMap<>();
    private final Semaphore wake = new Semaphore(0);
    /** Claims rolls; false from the start of a shutdown. */
    private volatile boolean running;
    /** Ends the heartbeat loop, after the hand-over. */
    private volatile boolean closed;
    private Thread loop;

    RollRunner(RollConfig config, SshSessions ssh, Inventory inventory, TargetBuilds targets, Rolls rolls, ObjectMapper json,
            EntityManager em, RollEvents events, HostRows hostRows, Leases leases) {
        this.leases = leases;
        this.events = events;
        this.hostRows = hostRows;
        this.config = config;
        this.ssh = ssh;
        this.inventory = inventory;
        this.targets = targets;
        this.rolls = rolls;
        this.json = json;
        this.em = em;
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
        executions.values().forEach(Execution::drain);
        long deadline = System.nanoTime() + grace.toNanos();
        for (Execution execution : executions.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !execution.awaitDone(left)) {
                execution.stop();
                execution.interruptHosts();
            }
        }
        closed = true;
        if (loop != null) {
            loop.interrupt();
        }
        try {
            QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                    "update roll set lease_owner = null, lease_until = null where lease_owner = ?1")
                    .setParameter(1, instanceId).executeUpdate());
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
                    claim();
                }
            } catch (RuntimeException e) {
                LOG.warnf("roll runner: %s", e.getMessage());
            }
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
        List<Long> mine = new ArrayList<>(executions.keySet());
        Set<Long> kept = leases.renew(mine, instanceId, config.leaseDuration());
        for (Long id : mine) {
            Execution execution = executions.get(id);
            if (!kept.contains(id) && execution != null) {
                LOG.warnf("lost the lease of roll %d; stopping here", id);
                execution.stop();
                execution.interruptHosts();
                executions.remove(id);
            }
        }
    }

    private void claim() {
        while (running) {
            Leases.Claimed claimed = leases.claim(instanceId, config.leaseDuration());
            if (claimed == null) {
                return;
            }
            long id = claimed.rollId();
            String lapsed = claimed.lapsedHolder();
            Execution execution = new Execution(id, instanceId.equals(lapsed) ? null : lapsed);
            if (executions.putIfAbsent(id, execution) == null) {
                Thread.ofVirtual().name("roll-" + id).start(execution::run);
            }
        }
    }

    /** Runs one roll on this instance while it holds the lease. */
    final class Execution {
        final long rollId;
        volatile boolean stopped;
        final Set<SshConnection> connections = ConcurrentHashMap.newKeySet();
        final CountDownLatch done = new CountDownLatch(1);
        RollPlan.Strategy strategy;
        Roll snapshot;

        /** The instance whose lease had lapsed when this one claimed the roll (it died or hung), or null. */
        final String lapsedHolder;

        Execution(long rollId, String lapsedHolder) {
            this.rollId = rollId;
            this.lapsedHolder = lapsedHolder;
        }

        /** Set at shutdown: start no more hosts, let the running ones finish their steps. */
        volatile boolean draining;

        private volatile long newestAskedAt;
        private volatile boolean newest;
        private final ReentrantLock newestLock = new ReentrantLock();

        /**
         * Whether the target is still the environment's promoted build (then `yum update` reaches
         * it; else the exact version is installed). Asked again after 5 s rather than per host:
         * a build promoted in between is caught by the verify step, as it would be a moment
         * after the question anyway. One host asks while the others wait for its answer: when
         * the 5 s ran out, every host starting in the next moment asked the database again.
         */
        boolean targetIsNewest() {
            if (newestIsFresh()) {
                return newest;
            }
            newestLock.lock();
            try {
                if (!newestIsFresh()) {
                    newest = targets.isNewest(snapshot.environment, snapshot.packageName, snapshot.targetEvr);
                    newestAskedAt = System.nanoTime();
                }
                return newest;
            } finally {
                newestLock.unlock();
            }
        }

        private boolean newestIsFresh() {
            long askedAt = newestAskedAt;
            return askedAt != 0 && System.nanoTime() - askedAt <= 5_000_000_000L;
        }

        /** This instance lost or gives up the roll: write nothing more about it. */
        void stop() {
            stopped = true;
        }

        void drain() {
            draining = true;
        }

        /** No host or batch may start. */
        boolean halting() {
            return stopped || draining;
        }

        void interruptHosts() {
            connections.forEach(SshConnection::cancel);
        }

        boolean awaitDone(long nanos) {
            try {
                return done.await(nanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                return false;
            }
        }

        void run() {
            MDC.put("roll.id", "roll=" + rollId + " ");
            try {
                execute();
            } catch (RuntimeException e) {
                LOG.errorf(e, "roll %d stopped by an error", rollId);
            } finally {
                done.countDown();
                if (!stopped) {
                    executions.remove(rollId);
                    QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                            "update roll set lease_owner = null, lease_until = null where id = ?1 and lease_owner = ?2 and status in ('SUCCEEDED', 'FAILED', 'CANCELED')")
                            .setParameter(1, rollId).setParameter(2, instanceId).executeUpdate());
                }
                MDC.remove("roll.id");
            }
        }

        private Roll load() {
            return QuarkusTransaction.requiringNew().call(() -> {
                Roll roll = Roll.findById(rollId);
                em.detach(roll);
                return roll;
            });
        }

        private void execute() throws RuntimeException {
            snapshot = load();
            try {
                strategy = json.readValue(snapshot.plan, RollPlan.Strategy.class);
            } catch (Exception e) {
                throw new IllegalStateException("unreadable plan of roll " + rollId, e);
            }
            QuarkusTransaction.requiringNew().run(() -> {
                Roll roll = Roll.findById(rollId);
                if (roll.status == RollStatus.PENDING) {
                    roll.status = RollStatus.RUNNING;
                    roll.startedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    rolls.announce(roll);
                } else if (lapsedHolder != null && roll.status == RollStatus.RUNNING) {
                    // Say so where people watch: the roll page and the API show the reason.
                    long inFlight = RollHost.count("rollId = ?1 and status = ?2", rollId, HostStatus.RUNNING);
                    roll.reason = "taken over by " + instanceId + " after the lease of " + lapsedHolder + " lapsed; "
                            + inFlight + (inFlight == 1 ? " host" : " hosts") + " in flight checked again";
                    rolls.announce(roll);
                }
            });
            if (lapsedHolder != null) {
                LOG.infof("took roll %d over from %s, whose lease lapsed", rollId, lapsedHolder);
            }
            int total = (int) (long) QuarkusTransaction.requiringNew().call(() -> RollHost.count("rollId", rollId));
            Semaphore slots = new Semaphore(strategy.parallelism());
            for (int batch = 0; batch < snapshot.batchCount && !halting(); batch++) {
                final int b = batch;
                List<RollHost> hosts = QuarkusTransaction.requiringNew().call(() -> {
                    List<RollHost> list = RollHost.list("rollId = ?1 and batch = ?2 and status in ?3 order by position", rollId, b,
                            List.of(HostStatus.PENDING, HostStatus.RUNNING));
                    list.forEach(em::detach);
                    return list;
                });
                if (hosts.isEmpty()) {
                    continue;
                }
                if (!enterBatch(b)) {
                    break;
                }
                List<Thread> workers = new ArrayList<>();
                for (RollHost host : hosts) {
                    if (!gate()) {
                        break;
                    }
                    // Asked again after waiting for a slot: a pause or cancel may have come meanwhile.
                    boolean waited = !slots.tryAcquire();
                    try {
                        while (waited && !slots.tryAcquire(250, TimeUnit.MILLISECONDS)) {
                            watch();
                            if (halting()) {
                                break;
                            }
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (halting() || (waited && !gate())) {
                        slots.release();
                        break;
                    }
                    workers.add(Thread.ofVirtual().name("roll-" + rollId + "-" + host.name).start(() -> {
                        try {
                            new HostWork(this, host).run();
                        } catch (Handover e) {
                            LOG.debugf("host %s left at its step for the next holder", host.name);
                        } catch (RuntimeException e) {
                            LOG.errorf(e, "host %s", host.name);
                        } finally {
                            slots.release();
                            // Only a host that did not make it can spend the budget.
                            if (!stopped && (host.status.isRetryable() || !host.status.isComplete())) {
                                checkBudget(total);
                            }
                        }
                    }));
                }
                for (Thread worker : workers) {
                    try {
                        while (!worker.join(Duration.ofMillis(250))) {
                            watch();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                Roll now = load();
                if (now.status.isComplete() || halting()) {
                    break;
                }
            }
            if (halting()) {
                return;
            }
            finish();
        }

        /** Before a batch: the pause between batches, the wait after the canary, BatchStarted. */
        private boolean enterBatch(int batch) {
            Roll roll = load();
            if (roll.status.isComplete()) {
                return false;
            }
            if (batch <= roll.currentBatch) {
                return true; // resuming inside a batch already started (after a crash, a takeover or a retry)
            }
            if (batch > 0 && !strategy.pauseBetweenBatches().isZero()) {
                if (!waitFor(strategy.pauseBetweenBatches())) {
                    return false;
                }
            }
            if (batch == 1 && strategy.canary() > 0 && roll.currentBatch == 0) {
                QuarkusTransaction.requiringNew().run(() -> {
                    Roll r = Roll.findById(rollId);
                    if (r.status == RollStatus.RUNNING) {
                        r.status = RollStatus.WAITING;
                        r.reason = strategy.canaryDelay() == null ? "canary done: continue when it looks good"
                                : "canary done: continuing by itself after " + strategy.canaryDelay().toSeconds() + " s";
                        rolls.announce(r);
                    }
                });
                long deadline = strategy.canaryDelay() == null ? Long.MAX_VALUE
                        : System.nanoTime() + strategy.canaryDelay().toNanos();
                while (!halting()) {
                    Roll r = load();
                    if (r.status == RollStatus.RUNNING) {
                        break;
                    }
                    if (r.status.isComplete()) {
                        return false;
                    }
                    if (r.status == RollStatus.WAITING && System.nanoTime() > deadline) {
                        QuarkusTransaction.requiringNew().run(() -> {
                            Roll w = Roll.findById(rollId);
                            if (w.status == RollStatus.WAITING) {
                                w.status = RollStatus.RUNNING;
                                w.reason = "continued after the canary delay";
                                rolls.announce(w);
                            }
                        });
                        break;
                    }
                    pauseBriefly();
                }
            }
            if (halting()) {
                return false;
            }
            QuarkusTransaction.requiringNew().run(() -> {
                Roll r = Roll.findById(rollId);
                r.currentBatch = batch;
                events().record(rollId, "BatchStarted", Map.of("batch", batch, "batchCount", r.batchCount,
                        "canary", batch == 0 && strategy.canary() > 0));
                rolls.announce(r);
            });
            return true;
        }

        /** May the next host start? Waits while paused; false when canceled, halted or stopped. */
        private boolean gate() {
            while (!halting()) {
                HostRows.State roll = hostRows.state(rollId);
                if (roll.status() == RollStatus.RUNNING) {
                    return true;
                }
                if (roll.status().isComplete()) {
                    if (roll.interrupt()) {
                        interruptHosts();
                    }
                    return false;
                }
                pauseBriefly();
            }
            return false;
        }

        /** While waiting for hosts: a cancel with interrupt kills their commands. */
        private void watch() {
            HostRows.State roll = hostRows.state(rollId);
            if (roll.status() == RollStatus.CANCELED && roll.interrupt()) {
                interruptHosts();
            }
        }

        private boolean waitFor(Duration duration) {
            long deadline = System.nanoTime() + duration.toNanos();
            while (!halting() && System.nanoTime() < deadline) {
                if (hostRows.state(rollId).status().isComplete()) {
                    return false;
                }
                pauseBriefly();
            }
            return !halting();
        }

        private void pauseBriefly() {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                stopped = true;
            }
        }

        private void checkBudget(int total) {
            QuarkusTransaction.requiringNew().run(() -> {
                Roll roll = Roll.findById(rollId);
                if (roll.status != RollStatus.RUNNING && roll.status != RollStatus.PAUSED) {
                    return;
                }
                long failed = RollHost.count("rollId = ?1 and status in ?2", rollId,
                        List.of(HostStatus.FAILED, HostStatus.HOST_KEY_CHANGED, HostStatus.TIMED_OUT, HostStatus.UNHEALTHY));
                long unreachable = RollHost.count("rollId = ?1 and status = ?2", rollId, HostStatus.UNREACHABLE);
                int maxFailed = strategy.maxFailures(total);
                int maxUnreachable = strategy.maxUnreachable(total);
                String why = null;
                if (failed > maxFailed) {
                    why = "failure budget spent: " + failed + " failed hosts, budget " + maxFailed;
                } else if (unreachable > maxUnreachable) {
                    why = "unreachable budget spent: " + unreachable + " unreachable hosts, budget " + maxUnreachable;
                }
                if (why != null) {
                    em.lock(roll, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
                    roll.status = RollStatus.FAILED;
                    roll.reason = why;
                    roll.finishedAt = OffsetDateTime.now(ZoneOffset.UTC);
                    rolls.announce(roll);
                }
            });
        }

        private void finish() {
            QuarkusTransaction.requiringNew().run(() -> {
                Roll roll = Roll.findById(rollId);
                if (roll.status != RollStatus.RUNNING) {
                    return;
                }
                long open = RollHost.count("rollId = ?1 and status in ?2", rollId, List.of(HostStatus.PENDING, HostStatus.RUNNING));
                if (open > 0) {
                    return; // another pass (after a retry) will pick them up
                }
                long failed = RollHost.count("rollId = ?1 and status in ?2", rollId,
                        List.of(HostStatus.FAILED, HostStatus.HOST_KEY_CHANGED, HostStatus.TIMED_OUT, HostStatus.UNHEALTHY,
                                HostStatus.UNREACHABLE));
                roll.status = RollStatus.SUCCEEDED;
                roll.reason = failed == 0 ? null : failed + " hosts failed, within the budget";
                roll.finishedAt = OffsetDateTime.now(ZoneOffset.UTC);
                rolls.announce(roll);
            });
        }
    }

    RollEvents events() {
        return events;
    }

    /** One host's steps: connect → check → update → verify → restart → health. */
    final class HostWork {
        private static final int MAX_LOG = 64 * 1024;
        private final Execution execution;
        private final RollHost host;
        private final StringBuilder log = new StringBuilder();
        private final Step resumedFrom;
        private Step step;
        /** What rpm -q said last, written with the next step (no transaction of its own): the drift view's source. */
        private volatile boolean seen;
        private volatile String seenEvr;

        HostWork(Execution execution, RollHost host) {
            this.execution = execution;
            this.host = host;
            this.resumedFrom = host.step == Step.DONE ? Step.QUEUED : host.step;
        }

        void run() {
            Step reached = resumedFrom;
            Roll roll = execution.snapshot;
            RollPlan.Strategy s = execution.strategy;
            if (reached == Step.QUEUED) {
                HostSource.Presence presence = inventory.atTurn(new InventoryHost(host.source, host.sourceId, host.name,
                        host.address, host.port, roll.environment, "", List.of(), List.of(), List.of()));
                if (!presence.present()) {
                    end(HostStatus.SKIPPED, presence.reason());
                    return;
                }
            } else {
                note("resuming: this host was at step " + reached + " when the roll stopped");
            }
            transition(Step.CONNECT, c -> {
                c.status = HostStatus.RUNNING;
                c.started = true;
            });
            SshConnection connection;
            long connecting = System.nanoTime();
            try {
                connection = ssh.connect(host.address, host.port, s.connectTimeout());
                note("(connected to " + host.address + ":" + host.port + " in " + (System.nanoTime() - connecting) / 1_000_000 + " ms)");
            } catch (SshFailure e) {
                end(switch (e.kind()) {
                    case UNREACHABLE, DISCONNECTED -> HostStatus.UNREACHABLE;
                    case HOST_KEY_CHANGED -> HostStatus.HOST_KEY_CHANGED;
                    case TIMEOUT -> HostStatus.TIMED_OUT;
                    default -> HostStatus.FAILED;
                }, e.getMessage());
                return;
            }
            execution.connections.add(connection);
            try (connection) {
                steps(connection, reached, roll, s);
            } catch (SshFailure e) {
                end(e.kind() == SshFailure.Kind.TIMEOUT ? HostStatus.TIMED_OUT : HostStatus.UNREACHABLE, e.getMessage());
            } finally {
                execution.connections.remove(connection);
            }
        }

        private void steps(SshConnection c, Step reached, Roll roll, RollPlan.Strategy s) throws SshFailure {
            String target = roll.targetEvr;
            HostScript.AtTarget atTarget = atTarget(reached, target);
            RemoteCommand install = RemoteCommand.fromTemplate(config.installCommand(),
                    Map.of("package", roll.packageName, "evr", target));
            boolean newest = execution.targetIsNewest();
            RemoteCommand change = newest ? RemoteCommand.fromTemplate(config.updateCommand(), Map.of("package", roll.packageName)) : install;
            RemoteCommand restart = RemoteCommand.fromTemplate(config.restartCommand(), Map.of("service", host.service));
            RemoteCommand health = RemoteCommand.fromTemplate(config.healthCommand(), Map.of("service", host.service));
            // No CHECK step stored: a host resumed at CONNECT or CHECK does the same, and one
            // transaction fewer per host is the runner's largest cost on a big roll.
            // After an update that did not reach the target (a rollback: yum update never goes
            // down), the script installs the exact build.
            RemoteCommand exact = newest ? install : null;
            Script run = new Script(roll.packageName, change, exact, restart, health, s);
            ExecResult first = run.exec(c, HostScript.build(roll.packageName, target, change, exact, restart, health, atTarget));
            HostScript.Mark last = run.last;
            if (first.canceled()) {
                end(HostStatus.CANCELED, last == null || last == HostScript.Mark.CHECK || last == HostScript.Mark.AT_TARGET
                        ? "interrupted" : run.what(last) + " interrupted by cancel");
                return;
            }
            if (last == HostScript.Mark.HEALTH) {
                health(c, health, s, first, run.healthStarted);
                return;
            }
            if (first.timedOut()) {
                end(HostStatus.TIMED_OUT, switch (last) {
                    case null -> "the host's script did not start within " + human(run.timeout) + "; it was killed";
                    case CHECK, VERIFY -> "rpm -q did not answer within " + human(run.timeout) + " (killed)";
                    default -> run.what(last) + " did not finish within " + human(run.timeout) + "; its command was killed";
                });
                return;
            }
            if (last == HostScript.Mark.AT_TARGET && atTarget == HostScript.AtTarget.STOP && first.succeeded()) {
                end(HostStatus.AT_TARGET, "already runs " + target, row -> {
                    row.toEvr = target;
                    row.fromEvrIfUnset = target;
                });
                return;
            }
            if (last == HostScript.Mark.VERIFY) {
                String now = HostScript.installed(roll.packageName, run.verified);
                end(HostStatus.FAILED, "after the update rpm -q says " + (now == null ? "not installed" : now) + ", expected " + target);
                return;
            }
            end(HostStatus.FAILED, last == null || last == HostScript.Mark.CHECK || last == HostScript.Mark.AT_TARGET
                    ? "the host's script failed: exited " + first.exitStatus() + lastLine()
                    : run.what(last) + " failed: '" + run.command(last) + "' exited " + first.exitStatus() + lastLine());
        }

        /**
         * What a host found already at the target does. An earlier attempt of this roll that got
         * past the check (or may have: it stopped before storing the step) may have changed the
         * package, so the host is restarted unless the restart is known to be done.
         */
        private HostScript.AtTarget atTarget(Step reached, String target) {
            if (reached.reached(Step.HEALTH)) {
                return HostScript.AtTarget.HEALTH;
            }
            if (reached.reached(Step.UPDATE)) {
                return HostScript.AtTarget.RESTART;
            }
            if (host.fromEvr != null) {
                return host.fromEvr.equals(target) ? HostScript.AtTarget.STOP : HostScript.AtTarget.RESTART;
            }
            return reached == Step.QUEUED ? HostScript.AtTarget.STOP : HostScript.AtTarget.RESTART;
        }

        /** The health check after the script's first one failed: again every interval until it passes or time is up. */
        private void health(SshConnection c, RemoteCommand health, RollPlan.Strategy s, ExecResult first, long started)
                throws SshFailure {
            long deadline = started + s.healthTimeout().toNanos();
            ExecResult result = first;
            int tries = 1;
            while (true) {
                if (result.canceled()) {
                    end(HostStatus.CANCELED, "interrupted during the health check");
                    return;
                }
                if (result.succeeded()) {
                    break;
                }
                if (System.nanoTime() + config.healthInterval().toNanos() > deadline) {
                    end(HostStatus.UNHEALTHY, "health check failed " + tries + " times within " + s.healthTimeout().toSeconds()
                            + " s (" + health + (result.exitStatus() == null ? " timed out" : " exited " + result.exitStatus()) + ")");
                    return;
                }
                try {
                    Thread.sleep(config.healthInterval().toMillis());
                } catch (InterruptedException e) {
                    end(HostStatus.CANCELED, "interrupted");
                    return;
                }
                tries++;
                // Each attempt gets at least 5 s: one slow answer must not eat the whole window.
                Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 5_000_000_000L));
                result = exec(c, health, left);
            }
            end(HostStatus.SUCCEEDED, null, row -> row.step = Step.DONE);
        }

        /**
         * Runs a {@link HostScript} and stores each step as its marker comes out. The markers
         * arrive on the SSH client's I/O thread, which must not wait for the database: they go
         * through a queue to this host's thread, which stores them in order. Each step's timeout
         * starts at its marker.
         */
        final class Script {
            private final String packageName;
            private final RemoteCommand change;
            private final RemoteCommand exact;
            private final RemoteCommand restart;
            private final RemoteCommand health;
            private final RollPlan.Strategy strategy;
            private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
            private final List<String> checked = new CopyOnWriteArrayList<>();
            final List<String> verified = new CopyOnWriteArrayList<>();
            /** The last marker stored: the step the script was in when it ended. */
            HostScript.Mark last;
            /** The time of the step the script is in, for the message when it runs out. */
            volatile Duration timeout;
            volatile long healthStarted;
            private volatile HostScript.Mark seenMark;
            private volatile long markAt = System.nanoTime();
            private volatile long execStarted = System.nanoTime();
            private volatile boolean restarted;

            Script(String packageName, RemoteCommand change, RemoteCommand exact, RemoteCommand restart, RemoteCommand health,
                    RollPlan.Strategy s) {
                this.packageName = packageName;
                this.change = change;
                this.exact = exact;
                this.restart = restart;
                this.health = health;
                this.strategy = s;
            }

            String what(HostScript.Mark mark) {
                return switch (mark) {
                    case UPDATE -> "update";
                    case INSTALL -> "install";
                    case VERIFY -> "verify";
                    case RESTART -> "restart";
                    case HEALTH -> "health check";
                    case CHECK, AT_TARGET -> "check";
                };
            }

            RemoteCommand command(HostScript.Mark mark) {
                return switch (mark) {
                    case UPDATE -> change;
                    case INSTALL -> exact;
                    case RESTART -> restart;
                    case HEALTH -> health;
                    case CHECK, AT_TARGET, VERIFY -> RemoteCommand.of("rpm", "-q", packageName);
                };
            }

            /** The time a step gets from its marker on; zero: the step before's time goes on. */
            private Duration timeoutOf(HostScript.Mark mark) {
                return switch (mark) {
                    case CHECK, AT_TARGET -> strategy.connectTimeout().multipliedBy(2);
                    case UPDATE, INSTALL -> strategy.updateTimeout();
                    case VERIFY -> Duration.ZERO;
                    case RESTART -> strategy.restartTimeout();
                    // The restart and the first health check share the restart's time, as when
                    // they were one step; without a restart the check gets the health timeout.
                    case HEALTH -> restarted ? Duration.ZERO : strategy.healthTimeout();
                };
            }

            ExecResult exec(SshConnection c, RemoteCommand script) throws SshFailure {
                timeout = strategy.connectTimeout().multipliedBy(2);
                Deadline deadline = Deadline.in(timeout);
                execStarted = System.nanoTime();
                Thread.ofVirtual().name("host-script-" + host.name).start(() -> {
                    try {
                        queue.add(c.exec(script, deadline, (stream, line) -> {
                            boolean stdout = stream == OutputListener.Stream.STDOUT;
                            HostScript.Mark mark = stdout ? HostScript.Mark.of(line) : null;
                            if (mark != null) {
                                if (mark == HostScript.Mark.RESTART) {
                                    restarted = true;
                                } else if (mark == HostScript.Mark.INSTALL) {
                                    verified.clear(); // the verify after the install is the one that counts
                                }
                                Duration t = timeoutOf(mark);
                                if (!t.isZero()) {
                                    timeout = t;
                                    deadline.reset(t);
                                }
                                marked(mark);
                                queue.add(mark);
                                return;
                            }
                            if (stdout && seenMark == HostScript.Mark.CHECK) {
                                checked.add(line.strip());
                            } else if (stdout && seenMark == HostScript.Mark.VERIFY) {
                                verified.add(line.strip());
                            }
                            note(stdout ? line : "! " + line);
                        }));
                    } catch (SshFailure e) {
                        queue.add(e);
                    } catch (RuntimeException | Error e) {
                        queue.add(new SshFailure(SshFailure.Kind.DISCONNECTED, "the host's script stopped: " + e, e));
                        throw e;
                    }
                });
                while (true) {
                    Object item;
                    try {
                        item = queue.take();
                    } catch (InterruptedException e) {
                        c.cancel();
                        Thread.currentThread().interrupt();
                        throw new SshFailure(SshFailure.Kind.DISCONNECTED, "interrupted");
                    }
                    // Markers that came while the last step was being stored are stored together,
                    // as the latest step reached: on a loaded machine that saves transactions.
                    List<Object> items = new ArrayList<>();
                    items.add(item);
                    queue.drainTo(items);
                    List<HostScript.Mark> marks = new ArrayList<>();
                    Object end = null;
                    for (Object o : items) {
                        if (o instanceof HostScript.Mark mark) {
                            marks.add(mark);
                        } else {
                            end = o;
                        }
                    }
                    if (!marks.isEmpty()) {
                        store(marks);
                    }
                    if (end instanceof SshFailure failure) {
                        throw failure;
                    } else if (end != null) {
                        ExecResult result = (ExecResult) end;
                        note(result.timedOut() ? "(timed out after " + human(timeout) + ", killed)"
                                : result.canceled() ? "(interrupted)"
                                : "(exit " + result.exitStatus() + ", " + (System.nanoTime() - markAt) / 1_000_000 + " ms)");
                        return result;
                    }
                }
            }

            /** In the log, on the I/O thread: the end of the step before and the command of this one. */
            private void marked(HostScript.Mark mark) {
                long now = System.nanoTime();
                if (seenMark == null) {
                    note("(the script answered after " + (now - execStarted) / 1_000_000 + " ms)");
                }
                if (seenMark != null && seenMark != HostScript.Mark.AT_TARGET) {
                    note("(exit 0, " + (now - markAt) / 1_000_000 + " ms)");
                }
                markAt = now;
                seenMark = mark;
                if (mark == HostScript.Mark.HEALTH) {
                    healthStarted = now;
                }
                note(mark == HostScript.Mark.AT_TARGET ? "(already at the target)" : "$ " + command(mark));
            }

            /** On this host's thread: the latest step reached, stored before anyone hears of it. */
            private void store(List<HostScript.Mark> marks) {
                String target = execution.snapshot.targetEvr;
                Step reachedNow = null;
                List<Consumer<HostRows.Change>> changes = new ArrayList<>();
                for (HostScript.Mark mark : marks) {
                    last = mark;
                    switch (mark) {
                        case CHECK -> {
                        }
                        case AT_TARGET -> {
                            seen = true;
                            seenEvr = HostScript.installed(packageName, checked);
                        }
                        case UPDATE -> {
                            String from = HostScript.installed(packageName, checked);
                            seen = true;
                            seenEvr = from;
                            reachedNow = Step.UPDATE;
                            changes.add(c -> c.fromEvrIfUnset = from == null ? "none" : from);
                        }
                        case VERIFY -> reachedNow = Step.VERIFY;
                        // Back to the update step, with the exact install as its command.
                        case INSTALL -> reachedNow = Step.UPDATE;
                        case RESTART -> {
                            if (!verified.isEmpty()) {
                                seen = true;
                                seenEvr = HostScript.installed(packageName, verified);
                            }
                            reachedNow = Step.RESTART;
                            changes.add(c -> c.toEvr = target);
                        }
                        case HEALTH -> {
                            reachedNow = Step.HEALTH;
                            if (restarted) {
                                changes.add(c -> c.restarts++);
                            }
                            changes.add(c -> c.toEvr = target);
                        }
                    }
                }
                if (reachedNow != null) {
                    transition(reachedNow, c -> changes.forEach(each -> each.accept(c)));
                }
            }
        }

        private ExecResult exec(SshConnection c, RemoteCommand command, Duration timeout) throws SshFailure {
            note("$ " + command);
            ExecResult result = c.exec(command, timeout, (stream, line) -> note(
                    stream == dev.yardmaster.ssh.OutputListener.Stream.STDERR ? "! " + line : line));
            note(result.timedOut() ? "(timed out after " + human(timeout) + ", killed)"
                    : result.canceled() ? "(interrupted)" : "(exit " + result.exitStatus() + ", " + result.elapsed().toMillis() + " ms)");
            return result;
        }

        private String lastLine() {
            String[] lines = log.toString().split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String l = lines[i];
                if (!l.startsWith("(exit") && !l.startsWith("(connected") && !l.startsWith("(the script answered") && !l.startsWith("$ ") && !l.isBlank()) {
                    return ": " + (l.startsWith("! ") ? l.substring(2) : l);
                }
            }
            return "";
        }

        private synchronized void note(String line) {
            if (log.length() < MAX_LOG) {
                log.append(line).append('\n');
            }
        }

        private void transition(Step next, Consumer<HostRows.Change> change) {
            // A resumed host walks through CONNECT and CHECK again; the stored step must not fall
            // back below the one it had reached, or a second crash would forget that the package
            // was already changed (and take the host for "already at target", unrestarted).
            Step stored = next.compareTo(resumedFrom) < 0 ? resumedFrom : next;
            step = stored;
            persist(c -> {
                c.step = stored;
                change.accept(c);
            });
        }

        private void end(HostStatus status, String reason) {
            end(status, reason, h -> {
            });
        }

        private void end(HostStatus status, String reason, Consumer<HostRows.Change> change) {
            persist(c -> {
                c.status = status;
                c.reason = reason;
                c.finished = true;
                change.accept(c);
            });
        }

        private void persist(Consumer<HostRows.Change> change) {
            if (execution.stopped) {
                // This instance lost the roll (lease gone, shutting down): write nothing more, so
                // the next holder finds the host at its last stored step and resumes it there.
                throw new Handover();
            }
            String text;
            synchronized (this) {
                text = log.toString();
            }
            boolean record = seen;
            String evr = seenEvr;
            seen = false;
            HostRows.Change c = new HostRows.Change();
            change.accept(c);
            Roll roll = execution.snapshot;
            HostRows.Stored stored = hostRows.store(host.id, c, text,
                    record ? new HostRows.Seen(roll.environment, roll.packageName, evr) : null);
            host.step = stored.step();
            host.fromEvr = stored.fromEvr();
            host.status = stored.status();
        }
    }

    /** Unwinds a host's work when its roll moved to another holder. */
    static final class Handover extends RuntimeException {
        Handover() {
            super("roll handed over", null, false, false);
        }
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
