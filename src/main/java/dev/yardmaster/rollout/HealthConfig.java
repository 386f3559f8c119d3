package dev.yardmaster.rollout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Health checks per package, beyond the command check ({@code yardmaster.rolls.health-command}):
 * {@code yardmaster.rolls.health."<package>".http-url=http://{address}:{port}/healthz}. A roll
 * plan's {@code health} replaces its package's check. See {@link HttpCheck} for where it runs.
 */
@ConfigMapping(prefix = "yardmaster.rolls.health")
public interface HealthConfig {

    /** Per package (the key): the HTTP check its service must pass after the restart. */
    @WithParentName
    Map<String, PackageCheck> packages();

    /** One package's HTTP check. */
    interface PackageCheck {
        /**
         * URL template, GET from the host itself with curl: {@code http(s)://HOST[:PORT]/path}, HOST one of
         * {@code {host}} (inventory name), {@code {address}} or a host name, PORT {@code {port}} or a number; the
         * path may hold {@code {service}} and {@code {package}}. Unset: the command check only.
         */
        Optional<String> httpUrl();

        /** What {port} stands for in the URL. */
        @WithDefault(HttpCheck.DEFAULT_PORT)
        int httpPort();

        /** The HTTP status that passes. */
        @WithDefault(HttpCheck.DEFAULT_STATUS)
        int httpStatus();

        /** An extended regular expression (grep -E) a line of the answer must match; unset: any body. */
        Optional<String> httpBody();

        /** One request's time limit. */
        @WithDefault(HttpCheck.DEFAULT_TIMEOUT)
        Duration httpTimeout();

        /** Attempts after the first, a second apart, within one health check. */
        @WithDefault(HttpCheck.DEFAULT_RETRIES)
        int httpRetries();
    }

    /** The package's check, validated, or empty when it has none. */
    default Optional<HttpCheck> check(String packageName) {
        PackageCheck c = packages().get(packageName);
        if (c == null || c.httpUrl().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HttpCheck(c.httpUrl().get(), c.httpPort(), c.httpStatus(), c.httpBody().orElse(null),
                c.httpTimeout(), c.httpRetries()).validated(part -> "yardmaster.rolls.health.\"" + packageName + "\".http-" + part, (field, message) -> new IllegalArgumentException(message)));
    }
}
