package dev.yardmaster.rollout.runner;

import dev.yardmaster.observability.RollLogContext;
import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.Roll;
import dev.yardmaster.rollout.RollHost;
import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.rollout.RollStatus;
import dev.yardmaster.rollout.RollTransitions.Move;
import dev.yardmaster.rollout.store.RollStore;
import dev.yardmaster.ssh.SshConnection;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One roll run on this instance under one lease (its fencing token {@link #fence()}): the
 * batches in order, the canary wait, the failure budget, and a thread per host up to the plan's
 * parallelism. It writes only while its lease is surely its own: it stops starting hosts and
 * writing when the lease is lost, superseded or about to lapse without a renewal.
 */
final class RollExecution {

    private static final Logger LOG = Logger.getLogger(RollExecution.class);

    private final long rollId;
    private final long fence;
    /** The instance whose lease had lapsed when this one claimed the roll (it died or hung), or null. */
    private final String lapsedHolder;
    private final String instanceId;
    private final RunnerServices services;
    private final Set<SshConnection> connections = ConcurrentHashMap.newKeySet();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopped;
    /** Set at shutdown: start no more hosts, let the running ones finish their steps. */
    private volatile boolean draining;
    /** When the lease was last renewed (nanoTime of the renewal's start); it is surely held until then + lease - heartbeat. */
    private volatile long renewedAt = System.nanoTime();
    private RollPlan.Strategy strategy;
    private Roll snapshot;

    private volatile long newestAskedAt;
    private volatile boolean newest;
    private final ReentrantLock newestLock = new ReentrantLock();

    RollExecution(long rollId, long fence, String lapsedHolder, String instanceId, RunnerServices services) {
        this.rollId = rollId;
        this.fence = fence;
        this.lapsedHolder = lapsedHolder;
        this.instanceId = instanceId;
        this.services = services;
    }

    long rollId() {
        return rollId;
    }

    long fence() {
        return fence;
    }

    Roll snapshot() {
        return snapshot;
    }

    RollPlan.Strategy strategy() {
        return strategy;
    }

    Set<SshConnection> connections() {
        return connections;
    }

    /** The lease was renewed by a statement sent at {@code sentAt} (nanoTime). */
    void renewed(long sentAt) {
        renewedAt = sentAt;
    }

    /**
     * Whether the lease may have lapsed: no renewal for a lease less a heartbeat. The database
     * only gives the roll to another holder a full lease after the last renewal it committed, which
     * came after this execution sent it, so stopping here leaves a heartbeat's margin.
     */
    boolean leaseExpiring() {
        Duration safe = services.config().leaseDuration().minus(services.config().heartbeat());
        return System.nanoTime() - renewedAt > safe.toNanos();
    }

    /** May this execution still write about the roll? */
    boolean mayWrite() {
        return !stopped && !leaseExpiring();
    }

    /** This instance lost or gives up the roll: write nothing more about it, and kill its hosts' commands. */
    void stop() {
        stopped = true;
        interruptHosts();
    }

    /** A write found the fence moved on (another holder claimed the roll): stop here. */
    void superseded() {
        if (!stopped) {
            LOG.warnf("roll %d has a newer fence than %d: another holder runs it; stopping here", rollId, fence);
            stop();
        }
    }

    void drain() {
        draining = true;
    }

    /** No host or batch may start. */
    boolean halting() {
        return stopped || draining || leaseExpiring();
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
                newest = services.targets().isNewest(snapshot.environment, snapshot.packageName, snapshot.targetEvr);
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

    /** Runs the roll; {@code ended} is called when it is over (the runner then releases the lease). */
    void run(Runnable ended) {
        try (var ignored = RollLogContext.open(rollId)) {
            execute();
        } catch (HostRun.Handover e) {
            LOG.debugf("roll %d handed over", rollId);
        } catch (RuntimeException e) {
            LOG.errorf(e, "roll %d stopped by an error", rollId);
        } finally {
            done.countDown();
            ended.run();
        }
    }

    private Roll load() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Roll roll = Roll.findById(rollId);
            Roll.getEntityManager().detach(roll);
            return roll;
        });
    }

    private void execute() {
        snapshot = load();
        try {
            strategy = services.json().readValue(snapshot.plan, RollPlan.Strategy.class);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable plan of roll " + rollId, e);
        }
        var transitions = services.transitions();
        transitions.move(rollId, fence, EnumSet.of(RollStatus.PENDING), RollStatus.RUNNING, r -> Move.to(null));
        if (lapsedHolder != null) {
            // Say so where people watch: the roll page and the API show the reason.
            transitions.note(rollId, fence, r -> {
                if (r.status == RollStatus.RUNNING) {
                    long inFlight = RollHost.count("rollId = ?1 and status = ?2", rollId, HostStatus.RUNNING);
                    r.reason = "taken over by " + instanceId + " after the lease of " + lapsedHolder + " lapsed; " + inFlight
                            + (inFlight == 1 ? " host" : " hosts") + " in flight checked again";
                }
            });
            LOG.infof("took roll %d over from %s, whose lease lapsed", rollId, lapsedHolder);
        }
        int total = (int) (long) QuarkusTransaction.requiringNew().call(() -> RollHost.count("rollId", rollId));
        FailureBudget budget = new FailureBudget(strategy.maxFailures(total), strategy.maxUnreachable(total));
        Semaphore slots = new Semaphore(strategy.parallelism());
        BatchGate gate = services.checks().gate(strategy).map(g -> new BatchGate(this, services, g)).orElse(null);
        for (int batch = 0; batch < snapshot.batchCount && !halting(); batch++) {
            final int b = batch;
            List<RollHost> hosts = QuarkusTransaction.requiringNew().call(() -> {
                List<RollHost> list = RollHost.list("rollId = ?1 and batch = ?2 and status in ?3 order by position", rollId, b,
                        HostStatus.OPEN);
                list.forEach(Roll.getEntityManager()::detach);
                return list;
            });
            if (hosts.isEmpty()) {
                // Resumed with this batch's hosts done and the next not started: its gate may not have been asked to the end.
                if (gate != null && b == load().currentBatch && !passesGate(gate, b)) {
                    break;
                }
                continue;
            }
            if (!enterBatch(b)) {
                break;
            }
            if (!runBatch(hosts, slots, budget)) {
                return;
            }
            if (load().status.isComplete() || halting() || gate != null && !passesGate(gate, b)) {
                break;
            }
        }
        if (halting()) {
            return;
        }
        finish();
    }

    /** The gate after a batch (BatchGate); false when it failed and halted the roll, or the roll stopped. */
    private boolean passesGate(BatchGate gate, int batch) {
        return gate.passes(batch, snapshot.batchCount, batch == 0 && strategy.canary() > 0);
    }

    /** Starts the batch's hosts as slots free up; false when interrupted. */
    private boolean runBatch(List<RollHost> hosts, Semaphore slots, FailureBudget budget) {
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
                return false;
            }
            if (halting() || (waited && !gate())) {
                slots.release();
                break;
            }
            HostRun run = new HostRun(this, services, host);
            workers.add(Thread.ofVirtual().name("roll-" + rollId + "-" + host.name).start(() -> {
                try (var ignored = RollLogContext.open(rollId)) {
                    run.run();
                } catch (HostRun.Handover e) {
                    LOG.debugf("host %s left at its step for the next holder", host.name);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "host %s", host.name);
                } finally {
                    slots.release();
                    // Only a host that did not make it can spend the budget.
                    if (mayWrite() && (run.status().isRetryable() || !run.status().isComplete())) {
                        checkBudget(budget);
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
                return false;
            }
        }
        return true;
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
        if (batch > 0 && !strategy.pauseBetweenBatches().isZero() && !waitFor(strategy.pauseBetweenBatches())) {
            return false;
        }
        if (batch == 1 && strategy.canary() > 0 && roll.currentBatch == 0 && !awaitCanaryVerdict()) {
            return false;
        }
        if (halting()) {
            return false;
        }
        return services.transitions().note(rollId, fence, r -> {
            r.currentBatch = batch;
            services.transitions().record(r, "BatchStarted", Map.of("batch", batch, "batchCount", r.batchCount,
                    "canary", batch == 0 && strategy.canary() > 0));
        });
    }

    /** After the canary batch: WAITING until a person continues, or by itself after the canary delay. */
    private boolean awaitCanaryVerdict() {
        var transitions = services.transitions();
        transitions.move(rollId, fence, EnumSet.of(RollStatus.RUNNING), RollStatus.WAITING, r -> Move.to(
                strategy.canaryDelay() == null ? "canary done: continue when it looks good"
                        : "canary done: continuing by itself after " + strategy.canaryDelay().toSeconds() + " s"));
        long deadline = strategy.canaryDelay() == null ? Long.MAX_VALUE : System.nanoTime() + strategy.canaryDelay().toNanos();
        while (!halting()) {
            RollStatus status = services.store().state(rollId).status();
            if (status == RollStatus.RUNNING) {
                return true;
            }
            if (status.isComplete()) {
                return false;
            }
            if (status == RollStatus.WAITING && System.nanoTime() > deadline) {
                // Under the row lock: a cancel or pause that came first stays; this move then does nothing.
                transitions.move(rollId, fence, EnumSet.of(RollStatus.WAITING), RollStatus.RUNNING,
                        r -> Move.to("continued after the canary delay"));
                deadline = Long.MAX_VALUE;
                continue;
            }
            pauseBriefly();
        }
        return false;
    }

    /** May the next host start? Waits while paused; false when canceled, halted or stopped. */
    private boolean gate() {
        while (!halting()) {
            RollStore.State roll = services.store().state(rollId);
            if (roll.fence() != fence) {
                superseded();
                return false;
            }
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

    /** While waiting for hosts: a cancel with interrupt kills their commands; a lost lease stops them. */
    private void watch() {
        if (leaseExpiring() && !stopped) {
            LOG.warnf("the lease of roll %d was not renewed in time; stopping its hosts", rollId);
            stop();
            return;
        }
        RollStore.State roll = services.store().state(rollId);
        if (roll.fence() != fence) {
            superseded();
        } else if (roll.status() == RollStatus.CANCELED && roll.interrupt()) {
            interruptHosts();
        }
    }

    private boolean waitFor(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (!halting() && System.nanoTime() < deadline) {
            if (services.store().state(rollId).status().isComplete()) {
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

    private void checkBudget(FailureBudget budget) {
        services.transitions().halt(rollId, fence, r -> {
            long failed = RollHost.count("rollId = ?1 and status in ?2", rollId, HostStatus.FAILURE);
            long unreachable = RollHost.count("rollId = ?1 and status in ?2", rollId, HostStatus.UNREACHED);
            String why = budget.spent(failed, unreachable);
            return why == null ? Move.STAY : Move.to(why);
        });
    }

    /**
     * Halts the roll with {@code reason}, as a spent budget does (and with {@code onFailure:
     * rollback}, rolls it back): what a gate between batches calls when it fails. Fenced: false
     * when this execution no longer holds the roll or the roll cannot halt any more (canceled,
     * done). The batch loop stops at its next check.
     */
    boolean halt(String reason) {
        if (!mayWrite()) {
            return false;
        }
        return services.transitions().halt(rollId, fence, r -> Move.to(reason));
    }

    private void finish() {
        // SUCCEEDED only when every host in scope runs the target, else SUCCEEDED_WITH_FAILURES (RollOutcome).
        services.transitions().conclude(rollId, fence);
    }
}
