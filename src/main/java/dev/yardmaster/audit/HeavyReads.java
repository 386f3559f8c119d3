package dev.yardmaster.audit;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits how often one principal may start a chain walk or an export (each reads up to the
 * whole log): at most {@code yardmaster.audit.heavy-reads-per-minute} in any sliding minute, per
 * replica. Beyond that the caller is told when the oldest of its reads leaves the window.
 */
@ApplicationScoped
public class HeavyReads {

    private static final Duration WINDOW = Duration.ofMinutes(1);
    private final Map<String, Deque<Long>> started = new ConcurrentHashMap<>();
    private final AuditConfig config;

    HeavyReads(AuditConfig config) {
        this.config = config;
    }

    /** Counts a read by {@code principal}; empty when admitted, else how long to wait. */
    public Optional<Duration> admit(String principal) {
        long now = System.nanoTime();
        Deque<Long> times = started.computeIfAbsent(principal, p -> new ArrayDeque<>());
        synchronized (times) {
            while (!times.isEmpty() && now - times.peekFirst() >= WINDOW.toNanos()) {
                times.pollFirst();
            }
            if (times.size() >= config.heavyReadsPerMinute()) {
                long waitNanos = WINDOW.toNanos() - (now - times.peekFirst());
                return Optional.of(Duration.ofSeconds(Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L)));
            }
            times.addLast(now);
            return Optional.empty();
        }
    }
}
