package dev.yardmaster.rollout.runner;

import dev.yardmaster.fleet.HostSource;
import dev.yardmaster.fleet.InventoryHost;
import dev.yardmaster.rollout.HostScript;
import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.Roll;
import dev.yardmaster.rollout.RollHost;
import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.rollout.Step;
import dev.yardmaster.rollout.store.RollStore;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.RemoteCommand;
import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One host's run in a roll: connect → check → update → verify → restart → health, the steps
 * stored as the script reaches them (fenced: a run whose execution lost the roll stops at its
 * next write). A host resumed after a crash or takeover starts again from the check, and the
 * host itself says whether its restart is still due.
 */
final class HostRun implements ScriptSession.Host {

    private static final int MAX_LOG = 64 * 1024;
    private final RollExecution execution;
    private final RunnerServices services;
    private final RollHost host;
    private final StringBuilder log = new StringBuilder();
    private final Step resumedFrom;
    /** What rpm -q said last, written with the next step (no transaction of its own): the drift view's source. */
    private volatile boolean seen;
    private volatile String seenEvr;
    /** The script run in progress: what rpm -q said, whether it restarted. */
    private ScriptSession session;
    /**
     * VERIFY reached and not yet stored: it goes with the host's next write (the restart, or its
     * end). A stored VERIFY decides nothing a stored UPDATE does not (a resumed host checks again
     * either way), and the rpm -q it stands for takes ~10 ms, so a write of its own was one of six
     * per host for a step the next write follows at once (bench/rolls.sh, bench/README.md).
     */
    private Step deferred;

    HostRun(RollExecution execution, RunnerServices services, RollHost host) {
        this.execution = execution;
        this.services = services;
        this.host = host;
        this.resumedFrom = host.step == Step.DONE ? Step.QUEUED : host.step;
    }

    /** What this host goes to: its own target (a rollback roll's host), else the roll's. */
    private String target() {
        return host.targetEvr != null ? host.targetEvr : execution.snapshot().targetEvr;
    }

    /** The host's status as last stored. */
    HostStatus status() {
        return host.status;
    }

    void run() {
        Roll roll = execution.snapshot();
        RollPlan.Strategy s = execution.strategy();
        if (resumedFrom == Step.QUEUED) {
            HostSource.Presence presence = services.inventory().atTurn(new InventoryHost(host.source, host.sourceId, host.name,
                    host.address, host.port, roll.environment, "", List.of(), List.of(), List.of()));
            if (!presence.present()) {
                end(HostStatus.SKIPPED, presence.reason());
                return;
            }
        } else {
            note("resuming: this host was at step " + resumedFrom + " when the roll stopped");
        }
        transition(Step.CONNECT, c -> {
            c.status = HostStatus.RUNNING;
            c.started = true;
        });
        SshConnection connection;
        long connecting = System.nanoTime();
        try {
            connection = services.ssh().connect(host.address, host.port, s.connectTimeout());
            note("(connected to " + host.address + ":" + host.port + " in " + (System.nanoTime() - connecting) / 1_000_000 + " ms)");
        } catch (SshFailure e) {
            end(HostOutcome.ofConnectFailure(e.kind()), e.getMessage());
            return;
        }
        execution.connections().add(connection);
        try (connection) {
            steps(connection, roll, s);
        } catch (SshFailure e) {
            end(HostOutcome.ofSessionFailure(e.kind()), e.getMessage());
        } finally {
            execution.connections().remove(connection);
        }
    }

