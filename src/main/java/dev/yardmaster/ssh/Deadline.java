package dev.yardmaster.ssh;

import java.time.Duration;

/**
 * When a remote command runs out of time. Movable while the command runs, from any thread (an
 * output listener moves it when a script reaches its next step).
 */
public final class Deadline {

    private volatile long at;

    private Deadline(long at) {
        this.at = at;
    }

    /** A deadline {@code timeout} from now. */
    public static Deadline in(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    /** Moves the deadline to {@code timeout} from now, earlier or later than it was. */
    public void reset(Duration timeout) {
        at = System.nanoTime() + timeout.toNanos();
    }

    /** The time left, zero once the deadline has passed. */
    public Duration left() {
        long left = at - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }
}
