package dev.yardmaster.rollout.runner;

import dev.yardmaster.rollout.HostScript;
import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.SshFailure;
import java.time.Duration;

/**
 * How a host's script ended, as the host's status and reason: the classification rules in one
 * pure place (tested without a database or a host). {@link #health()} says the script reached the
 * health check, which the runner then repeats until it passes or its time is up.
 */
public record HostOutcome(HostStatus status, String reason, boolean health) {

    static HostOutcome end(HostStatus status, String reason) {
        return new HostOutcome(status, reason, false);
    }

    /** The script's end. {@code last}: the last marker seen (null: none); {@code verified}: what rpm -q said after the update. */
    public static HostOutcome of(ExecResult result, HostStep last, HostScript.AtTarget atTarget, String target,
            String verified, Duration timeout, String command, String lastLine) {
        if (result.canceled()) {
            return end(HostStatus.CANCELED, last == null || last.checking() ? "interrupted" : last.what + " interrupted by cancel");
        }
        if (last == HostStep.HEALTH) {
            return new HostOutcome(null, null, true);
        }
        if (result.timedOut()) {
            return end(HostStatus.TIMED_OUT, switch (last) {
                case null -> "the host's script did not start within " + human(timeout) + "; it was killed";
                case CHECK, VERIFY -> "rpm -q did not answer within " + human(timeout) + " (killed)";
                default -> last.what + " did not finish within " + human(timeout) + "; its command was killed";
            });
        }
        if (last == HostStep.AT_TARGET && atTarget == HostScript.AtTarget.STOP && result.succeeded()) {
            return end(HostStatus.AT_TARGET, "already runs " + target);
        }
        if (last == HostStep.VERIFY) {
            return end(HostStatus.FAILED, "after the update rpm -q says " + (verified == null ? "not installed" : verified)
                    + ", expected " + target);
        }
        return end(HostStatus.FAILED, last == null || last.checking() || last == HostStep.RESTART_DONE
                ? "the host's script failed: exited " + result.exitStatus() + lastLine
                : last.what + " failed: '" + command + "' exited " + result.exitStatus() + lastLine);
    }

    /** The status of a host whose SSH connection could not be made. */
    public static HostStatus ofConnectFailure(SshFailure.Kind kind) {
        return switch (kind) {
            case UNREACHABLE, DISCONNECTED -> HostStatus.UNREACHABLE;
            case HOST_KEY_CHANGED -> HostStatus.HOST_KEY_CHANGED;
            case TIMEOUT -> HostStatus.TIMED_OUT;
            default -> HostStatus.FAILED;
        };
    }

    /** The status of a host whose connection failed while its script ran. */
    public static HostStatus ofSessionFailure(SshFailure.Kind kind) {
        return kind == SshFailure.Kind.TIMEOUT ? HostStatus.TIMED_OUT : HostStatus.UNREACHABLE;
    }

    static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