    private void steps(SshConnection c, Roll roll, RollPlan.Strategy s) throws SshFailure {
        String target = target();
        HostScript.AtTarget atTarget = atTarget(resumedFrom, host.fromEvr, target);
        var config = services.config();
        RemoteCommand install = RemoteCommand.fromTemplate(config.installCommand(), Map.of("package", roll.packageName, "evr", target));
        // A host of a rollback roll with its own target (the build it ran before) installs it exactly.
        boolean newest = target.equals(roll.targetEvr) && execution.targetIsNewest();
        RemoteCommand change = newest ? RemoteCommand.fromTemplate(config.updateCommand(), Map.of("package", roll.packageName)) : install;
        RemoteCommand restart = RemoteCommand.fromTemplate(config.restartCommand(), Map.of("service", host.service));
        RemoteCommand healthCommand = RemoteCommand.fromTemplate(config.healthCommand(), Map.of("service", host.service));
        HostScript.HttpProbe http;
        try {
            http = services.checks().httpCheck(s)
                    .map(h -> new HostScript.HttpProbe(h.url(host.name, host.address, host.service, roll.packageName), h))
                    .orElse(null);
        } catch (IllegalArgumentException e) {
            end(HostStatus.FAILED, e.getMessage());
            return;
        }
        RemoteCommand health = HostScript.health(healthCommand, http);
        // After an update that did not reach the target (a rollback: yum update never goes
        // down), the script installs the exact build.
        RemoteCommand exact = newest ? install : null;
        RemoteCommand query = RemoteCommand.of("rpm", "-q", roll.packageName);
        ScriptSession run = session = new ScriptSession(host.name, s, this, step -> switch (step) {
            case UPDATE -> change;
            case INSTALL -> exact;
            case RESTART -> restart;
            case HEALTH -> health;
            default -> query;
        });
        ExecResult first = run.exec(c, HostScript.build(roll.packageName, target, run.nonce, host.service, change, exact, restart,
                healthCommand, atTarget, http));
        HostStep last = run.last;
        String command = last == null ? "" : switch (last) {
            case UPDATE -> change.toString();
            case INSTALL -> String.valueOf(exact);
            case RESTART -> restart.toString();
            case HEALTH -> health.toString();
            default -> query.toString();
        };
        HostOutcome outcome = HostOutcome.of(first, last, atTarget, target, HostScript.installed(roll.packageName, run.verified),
                run.timeout, command, lastLine());
        if (outcome.health()) {
            health(c, health, s, first, run.healthStarted);
        } else if (outcome.status() == HostStatus.AT_TARGET) {
            end(HostStatus.AT_TARGET, outcome.reason(), row -> {
                row.toEvr = target;
                row.fromEvrIfUnset = target;
            });
        } else {
            end(outcome.status(), outcome.reason());
        }
    }

    /**
     * What a host found already at the target does. Left alone when it was there before this roll
     * touched it; otherwise an earlier attempt changed the package (or may have: it stopped
     * before storing the step), so the script asks the host whether the restart after the
     * install is done, unless the restart was stored as done.
     */
    static HostScript.AtTarget atTarget(Step reached, String fromEvr, String target) {
        if (reached.reached(Step.HEALTH)) {
            return HostScript.AtTarget.HEALTH;
        }
        if (reached.reached(Step.UPDATE)) {
            return HostScript.AtTarget.CHECK;
        }
        if (fromEvr != null) {
            return fromEvr.equals(target) ? HostScript.AtTarget.STOP : HostScript.AtTarget.CHECK;
        }
        return reached == Step.QUEUED ? HostScript.AtTarget.STOP : HostScript.AtTarget.CHECK;
    }

