package dev.yardmaster.rollout;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where one host of a roll is; each fault has its own value so the grid and the budget can tell
 * them apart. The sets below are the only home of "which states count as what": SQL gets them
 * through {@link #sql}, the browser through the {@code complete}/{@code failure} flags of every
 * HostChanged event.
 */
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

    /** Not finished: waiting for its turn or being worked on. */
    public static final Set<HostStatus> OPEN = Collections.unmodifiableSet(EnumSet.of(PENDING, RUNNING));
    /** Counts against the failure budget. */
    public static final Set<HostStatus> FAILURE = Collections.unmodifiableSet(EnumSet.of(FAILED, HOST_KEY_CHANGED, TIMED_OUT, UNHEALTHY));
    /** Counts against the unreachable budget. */
    public static final Set<HostStatus> UNREACHED = Collections.unmodifiableSet(EnumSet.of(UNREACHABLE));
    /** Runs the roll's target at the end: what a SUCCEEDED roll needs of every host in scope. */
    public static final Set<HostStatus> AT_TARGET_NOW = Collections.unmodifiableSet(EnumSet.of(SUCCEEDED, AT_TARGET));
    /** Out of the roll's scope at its turn (terminated spot instance, removed host): neither success nor failure. */
    public static final Set<HostStatus> OUT_OF_SCOPE = Collections.unmodifiableSet(EnumSet.of(SKIPPED));
    /** What "retry failed hosts" picks up: failures and unreachable hosts. */
    public static final Set<HostStatus> RETRYABLE;

    static {
        EnumSet<HostStatus> retryable = EnumSet.copyOf(FAILURE);
        retryable.addAll(UNREACHED);
        RETRYABLE = Collections.unmodifiableSet(retryable);
    }

    public boolean isComplete() {
        return !OPEN.contains(this);
    }

    public boolean isFailure() {
        return FAILURE.contains(this);
    }

    public boolean isUnreachable() {
        return UNREACHED.contains(this);
    }

    public boolean isRetryable() {
        return RETRYABLE.contains(this);
    }

    /** A set as an SQL list of literals, {@code ('FAILED', 'TIMED_OUT')}, for statements built once. */
    public static String sql(Set<HostStatus> set) {
        return set.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
