package dev.yardmaster.rollout;

import dev.yardmaster.core.YardmasterException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * What a person may do to a roll, from which states, and where it leads: the state machine's
 * edges for people (the runner's own edges are in {@link RollTransitions}). Pure, so the table is
 * tested without a database.
 */
public enum RollControl {
    PAUSE("pause", EnumSet.of(RollStatus.PENDING, RollStatus.RUNNING, RollStatus.WAITING), RollStatus.PAUSED, "roll.paused"),
    RESUME("resume", EnumSet.of(RollStatus.PAUSED), RollStatus.RUNNING, "roll.resumed"),
    CONTINUE("continue", EnumSet.of(RollStatus.WAITING), RollStatus.RUNNING, "roll.continued"),
    CANCEL("cancel", RollStatus.ACTIVE, RollStatus.CANCELED, "roll.canceled"),
    RETRY("retry", RollStatus.RETRYABLE, RollStatus.RUNNING, "roll.retried");

    /** The word in URLs, messages and problem types ({@code roll-not-cancelable}). */
    public final String verb;
    public final Set<RollStatus> from;
    public final RollStatus to;
    /** The audit action. */
    public final String action;

    RollControl(String verb, Set<RollStatus> from, RollStatus to, String action) {
        this.verb = verb;
        this.from = Collections.unmodifiableSet(EnumSet.copyOf(from));
        this.to = to;
        this.action = action;
    }

    /** Whether a roll in {@code status} can take this control. */
    public boolean allows(RollStatus status) {
        return from.contains(status);
    }

    /** Refuses with 409 problem+json when a roll in {@code status} cannot take this control. */
    public void check(long rollId, RollStatus status) {
        if (!allows(status)) {
            throw new YardmasterException(409, "roll-not-" + verb + "able", "Conflict", "Roll " + rollId + " is "
                    + status.name().toLowerCase() + "; it cannot " + verb + " now.", Map.of("status", status.name()));
        }
    }
}
