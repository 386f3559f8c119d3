package dev.yardmaster.rollout;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a roll is. Active ones hold the package+environment slot and a lease; complete ones never
 * change again, except by "retry failed". The sets are the only home of these rules: the leases'
 * SQL, the entity's finders and the browser (the {@code complete} flag of RollChanged) read them
 * from here.
 */
public enum RollStatus {
    PENDING, RUNNING,
    /** The canary batch is done; a person continues the roll (or the automatic delay passes). */
    WAITING,
    /** Paused by a person: no host is started until resumed. */
    PAUSED,
    /** Every host in scope runs the target (hosts gone from the inventory aside). */
    SUCCEEDED,
    /**
     * Got through every host, but some do not run the target (failed or unreachable within the
     * budget): never reported as SUCCEEDED. Retrying the failed hosts continues it.
     */
    SUCCEEDED_WITH_FAILURES,
    /** Halted: the failure budget is spent (or a gate failed). Retrying the failed hosts continues it. */
    FAILED,
    CANCELED;

    /** Holds the package+environment slot; a runner holds its lease. */
    public static final Set<RollStatus> ACTIVE = Collections.unmodifiableSet(EnumSet.of(PENDING, RUNNING, WAITING, PAUSED));
    /** Never changes again, except by retry. */
    public static final Set<RollStatus> TERMINAL = Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.copyOf(ACTIVE)));
    /** A person may retry its failed hosts. */
    public static final Set<RollStatus> RETRYABLE = TERMINAL;
    /** Ended with hosts off the target: shown and announced as a failure (amber or red, never green). */
    public static final Set<RollStatus> FAILURE = Collections.unmodifiableSet(EnumSet.of(SUCCEEDED_WITH_FAILURES, FAILED));
    /** A failing gate (after the canary, while it waits, or after a batch) or a spent budget may still halt it. */
    public static final Set<RollStatus> HALTABLE = Collections.unmodifiableSet(EnumSet.of(RUNNING, WAITING, PAUSED));

    public boolean isActive() {
        return ACTIVE.contains(this);
    }

    public boolean isComplete() {
        return TERMINAL.contains(this);
    }

    public boolean isFailure() {
        return FAILURE.contains(this);
    }

    /** How people read it: {@code succeeded with failures}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** A set as an SQL list of literals, {@code ('PENDING', 'RUNNING')}, for statements built once. */
    public static String sql(Set<RollStatus> set) {
        return set.stream().map(s -> "'" + s.name() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
