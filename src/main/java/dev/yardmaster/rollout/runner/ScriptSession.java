package dev.yardmaster.rollout.runner;

import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.ssh.Deadline;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.OutputListener;
import dev.yardmaster.ssh.RemoteCommand;
import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One run of a host's script: reads its step markers (only those with this run's random nonce),
 * moves the deadline as each step starts (each step's timeout starts at its marker), and hands
 * the steps reached to the host's thread in order. The markers arrive on the SSH client's I/O
 * thread, which must not wait for the database: they go through a queue to the host's thread,
 * which stores them.
 */
final class ScriptSession {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The host's side: the log, and the steps reached (called on the host's thread). */
    interface Host {
        void note(String line);

        void reached(List<HostStep> steps);

        /** A step of the script ended after {@code took} (called on the SSH client's I/O thread). */
        void stepTook(HostStep step, Duration took);
    }

    /** A fresh nonce for one run: 64 random bits, hex. */
    static String nonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    final String nonce = nonce();
    private final String name;
    private final RollPlan.Strategy strategy;
    private final Host host;
    private final java.util.function.Function<HostStep, RemoteCommand> commands;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** What rpm -q printed at the check and after the update (or the exact install). */
    final List<String> checked = new CopyOnWriteArrayList<>();
    final List<String> verified = new CopyOnWriteArrayList<>();
    /** The last marker handed over: the step the script was in when it ended. */
    HostStep last;
    /** The time of the step the script is in, for the message when it runs out. */
    volatile Duration timeout;
    volatile long healthStarted;
    /** A restart ran in this run. */
    volatile boolean restarted;
    private volatile HostStep seen;
    private volatile long markAt = System.nanoTime();
    private volatile long execStarted = System.nanoTime();

    ScriptSession(String name, RollPlan.Strategy strategy, Host host, java.util.function.Function<HostStep, RemoteCommand> commands) {
        this.name = name;
        this.strategy = strategy;
        this.host = host;
        this.commands = commands;
    }

    ExecResult exec(SshConnection c, RemoteCommand script) throws SshFailure {
        timeout = strategy.connectTimeout().multipliedBy(2);
        Deadline deadline = Deadline.in(timeout);
        execStarted = System.nanoTime();
        Thread.ofVirtual().name("host-script-" + name).start(() -> {
            try {
                queue.add(c.exec(script, deadline, (stream, line) -> output(stream, line, deadline)));
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
            List<HostStep> steps = new ArrayList<>();
            Object end = null;
            for (Object o : items) {
                if (o instanceof HostStep step) {
                    steps.add(step);
                } else {
                    end = o;
                }
            }
            if (!steps.isEmpty()) {
                last = steps.getLast();
                host.reached(steps);
            }
            if (end instanceof SshFailure failure) {
                throw failure;
            } else if (end != null) {
                ExecResult result = (ExecResult) end;
                if (seen != null && seen.reaches != null && result.succeeded()) {
                    host.stepTook(seen, Duration.ofNanos(System.nanoTime() - markAt));
                }
                host.note(result.timedOut() ? "(timed out after " + HostOutcome.human(timeout) + ", killed)"
                        : result.canceled() ? "(interrupted)"
                        : "(exit " + result.exitStatus() + ", " + (System.nanoTime() - markAt) / 1_000_000 + " ms)");
                return result;
            }
        }
    }

    /** On the I/O thread: a marker moves the deadline and is queued; other lines are output. */
    private void output(OutputListener.Stream stream, String line, Deadline deadline) {
        boolean stdout = stream == OutputListener.Stream.STDOUT;
        HostStep step = stdout ? HostStep.of(line, nonce) : null;
        if (step != null) {
            if (step == HostStep.RESTART) {
                restarted = true;
            } else if (step == HostStep.INSTALL) {
                verified.clear(); // the verify after the install is the one that counts
            }
            Duration t = step.timeout(strategy, restarted);
            if (!t.isZero()) {
                timeout = t;
                deadline.reset(t);
            }
            marked(step);
            queue.add(step);
            return;
        }
        if (stdout && seen == HostStep.CHECK) {
            checked.add(line.strip());
        } else if (stdout && seen == HostStep.VERIFY) {
            verified.add(line.strip());
        }
        host.note(stdout ? line : "! " + line);
    }

    /** In the log, on the I/O thread: the end of the step before and the command of this one. */
    private void marked(HostStep step) {
        long now = System.nanoTime();
        if (seen == null) {
            host.note("(the script answered after " + (now - execStarted) / 1_000_000 + " ms)");
        }
        if (seen != null && seen != HostStep.AT_TARGET) {
            host.note("(exit 0, " + (now - markAt) / 1_000_000 + " ms)");
        }
        if (seen != null && seen.reaches != null) {
            host.stepTook(seen, Duration.ofNanos(now - markAt));
        }
        markAt = now;
        seen = step;
        if (step == HostStep.HEALTH) {
            healthStarted = now;
        }
        host.note(switch (step) {
            case AT_TARGET -> "(already at the target)";
            case RESTART_DONE -> "(the service started after the package was installed: the restart is done, not repeated)";
            default -> "$ " + commands.apply(step);
        });
    }
}
