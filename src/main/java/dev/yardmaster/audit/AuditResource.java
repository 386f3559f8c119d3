package dev.yardmaster.audit;

import dev.yardmaster.security.Roles;
import dev.yardmaster.web.YardmasterException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log for reviewers and bots: filtered reads, exports and the hash-chain check. */
@Path("/api/audit")
@Tag(name = "Audit")
@RolesAllowed(Roles.VIEWER)
public class AuditResource {

    public record Page(List<AuditEvent> events, Long nextCursor) {
    }

    private final AuditLog auditLog;
    private final AuditExport export;

    AuditResource(AuditLog auditLog, AuditExport export) {
        this.auditLog = auditLog;
        this.export = export;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Audit events, newest first", description = "Filter by actor (or on-behalf-of), action (trailing * for a prefix), environment, package and time range [from, to); page with nextCursor.")
    public Page list(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("cursor") Long cursor, @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > 500) {
            throw YardmasterException.badRequest("invalid-limit", "limit must be between 1 and 500.");
        }
        List<AuditEvent> events = AuditQuery.of(actor, action, environment, packageName, from, to)
                .newestFirst(cursor, limit + 1);
        boolean more = events.size() > limit;
        List<AuditEvent> page = more ? events.subList(0, limit) : events;
        return new Page(page, more ? page.get(page.size() - 1).id : null);
    }

    @GET
    @Path("/export")
    @Produces({"text/csv", MediaType.APPLICATION_JSON})
    @Operation(summary = "Export a filtered range", description = "Streams every matching event oldest first as CSV (format=csv, the default) or a JSON array (format=json). Same filters as the list.")
    public Response export(@QueryParam("format") @DefaultValue("csv") String format,
            @QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("from") String from, @QueryParam("to") String to) {
        AuditQuery query = AuditQuery.of(actor, action, environment, packageName, from, to);
        String stamp = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return switch (format) {
            case "csv" -> Response.ok(export.csv(query), "text/csv; charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"yardmaster-audit-" + stamp + ".csv\"").build();
            case "json" -> Response.ok(export.json(query), MediaType.APPLICATION_JSON)
                    .header("Content-Disposition", "attachment; filename=\"yardmaster-audit-" + stamp + ".json\"").build();
            default -> throw YardmasterException.badRequest("invalid-format", "format must be csv or json.");
        };
    }

    @GET
    @Path("/{id:[0-9]+}")
    @Produces(MediaType.APPLICATION_JSON)
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
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Walk the hash chain", description = "Recomputes every event's hash and reports the first broken link.")
    public AuditLog.Verification verify() {
        return auditLog.verify();
    }
}
