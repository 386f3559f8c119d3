package dev.yardmaster.rollout;

/** Where a roll is. Active ones hold the package+environment slot; complete ones never change again, except by "retry failed". */
public enum RollStatus {
    PENDING, RUNNING,
    /** The canary batch is done; a person continues the roll (or the automatic delay passes). */
    WAITING,
    /** Paused by a person: no host is started until resumed. */
    PAUSED,
    SUCCEEDED,
    /** Halted: the failure budget is spent. Retrying the failed hosts continues it. */
    FAILED,
    CANCELED;

    public boolean isActive() {
        return this == PENDING || this == RUNNING || this == WAITING || this == PAUSED;
    }

    public boolean isComplete() {
        return !isActive();
    }
}
