package dev.yardmaster.ssh;

import java.time.Duration;

/**
 * How a remote command ended: its exit status ({@code null} when it was killed or the
 * connection dropped), whether it ran out of time, and how long it took.
 */
public record ExecResult(Integer exitStatus, boolean timedOut, boolean canceled, Duration elapsed) {

    public boolean succeeded() {
        return !timedOut && !canceled && exitStatus != null && exitStatus == 0;
    }
}
