package dev.yardmaster.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The application's meters, one name and tag set per fact, so dashboards and alerts do not
 * depend on which feature recorded it. Exposed at /q/metrics in Prometheus format (dots
 * become underscores, counters get {@code _total}, timers {@code _seconds}).
 */
@ApplicationScoped
public class Meters {

    /** Hosts that reached a state in a roll; tag {@code state} (lower-case host status). */
    public static final String ROLL_HOSTS = "yardmaster.rolls.hosts";
    /** Rolls that ended; tag {@code outcome} (lower-case roll status: succeeded, succeeded_with_failures, failed, canceled). */
    public static final String ROLLS = "yardmaster.rolls";
    /** Time one step took on one host; tag {@code step}; published as a histogram. */
    public static final String ROLL_STEP_DURATION = "yardmaster.roll.step.duration";
    /** Promotion attempts; tag {@code outcome} (applied, refused, failed, ...). */
    public static final String PROMOTIONS = "yardmaster.promotions";
    /** Scans of the build directory; tag {@code outcome} (ok, failed). */
    public static final String SCANS = "yardmaster.scans";
    /** SSH connections opened; tag {@code outcome} (ok, refused, timeout, host-key, auth, failed). */
    public static final String SSH_CONNECTIONS = "yardmaster.ssh.connections";

    /** Tag values are short lower-case words: a typo'd or user-supplied value must not explode cardinality. */
    private static final Pattern TAG_VALUE = Pattern.compile("[a-z][a-z0-9_-]{0,39}");

    private final MeterRegistry registry;

    public Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts a host of a roll reaching {@code state} (e.g. SUCCEEDED). */
    public void rollHost(String state) {
        counter(ROLL_HOSTS, "Hosts that reached a state in a roll", "state", state).increment();
    }

    /** Counts a roll reaching its end {@code status} (e.g. SUCCEEDED_WITH_FAILURES). */
    public void roll(String status) {
        counter(ROLLS, "Rolls that ended, by outcome", "outcome", status).increment();
    }

    /** Records how long {@code step} (e.g. UPDATE, RESTART, VERIFY) took on one host. */
    public void rollStep(String step, Duration took) {
        Timer.builder(ROLL_STEP_DURATION).description("Time one roll step took on one host")
                .tag("step", tagValue(step))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(50))
                .maximumExpectedValue(Duration.ofMinutes(30))
                .register(registry).record(took);
    }

    /** Counts a promotion attempt with its {@code outcome}. */
    public void promotion(String outcome) {
        counter(PROMOTIONS, "Promotion attempts by outcome", "outcome", outcome).increment();
    }

    /** Counts a scan of the build directory with its {@code outcome}. */
    public void scan(String outcome) {
        counter(SCANS, "Scans of the build directory by outcome", "outcome", outcome).increment();
    }

    /** Counts an SSH connection attempt with its {@code outcome}. */
    public void sshConnection(String outcome) {
        counter(SSH_CONNECTIONS, "SSH connection attempts by outcome", "outcome", outcome).increment();
    }

    private Counter counter(String name, String description, String tag, String value) {
        return Counter.builder(name).description(description).tag(tag, tagValue(value)).register(registry);
    }

    static String tagValue(String value) {
        String v = value == null ? "" : value.toLowerCase(Locale.ROOT);
        if (!TAG_VALUE.matcher(v).matches()) {
            throw new IllegalArgumentException("meter tag value must match " + TAG_VALUE + ": " + value);
        }
        return v;
    }
}
