package dev.yardmaster.notification;

import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The webhook delivery log: what was sent where, how often, and how it went. */
@Path("/api/webhooks")
@Tag(name = "Webhooks")
@RolesAllowed(Roles.RELEASE_MANAGER)
public class WebhookResource {

    public record Endpoint(String name, String url, List<String> events, boolean signed) {
    }

    public record Delivery(long id, String endpoint, long auditEventId, String eventType, String status, int attempts,
            OffsetDateTime nextAttemptAt, Integer lastStatus, String lastError, OffsetDateTime createdAt,
            OffsetDateTime deliveredAt) {
        static Delivery of(WebhookDelivery d) {
            return new Delivery(d.id, d.endpoint, d.auditEventId, d.eventType, d.status.name(), d.attempts,
                    d.nextAttemptAt, d.lastStatus, d.lastError, d.createdAt, d.deliveredAt);
        }
    }

    private final WebhookConfig config;

    WebhookResource(WebhookConfig config) {
        this.config = config;
    }

    @GET
    @Path("/endpoints")
    @Operation(summary = "Configured endpoints (secrets are never shown)")
    public List<Endpoint> endpoints() {
        return config.endpoints().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> new Endpoint(e.getKey(), e.getValue().url(), e.getValue().events(), e.getValue().secret().isPresent()))
                .toList();
    }

    @GET
    @Path("/deliveries")
    @Operation(summary = "Delivery log, newest first")
    public List<Delivery> deliveries(@QueryParam("endpoint") String endpoint, @QueryParam("status") String status,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        if (status != null && !status.isBlank() && !Set.of("pending", "delivered", "failed").contains(status)) {
            throw YardmasterException.badRequest("invalid-status", "status must be pending, delivered or failed.");
        }
        if (limit < 1 || limit > 1000) {
            throw YardmasterException.badRequest("invalid-limit", "limit must be between 1 and 1000.");
        }
        return WebhookDelivery.newestFirst(endpoint, status, limit).stream().map(Delivery::of).toList();
    }
}
