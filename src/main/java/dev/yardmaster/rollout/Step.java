package dev.yardmaster.rollout;

/** The steps of one host, in order. The step is persisted before it runs, so a resumed roll knows where each host was. */
public enum Step {
    QUEUED, CONNECT, CHECK, UPDATE, VERIFY, RESTART, HEALTH, DONE;

    /** True when this step or a later one was reached: the package may already have been changed. */
    public boolean reached(Step other) {
        return compareTo(other) >= 0;
    }
}
