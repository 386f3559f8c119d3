package dev.yardmaster.notification;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.audit.AuditEvent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Sends audit events to the configured webhook endpoints. Deliveries are queued in the
 * transaction that records the event (an outbox) and sent by whichever replica claims them
 * first, with exponential backoff between attempts. The HTTP call happens outside any
 * database transaction: a claim is a short lease on the row, not a held lock.
 */
@ApplicationScoped
public class Webhooks {

    private static final Logger LOG = Logger.getLogger(Webhooks.class);
    static final String SIGNATURE_HEADER = "X-Yardmaster-Signature";
    private static final int BATCH = 20;

    private final WebhookConfig config;
    private final ObjectMapper json;
    private final HttpClient http;

    Webhooks(WebhookConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    /** Queues one delivery per endpoint that wants this kind of event, in the caller's transaction. */
    void enqueue(@Observes AuditEvent event) {
        config.endpoints().forEach((name, endpoint) -> {
            if (wants(endpoint.events(), event.action)) {
                WebhookDelivery delivery = new WebhookDelivery();
                delivery.endpoint = name;
                delivery.auditEventId = event.id;
                delivery.eventType = event.action;
                delivery.nextAttemptAt = OffsetDateTime.now(ZoneOffset.UTC);
                delivery.persist();
            }
        });
    }

    static boolean wants(List<String> patterns, String action) {
        for (String pattern : patterns) {
            String p = pattern.strip();
            if (p.equals("*") || p.equals(action) || (p.endsWith("*") && action.startsWith(p.substring(0, p.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    private record Claimed(long id, String endpoint, String eventType, int attempt, byte[] body) {
    }

    @Scheduled(every = "${yardmaster.webhooks.poll-interval:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = NoEndpoints.class)
    void deliverDue() {
        List<Claimed> claimed = QuarkusTransaction.requiringNew().call(this::claim);
        for (Claimed delivery : claimed) {
            send(delivery);
        }
    }

    private List<Claimed> claim() throws Exception {
        List<Claimed> claimed = new ArrayList<>();
        OffsetDateTime lease = OffsetDateTime.now(ZoneOffset.UTC).plus(config.timeout().multipliedBy(3));
        for (WebhookDelivery delivery : WebhookDelivery.claimDue(BATCH)) {
            if (!config.endpoints().containsKey(delivery.endpoint)) {
                delivery.status = WebhookDelivery.Status.failed;
                delivery.lastError = "endpoint '" + delivery.endpoint + "' is no longer configured";
                continue;
            }
            delivery.attempts++;
            delivery.nextAttemptAt = lease;
            AuditEvent event = AuditEvent.findById(delivery.auditEventId);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("deliveryId", delivery.id);
            body.put("type", delivery.eventType);
            body.put("attempt", delivery.attempts);
            body.put("event", event);
            claimed.add(new Claimed(delivery.id, delivery.endpoint, delivery.eventType, delivery.attempts,
                    json.writeValueAsBytes(body)));
        }
        return claimed;
    }

    private void send(Claimed delivery) {
        WebhookConfig.Endpoint endpoint = config.endpoints().get(delivery.endpoint());
        Integer status = null;
        String error = null;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Yardmaster-Webhooks")
                    .header("X-Yardmaster-Event", delivery.eventType())
                    .header("X-Yardmaster-Delivery", Long.toString(delivery.id()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
            endpoint.secret().ifPresent(secret -> request.header(SIGNATURE_HEADER, "sha256=" + sign(secret, delivery.body())));
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            status = response.statusCode();
            if (status < 200 || status >= 300) {
                error = "endpoint answered HTTP " + status;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted";
        } catch (Exception e) {
            // The message names the failure (timeout, refused); never the secret or the body.
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        record(delivery, status, error);
    }

    private void record(Claimed claimed, Integer status, String error) {
        QuarkusTransaction.requiringNew().run(() -> {
            WebhookDelivery delivery = WebhookDelivery.findById(claimed.id());
            delivery.lastStatus = status;
            delivery.lastError = error == null ? null : truncate(error, 500);
            OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
            if (error == null) {
                delivery.status = WebhookDelivery.Status.delivered;
                delivery.deliveredAt = now;
            } else if (claimed.attempt() >= config.maxAttempts()) {
                delivery.status = WebhookDelivery.Status.failed;
                LOG.warnf("Webhook delivery %d to %s failed for good after %d attempts: %s", claimed.id(),
                        claimed.endpoint(), claimed.attempt(), error);
            } else {
                delivery.nextAttemptAt = now.plus(backoff(claimed.attempt()));
            }
        });
    }

    /** initial × 2^(attempt-1), capped. */
    Duration backoff(int attempt) {
        Duration delay = config.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
        return delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay;
    }

    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    private static String truncate(String value, int max) {
        return value.length() <= max ? value : value.substring(0, max);
    }

    /** Skips the poll entirely when no endpoint is configured. */
    @ApplicationScoped
    static class NoEndpoints implements Scheduled.SkipPredicate {
        private final WebhookConfig config;

        NoEndpoints(WebhookConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return config.endpoints().isEmpty();
        }
    }
}
