package dev.yardmaster.rollout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a person or bot asks for: package, environment, target build (default: the one promoted
 * there), which hosts, and the strategy. {@link #validated} turns it into a {@link Strategy}
 * or refuses with a 400 naming the field.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record RollPlan(
        @JsonProperty("package") String packageName,
        String environment,
        /** EVR like {@code 1.2.0-1} or {@code 1:1.2.0-1}; empty = the build promoted to the environment. */
        String target,
        /** Only hosts of this node type. */
        String nodeType,
        /** Only hosts with this tag. */
        String tag,
        /** Only hosts whose name matches this glob ({@code web-*}), or one of these comma-separated globs ({@code web-1,web-7}). */
        String names,
        /** Hosts in the first (canary) batch; 0 = no canary. */
        Integer canary,
        /** After the canary batch, continue by itself after this delay ({@code 30s}); empty = wait for a person. */
        String canaryDelay,
        /** Hosts per batch after the canary: a count ({@code 10}) or a percentage of all hosts ({@code 25%}). */
        String batchSize,
        /** Hosts worked on at the same time within a batch. */
        Integer parallelism,
        /** Wait between batches ({@code 10s}). */
        String pauseBetweenBatches,
        /** Failed hosts tolerated before the roll halts: count or percent. */
        String failureBudget,
        /** Unreachable hosts tolerated before the roll halts: count or percent. */
        String unreachableBudget,
        String connectTimeout,
        String updateTimeout,
        String restartTimeout,
        String healthTimeout,
        /** The HTTP health check of this roll's service, replacing the package's configured one. */
        HealthPlan health,
        /** The metric gate between batches, replacing the environment's configured one. */
        GatePlan gate,
        /** What a halted roll does: {@code halt} (stay) or {@code rollback}; empty = the environment's default. */
        String onFailure) {

    /** What a halted roll does. */
    public enum OnFailure {
        /** Stop where it is: the hosts already done keep the new build. */
        halt,
        /** Re-promote the build the environment served before and roll every touched host back to the build it ran. */
        rollback
    }

    /** A plan's HTTP health check: {@code url} required, the rest defaults ({@link HttpCheck}). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record HealthPlan(String url, Integer port, Integer status, String body, String timeout, Integer retries) {
    }

    /** A plan's metric gate: {@code query} and {@code threshold} required, the rest defaults ({@link Gate}). */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record GatePlan(String query, String comparison, Double threshold, String hold, String interval) {
    }

    /** The longest host selection by names: room for a list of drifting hosts. */
    public static final int MAX_NAMES = 2000;
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})(ms|s|m|h)?");
    private static final Pattern AMOUNT = Pattern.compile("([0-9]{1,6})(%)?");

    /** The validated plan, as stored with the roll. */
    public record Strategy(String packageName, String environment, String nodeType, String tag, String names,
            int canary, Duration canaryDelay, String batchSize, int parallelism, Duration pauseBetweenBatches,
            String failureBudget, String unreachableBudget, Duration connectTimeout, Duration updateTimeout,
            Duration restartTimeout, Duration healthTimeout, HttpCheck health, Gate gate, OnFailure onFailure) {

        /** The same plan with another failure policy (a rollback roll halts, never rolls back). */
        public Strategy withOnFailure(OnFailure policy, int canaryHosts) {
            return new Strategy(packageName, environment, nodeType, tag, names, canaryHosts, canaryDelay, batchSize, parallelism,
                    pauseBetweenBatches, failureBudget, unreachableBudget, connectTimeout, updateTimeout, restartTimeout,
                    healthTimeout, health, gate, policy);
        }

        /** Splits hosts (in order) into batches: the canary first, then batches of the batch size. */
        public List<Integer> batchSizes(int hosts) {
            List<Integer> sizes = new ArrayList<>();
            int left = hosts;
            if (canary > 0 && left > 0) {
                sizes.add(Math.min(canary, left));
                left -= sizes.get(0);
            }
            int size = Math.max(1, amount(batchSize, hosts, true));
            while (left > 0) {
                int take = Math.min(size, left);
                sizes.add(take);
                left -= take;
            }
            return sizes;
        }

        public int maxFailures(int hosts) {
            return amount(failureBudget, hosts, false);
        }

        public int maxUnreachable(int hosts) {
            return amount(unreachableBudget, hosts, false);
        }

        /** A count, or a percentage of {@code hosts} (rounded up for batch sizes, down for budgets). */
        static int amount(String text, int hosts, boolean roundUp) {
            Matcher m = AMOUNT.matcher(text);
            if (!m.matches()) {
                throw new IllegalStateException(text);
            }
            int value = Integer.parseInt(m.group(1));
            if (m.group(2) == null) {
                return value;
            }
            return roundUp ? (int) Math.ceil(hosts * value / 100.0) : (int) Math.floor(hosts * value / 100.0);
        }
    }

    /**
     * The plan checked field by field; every field that is wrong is named, not only the first
     * (a person fixing a form fixes them all at once). Refuses with {@link Invalid}.
     */
    public Strategy validated(RollConfig defaults) {
        List<Bad> found = new ArrayList<>();
        String pkg = check(found, () -> require("package", packageName, Names.PACKAGE, "a package name like flingerator"));
        String env = check(found, () -> require("environment", environment, Names.ENVIRONMENT, "an environment name"));
        check(found, this::validatedTarget);
        String type = check(found, () -> optional("nodeType", nodeType, Names.NODE_TYPE, "a node type"));
        String t = check(found, () -> optional("tag", tag, Names.TAG, "a tag"));
        String glob = check(found, () -> {
            String g = optional("names", names, Pattern.compile("[A-Za-z0-9.*?-]{1,253}(,[A-Za-z0-9.*?-]{1,253})*"),
                    "a name glob like web-* or a comma-separated list of them");
            if (g != null && g.length() > MAX_NAMES) {
                throw bad("names", "names is longer than " + MAX_NAMES + " characters; use a glob.");
            }
            return g;
        });
        int can = canary == null ? defaults.canary() : canary;
        if (can < 0 || can > 1000) {
            found.add(bad("canary", "canary must be between 0 and 1000 hosts."));
        }
        int par = parallelism == null ? defaults.parallelism() : parallelism;
        if (par < 1 || par > defaults.maxParallelism()) {
            found.add(bad("parallelism", "parallelism must be between 1 and " + defaults.maxParallelism() + "."));
        }
        String batch = check(found, () -> amountText("batchSize", batchSize, defaults.batchSize(), true));
        String failures = check(found, () -> amountText("failureBudget", failureBudget, defaults.failureBudget(), false));
        String unreachable = check(found, () -> amountText("unreachableBudget", unreachableBudget, defaults.unreachableBudget(), false));
        Duration delay = check(found, () -> canaryDelay == null || canaryDelay.isBlank() ? null : duration("canaryDelay", canaryDelay));
        Duration pause = check(found, () -> pauseBetweenBatches == null || pauseBetweenBatches.isBlank() ? Duration.ZERO
                : duration("pauseBetweenBatches", pauseBetweenBatches));
        Duration connect = check(found, () -> timeout("connectTimeout", connectTimeout, defaults.connectTimeout()));
        Duration update = check(found, () -> timeout("updateTimeout", updateTimeout, defaults.updateTimeout()));
        Duration restart = check(found, () -> timeout("restartTimeout", restartTimeout, defaults.restartTimeout()));
        Duration healthWait = check(found, () -> timeout("healthTimeout", healthTimeout, defaults.healthTimeout()));
        HttpCheck http = check(found, () -> this.health == null ? null : health(this.health));
        Gate between = check(found, () -> this.gate == null ? null : gate(this.gate));
        OnFailure policy = check(found, () -> onFailure(env, defaults));
        if (!found.isEmpty()) {
            throw new Invalid(found);
        }
        return new Strategy(pkg, env, type, t, glob, can, delay, batch, par, pause, failures, unreachable, connect, update,
                restart, healthWait, http, between, policy);
    }

    /**
     * A plan with one or more wrong fields: 400 {@code bad-roll-plan}; {@code field} names the
     * first (as before), {@code errors} every one as {@code {field, message}}.
     */
    public static final class Invalid extends YardmasterException {
        private final List<String> messages;

        Invalid(List<Bad> found) {
            super(400, "bad-roll-plan", "Bad request",
                    String.join(" ", found.stream().map(YardmasterException::getMessage).toList()),
                    Map.of("field", found.get(0).field, "errors", found.stream()
                            .map(e -> Map.of("field", e.field, "message", e.getMessage())).toList()));
            this.messages = found.stream().map(YardmasterException::getMessage).toList();
        }

        /** Each wrong field's sentence, in the form's order. */
        public List<String> messages() {
            return messages;
        }
    }

    private static <T> T check(List<Bad> found, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (Bad e) {
            found.add(e);
            return null;
        }
    }

    private static HttpCheck health(HealthPlan h) {
        return new HttpCheck(h.url() == null ? null : h.url().strip(),
                h.port() == null ? Integer.parseInt(HttpCheck.DEFAULT_PORT) : h.port(),
                h.status() == null ? Integer.parseInt(HttpCheck.DEFAULT_STATUS) : h.status(),
                h.body() == null || h.body().isEmpty() ? null : h.body(),
                duration("health.timeout", h.timeout() == null || h.timeout().isBlank() ? HttpCheck.DEFAULT_TIMEOUT : h.timeout()),
                h.retries() == null ? Integer.parseInt(HttpCheck.DEFAULT_RETRIES) : h.retries())
                .validated(part -> "health." + part, RollPlan::bad);
    }

    private static Gate gate(GatePlan g) {
        if (g.threshold() == null) {
            throw bad("gate.threshold", "gate.threshold is required: the number the query's samples are compared with.");
        }
        return new Gate(g.query() == null ? null : g.query().strip(),
                g.comparison() == null || g.comparison().isBlank() ? Gate.DEFAULT_COMPARISON : g.comparison().strip(),
                g.threshold(),
                duration("gate.hold", g.hold() == null || g.hold().isBlank() ? Gate.DEFAULT_HOLD : g.hold()),
                duration("gate.interval", g.interval() == null || g.interval().isBlank() ? Gate.DEFAULT_INTERVAL : g.interval()))
                .validated(part -> "gate." + part, RollPlan::bad);
    }

    private OnFailure onFailure(String env, RollConfig defaults) {
        if (onFailure == null || onFailure.isBlank()) {
            return env == null ? defaults.onFailure() : defaults.onFailureIn().getOrDefault(env, defaults.onFailure());
        }
        try {
            return OnFailure.valueOf(onFailure.strip());
        } catch (IllegalArgumentException e) {
            throw bad("onFailure", "onFailure: '" + Names.printable(onFailure) + "' is not halt or rollback.");
        }
    }

    /** The explicit target, validated, or null. */
    public String validatedTarget() {
        if (target == null || target.isBlank()) {
            return null;
        }
        String evr = target.strip();
        if (!Names.EVR.matcher(evr).matches()) {
            throw bad("target", "'" + Names.printable(target) + "' is not a version-release like 1.2.0-1 (or epoch:version-release).");
        }
        return evr.startsWith("0:") ? evr.substring(2) : evr;
    }

    private static String require(String field, String value, Pattern pattern, String what) {
        if (value == null || value.isBlank()) {
            throw bad(field, field + " is required (" + what + ").");
        }
        return optional(field, value, pattern, what);
    }

    private static String optional(String field, String value, Pattern pattern, String what) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!pattern.matcher(value.strip()).matches()) {
            throw bad(field, field + ": '" + Names.printable(value) + "' is not " + what + ".");
        }
        return value.strip();
    }

    private static String amountText(String field, String value, String fallback, boolean positive) {
        String text = value == null || value.isBlank() ? fallback : value.strip();
        Matcher m = AMOUNT.matcher(text);
        if (!m.matches() || m.group(2) != null && Integer.parseInt(m.group(1)) > 100
                || positive && Integer.parseInt(m.group(1)) == 0) {
            throw bad(field, field + ": '" + Names.printable(text) + "' is not a count or a percentage"
                    + (positive ? " above 0" : "") + " (like 5 or 20%).");
        }
        return text;
    }

    private static Duration timeout(String field, String value, Duration fallback) {
        Duration d = value == null || value.isBlank() ? fallback : duration(field, value);
        if (d.isZero() || d.compareTo(Duration.ofHours(2)) > 0) {
            throw bad(field, field + " must be above 0 and at most 2h.");
        }
        return d;
    }

    static Duration duration(String field, String value) {
        Matcher m = DURATION.matcher(value.strip());
        if (!m.matches()) {
            throw bad(field, field + ": '" + Names.printable(value) + "' is not a duration like 500ms, 30s, 5m or 1h.");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static Bad bad(String field, String message) {
        return new Bad(field, message);
    }

    /** One wrong field. */
    private static final class Bad extends YardmasterException {
        final String field;

        Bad(String field, String message) {
            super(400, "bad-roll-plan", "Bad request", message, Map.of("field", field));
            this.field = field;
        }
    }
}