    /** The health check after the script's first one failed: again every interval until it passes or time is up. */
    private void health(SshConnection c, RemoteCommand health, RollPlan.Strategy s, ExecResult first, long started)
            throws SshFailure {
        long deadline = started + s.healthTimeout().toNanos();
        Duration interval = services.config().healthInterval();
        ExecResult result = first;
        int tries = 1;
        long checking = System.nanoTime();
        while (true) {
            if (result.canceled()) {
                end(HostStatus.CANCELED, "interrupted during the health check");
                return;
            }
            if (result.succeeded()) {
                break;
            }
            if (System.nanoTime() + interval.toNanos() > deadline) {
                end(HostStatus.UNHEALTHY, "health check failed " + tries + " times within " + s.healthTimeout().toSeconds()
                        + " s (" + health + (result.exitStatus() == null ? " timed out" : " exited " + result.exitStatus()) + ")"
                        + (result.exitStatus() == null ? "" : lastLine()));
                return;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                end(HostStatus.CANCELED, "interrupted");
                return;
            }
            tries++;
            // Each attempt gets at least 5 s: one slow answer must not eat the whole window.
            Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 5_000_000_000L));
            result = exec(c, health, left);
        }
        if (tries > 1) {
            stepTook(HostStep.HEALTH, Duration.ofNanos(System.nanoTime() - checking));
        }
        end(HostStatus.SUCCEEDED, null, row -> row.step = Step.DONE);
    }

    private ExecResult exec(SshConnection c, RemoteCommand command, Duration timeout) throws SshFailure {
        note("$ " + command);
        ExecResult result = c.exec(command, timeout, (stream, line) -> note(
                stream == dev.yardmaster.ssh.OutputListener.Stream.STDERR ? "! " + line : line));
        note(result.timedOut() ? "(timed out after " + HostOutcome.human(timeout) + ", killed)"
                : result.canceled() ? "(interrupted)" : "(exit " + result.exitStatus() + ", " + result.elapsed().toMillis() + " ms)");
        return result;
    }

    private String lastLine() {
        String[] lines;
        synchronized (this) {
            lines = log.toString().split("\n");
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i];
            if (!l.startsWith("(exit") && !l.startsWith("(connected") && !l.startsWith("(the script answered") && !l.startsWith("$ ")
                    && !l.isBlank()) {
                return ": " + (l.startsWith("! ") ? l.substring(2) : l);
            }
        }
        return "";
    }

    @Override
    public synchronized void note(String line) {
        if (log.length() < MAX_LOG) {
            log.append(line).append('\n');
        }
    }

    @Override
    public void stepTook(HostStep step, Duration took) {
        services.meters().rollStep(step.reaches.name(), took);
    }

    /** On this host's thread: the latest step reached, stored before anyone hears of it. */
    @Override
    public void reached(List<HostStep> steps) {
        String target = target();
        String packageName = execution.snapshot().packageName;
        Step reachedNow = null;
        List<Consumer<RollStore.Change>> changes = new ArrayList<>();
        for (HostStep step : steps) {
            switch (step) {
                case CHECK, RESTART_DONE -> {
                }
                case AT_TARGET -> {
                    seen = true;
                    seenEvr = HostScript.installed(packageName, session.checked);
                }
                case UPDATE -> {
                    String from = HostScript.installed(packageName, session.checked);
                    seen = true;
                    seenEvr = from;
                    changes.add(c -> c.fromEvrIfUnset = from == null ? "none" : from);
                }
                case RESTART -> {
                    if (!session.verified.isEmpty()) {
                        seen = true;
                        seenEvr = HostScript.installed(packageName, session.verified);
                    }
                    changes.add(c -> c.toEvr = target);
                }
                case HEALTH -> {
                    if (session.restarted) {
                        changes.add(c -> c.restarts++);
                    }
                    changes.add(c -> c.toEvr = target);
                }
                default -> {
                }
            }
            if (step.reaches != null) {
                reachedNow = step.reaches;
            }
        }
        if (reachedNow == Step.VERIFY && changes.isEmpty()) {
            deferred = reachedNow;
        } else if (reachedNow != null) {
            transition(reachedNow, c -> changes.forEach(each -> each.accept(c)));
        }
    }

    private void transition(Step next, Consumer<RollStore.Change> change) {
        // A resumed host walks through CONNECT and CHECK again; the stored step must not fall
        // back below the one it had reached, or a second crash would forget that the package
        // was already changed (and take the host for "already at target", unrestarted).
        Step stored = next.compareTo(resumedFrom) < 0 ? resumedFrom : next;
        persist(c -> {
            c.step = stored;
            change.accept(c);
        });
    }

    private void end(HostStatus status, String reason) {
        end(status, reason, h -> {
        });
    }

    private void end(HostStatus status, String reason, Consumer<RollStore.Change> change) {
        persist(c -> {
            c.status = status;
            c.reason = reason;
            c.finished = true;
            change.accept(c);
        });
        services.meters().rollHost(status.name());
    }

    /**
     * Stores a change, fenced: when this execution may no longer write (lease lost or expiring,
     * shutting down) or the roll's fence moved on, nothing is written and the host is left at its
     * last stored step for the next holder, which checks it again.
     */
    private void persist(Consumer<RollStore.Change> change) {
        if (!execution.mayWrite()) {
            throw new Handover();
        }
        String text;
        synchronized (this) {
            text = log.toString();
        }
        boolean record = seen;
        String evr = seenEvr;
        seen = false;
        RollStore.Change c = new RollStore.Change();
        if (deferred != null) {
            c.step = deferred.compareTo(resumedFrom) < 0 ? resumedFrom : deferred;
            deferred = null;
        }
        change.accept(c);
        Roll roll = execution.snapshot();
        Optional<RollStore.Stored> stored = services.store().storeHost(host.id, execution.fence(), c, text,
                record ? new RollStore.Seen(roll.environment, roll.packageName, evr) : null);
        if (stored.isEmpty()) {
            execution.superseded();
            throw new Handover();
        }
        host.step = stored.get().step();
        host.fromEvr = stored.get().fromEvr();
        host.status = stored.get().status();
    }

    /** Unwinds a host's work when its roll moved to another holder. */
    static final class Handover extends RuntimeException {
        Handover() {
            super("roll handed over", null, false, false);
        }
    }
}
