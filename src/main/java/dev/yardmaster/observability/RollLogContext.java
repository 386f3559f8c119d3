package dev.yardmaster.observability;

import org.jboss.logging.MDC;

/**
 * Puts a roll's id on every log line written while it is open: MDC key {@code roll.id} with the
 * value {@code "roll=<id> "}, which the console format prints in front of the message
 * ({@code %X{roll.id}%s}) and JSON logs carry as {@code "mdc":{"roll.id":"roll=42 "}}. Use around
 * all work for a roll: {@code try (var ignored = RollLogContext.open(roll.id)) { ... }}.
 * Restores what was there, so nested use on a shared thread is safe.
 */
public final class RollLogContext implements AutoCloseable {

    /** The MDC key, printed by quarkus.log.console.format as %X{roll.id}. */
    public static final String KEY = "roll.id";

    private final Object previous;

    private RollLogContext(Object previous) {
        this.previous = previous;
    }

    /** Sets {@code roll.id} for the current thread until {@link #close()}. */
    public static RollLogContext open(long rollId) {
        Object previous = MDC.get(KEY);
        MDC.put(KEY, value(rollId));
        return new RollLogContext(previous);
    }

    /** The MDC value for a roll: a prefix for the console format, greppable in JSON logs. */
    public static String value(long rollId) {
        return "roll=" + rollId + " ";
    }

    @Override
    public void close() {
        if (previous == null) {
            MDC.remove(KEY);
        } else {
            MDC.put(KEY, previous);
        }
    }
}
