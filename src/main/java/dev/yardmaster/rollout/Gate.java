package dev.yardmaster.rollout;

import dev.yardmaster.core.Names;
import java.time.Duration;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.regex.Pattern;

/**
 * A metric gate between batches: a Prometheus instant query whose every sample must compare
 * with {@link #threshold} as {@link #comparison} says, asked every {@link #interval} for
 * {@link #hold} after the canary and after each batch. The first answer that does not pass (no
 * data, an error, Prometheus unreachable: the safe side) fails the gate and halts the roll.
 *
 * @param query      PromQL, e.g. {@code sum(rate(http_errors_total[1m])) / sum(rate(http_requests_total[1m]))}
 * @param comparison how a sample must compare with the threshold to pass: {@code < <= > >= == !=}
 * @param threshold  the number the samples are compared with
 * @param hold       how long the condition must hold (0: asked once)
 * @param interval   how often it is asked while it holds
 */
public record Gate(String query, String comparison, double threshold, Duration hold, Duration interval) {

    /** Defaults of a gate's parts, for the configuration and for plans. */
    public static final String DEFAULT_COMPARISON = "<", DEFAULT_HOLD = "30s", DEFAULT_INTERVAL = "5s";

    /**
     * What a query may hold: printable ASCII, no control characters, within 1,000 characters. It is
     * sent to Prometheus as a form field, never to a shell; Prometheus parses it (a parse error
     * fails the gate with Prometheus's message).
     */
    private static final Pattern QUERY = Pattern.compile("[\\x20-\\x7e]{1,1000}");
    private static final Duration MAX_HOLD = Duration.ofHours(1);

    /** This gate if well formed, else {@code refuse}'s exception naming the part ({@code name} makes the field or property name). */
    public Gate validated(java.util.function.Function<String, String> name, HttpCheck.Refusal refuse) {
        if (query == null || query.isBlank()) {
            throw refuse.refuse(name.apply("query"), name.apply("query") + " is required (PromQL).");
        }
        if (!QUERY.matcher(query).matches()) {
            throw refuse.refuse(name.apply("query"), name.apply("query") + ": '" + Names.printable(query)
                    + "' must be printable text of at most 1000 characters.");
        }
        String unbalanced = unbalanced(query);
        if (unbalanced != null) {
            throw refuse.refuse(name.apply("query"), name.apply("query") + ": '" + Names.printable(query) + "' is not PromQL: " + unbalanced + ".");
        }
        if (comparison == null || !switch (comparison) {
            case "<", "<=", ">", ">=", "==", "!=" -> true;
            default -> false;
        }) {
            throw refuse.refuse(name.apply("comparison"), name.apply("comparison") + ": '" + Names.printable(comparison)
                    + "' is not one of < <= > >= == != (how a sample must compare with the threshold to pass).");
        }
        if (!Double.isFinite(threshold)) {
            throw refuse.refuse(name.apply("threshold"), name.apply("threshold") + " must be a finite number.");
        }
        if (hold == null || hold.isNegative() || hold.compareTo(MAX_HOLD) > 0) {
            throw refuse.refuse(name.apply("hold"), name.apply("hold") + " must be between 0s and 1h.");
        }
        if (interval == null || interval.toMillis() < 100 || interval.compareTo(MAX_HOLD) > 0) {
            throw refuse.refuse(name.apply("interval"), name.apply("interval") + " must be between 100ms and 1h.");
        }
        return this;
    }

    /** Whether a sample passes. NaN (0/0: no traffic) passes only {@code !=}. */
    public boolean passes(double value) {
        return switch (comparison) {
            case "<" -> value < threshold;
            case "<=" -> value <= threshold;
            case ">" -> value > threshold;
            case ">=" -> value >= threshold;
            case "==" -> value == threshold;
            default -> value != threshold;
        };
    }

    /** The condition as people read it: {@code sum(...) < 0.05}. */
    public String condition() {
        return query + " " + comparison + " " + number(threshold);
    }

    /** A sample or threshold as people read it: four significant digits, no trailing zeros ({@code 0.1}, {@code 0.1213}, {@code NaN}). */
    public static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";
        }
        return new BigDecimal(value, new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** Why the brackets or quotes of a query do not pair up, or null when they do. */
    static String unbalanced(String q) {
        StringBuilder open = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < q.length(); i++) {
            char c = q.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote != '`') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '"', '\'', '`' -> quote = c;
                case '(', '[', '{' -> open.append(c);
                case ')', ']', '}' -> {
                    char want = c == ')' ? '(' : c == ']' ? '[' : '{';
                    if (open.isEmpty() || open.charAt(open.length() - 1) != want) {
                        return "'" + c + "' at " + (i + 1) + " closes nothing";
                    }
                    open.setLength(open.length() - 1);
                }
                default -> {
                }
            }
        }
        if (quote != 0) {
            return "a string opened with " + quote + " is not closed";
        }
        return open.isEmpty() ? null : "'" + open.charAt(open.length() - 1) + "' is not closed";
    }
}
