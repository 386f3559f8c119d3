package dev.yardmaster.notification;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Outbound webhooks for chatops: every audit event whose action matches an endpoint's event
 * patterns is POSTed there as JSON, signed with HMAC-SHA256.
 */
@ConfigMapping(prefix = "yardmaster.webhooks")
public interface WebhookConfig {

    /** Endpoints by name, e.g. {@code yardmaster.webhooks.endpoints.chat.url=https://chat.example/hook}. */
    Map<String, Endpoint> endpoints();

    /** How often due deliveries are looked for. */
    @WithDefault("2s")
    Duration pollInterval();

    /** Attempts per delivery before it is marked failed. */
    @WithDefault("8")
    int maxAttempts();

    /** Delay before the first retry; doubled after each failed attempt. */
    @WithDefault("5s")
    Duration initialBackoff();

    /** Upper bound of the retry delay. */
    @WithDefault("10m")
    Duration maxBackoff();

    /** Time allowed for one delivery (connect plus response). */
    @WithDefault("10s")
    Duration timeout();

    /** One webhook endpoint. */
    interface Endpoint {
        /** Where to POST. */
        String url();

        /**
         * Audit actions to send: exact names or prefixes ending in {@code *}
         * ({@code promotion.*}, {@code roll.*}, {@code request.refused}); {@code *} sends all.
         */
        @WithDefault("*")
        List<String> events();

        /** Key for the {@code X-Yardmaster-Signature: sha256=<hex HMAC of the body>} header. */
        Optional<String> secret();
    }
}
