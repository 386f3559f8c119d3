package dev.yardmaster.audit;

import dev.yardmaster.security.Roles;
import dev.yardmaster.web.YardmasterException;
import io.quarkus.panache.common.Parameters;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log for reviewers and bots: filtered reads and the hash-chain check. */
@Path("/api/audit")
@Tag(name = "Audit")
@RolesAllowed(Roles.VIEWER)
public class AuditResource {

    public record Page(List<AuditEvent> events, Long nextCursor) {
    }

    private final AuditLog auditLog;

    AuditResource(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    @GET
    @Operation(summary = "Audit events, newest first", description = "Filter by actor, action, environment, package and time range; page with the returned nextCursor.")
    public Page list(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("cursor") Long cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw YardmasterException.badRequest("invalid-limit", "limit must be between 1 and 500.");
        }
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (actor != null && !actor.isBlank()) {
            where.add("(actor = :actor or onBehalfOf = :actor)");
            params.and("actor", actor);
        }
        if (action != null && !action.isBlank()) {
            where.add("action = :action");
            params.and("action", action);
        }
        if (environment != null && !environment.isBlank()) {
            where.add("environment = :environment");
            params.and("environment", environment);
        }
        if (packageName != null && !packageName.isBlank()) {
            where.add("packageName = :package");
            params.and("package", packageName);
        }
        if (from != null && !from.isBlank()) {
            where.add("occurredAt >= :from");
            params.and("from", time("from", from));
        }
        if (to != null && !to.isBlank()) {
            where.add("occurredAt < :to");
            params.and("to", time("to", to));
        }
        if (cursor != null) {
            where.add("id < :cursor");
            params.and("cursor", cursor);
        }
        String query = (where.isEmpty() ? "1 = 1" : String.join(" and ", where)) + " order by id desc";
        List<AuditEvent> events = AuditEvent.<AuditEvent>find(query, params).range(0, limit).list();
        Long next = events.size() == limit ? events.get(events.size() - 1).id : null;
        return new Page(events, next);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One audit event")
    public AuditEvent get(@PathParam("id") long id) {
        AuditEvent event = AuditEvent.findById(id);
        if (event == null) {
            throw YardmasterException.notFound("audit-event", "There is no audit event " + id + ".");
        }
        return event;
    }

    @GET
    @Path("/verify")
    @Operation(summary = "Walk the hash chain", description = "Recomputes every event's hash and reports the first broken link.")
    public AuditLog.Verification verify() {
        return auditLog.verify();
    }

    static OffsetDateTime time(String name, String value) {
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new YardmasterException(400, "invalid-time", "Bad request",
                    name + " must be an ISO-8601 time with offset, e.g. 2026-11-25T08:00:00Z.", Map.of());
        }
    }
}
