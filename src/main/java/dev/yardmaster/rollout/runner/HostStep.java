package dev.yardmaster.rollout.runner;

import dev.yardmaster.rollout.HostScript;
import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.rollout.Step;
import java.time.Duration;
import java.util.Locale;

/**
 * What the host script says as it goes ({@code @@yardmaster-<nonce> <word>}): for each marker the
 * word, what the step is called in messages, the stored {@link Step} it reaches, and the time
 * it gets from its marker on. One table instead of a switch per question.
 */
public enum HostStep {
    CHECK("check", null),
    AT_TARGET("check", null),
    UPDATE("update", Step.UPDATE),
    VERIFY("verify", Step.VERIFY),
    /** Back to the update step, with the exact install as its command. */
    INSTALL("install", Step.UPDATE),
    /** The host shows the restart after the install is done: not restarted again. */
    RESTART_DONE("restart", null),
    RESTART("restart", Step.RESTART),
    HEALTH("health check", Step.HEALTH);

    /** The step's name in messages ("update failed: ..."). */
    public final String what;
    /** The stored step this marker reaches; null: nothing to store. */
    public final Step reaches;

    HostStep(String what, Step reaches) {
        this.what = what;
        this.reaches = reaches;
    }

    /** The marker's word: {@code at-target}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the script was still checking (nothing changed on the host yet). */
    public boolean checking() {
        return this == CHECK || this == AT_TARGET;
    }

    /** The step on a line of stdout, when it is a marker of the run with this nonce; else null. */
    public static HostStep of(String line, String nonce) {
        String prefix = HostScript.MARK + nonce + " ";
        if (!line.startsWith(prefix)) {
            return null;
        }
        String word = line.substring(prefix.length()).strip();
        for (HostStep step : values()) {
            if (step.word().equals(word)) {
                return step;
            }
        }
        return null;
    }

    /**
     * The time this step gets from its marker on; zero: the step before's time goes on. The
     * restart and the first health check share the restart's time, as when they were one step;
     * without a restart the check gets the health timeout.
     */
    public Duration timeout(RollPlan.Strategy strategy, boolean restarted) {
        return switch (this) {
            case CHECK, AT_TARGET, RESTART_DONE -> strategy.connectTimeout().multipliedBy(2);
            case UPDATE, INSTALL -> strategy.updateTimeout();
            case VERIFY -> Duration.ZERO;
            case RESTART -> strategy.restartTimeout();
            case HEALTH -> restarted ? Duration.ZERO : strategy.healthTimeout();
        };
    }
}
