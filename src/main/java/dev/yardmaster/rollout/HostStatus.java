package dev.yardmaster.rollout;

/** Where one host of a roll is; each fault has its own value so the grid and the budget can tell them apart. */
public enum HostStatus {
    PENDING, RUNNING,
    SUCCEEDED,
    /** Already ran the target: not touched. */
    AT_TARGET,
    /** Gone from the inventory at its turn (terminated spot instance, removed host). */
    SKIPPED,
    /** A command failed (yum, rpm verification, restart, authentication). */
    FAILED,
    /** Nothing answered (refused, reset); counted against its own budget. */
    UNREACHABLE,
    /** The server's key differs from known_hosts: refused. */
    HOST_KEY_CHANGED,
    /** A step ran out of time; its command was killed. */
    TIMED_OUT,
    /** Restarted, but the health check never passed. */
    UNHEALTHY,
    CANCELED;

    public boolean isComplete() {
        return this != PENDING && this != RUNNING;
    }

    /** Counts against the failure budget. */
    public boolean isFailure() {
        return this == FAILED || this == HOST_KEY_CHANGED || this == TIMED_OUT || this == UNHEALTHY;
    }

    public boolean isUnreachable() {
        return this == UNREACHABLE;
    }

    /** What "retry failed hosts" picks up. */
    public boolean isRetryable() {
        return isFailure() || isUnreachable();
    }
}
