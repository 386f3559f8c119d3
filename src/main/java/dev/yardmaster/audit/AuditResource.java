package dev.yardmaster.audit;

import dev.yardmaster.core.Problem;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log for reviewers and bots: filtered reads, exports and the hash-chain check. */
@Path("/api/audit")
@Tag(name = "Audit")
@RolesAllowed(Roles.VIEWER)
public class AuditResource {

    public record Page(List<AuditEvent> events, Long nextCursor) {
    }

    /** The signed checkpoints, newest first, and the public key that verifies them. */
    public record Checkpoints(String publicKey, List<AuditCheckpoint> checkpoints) {
    }

    private final AuditLog auditLog;
    private final AuditExport export;
    private final AuditCheckpoints checkpoints;
    private final HeavyReads heavyReads;
    private final CurrentUser currentUser;

    AuditResource(AuditLog auditLog, AuditExport export, AuditCheckpoints checkpoints, HeavyReads heavyReads,
            CurrentUser currentUser) {
        this.auditLog = auditLog;
        this.export = export;
        this.checkpoints = checkpoints;
        this.heavyReads = heavyReads;
        this.currentUser = currentUser;
    }

    /** 429 problem+json with Retry-After when this principal started too many heavy reads in the last minute. */
    private Optional<Response> tooMany(String path) {
        return heavyReads.admit(currentUser.name()).map(wait -> Response.fromResponse(Problem.of("too-many-heavy-reads",
                "Too many requests", 429, "Verify and export read the whole log: at most the configured number per minute"
                        + " and principal. Try again in " + wait.toSeconds() + " s.").at(path).toResponse())
                .header("Retry-After", Long.toString(wait.toSeconds())).build());
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
        if (!format.equals("csv") && !format.equals("json")) {
            throw YardmasterException.badRequest("invalid-format", "format must be csv or json.");
        }
        Optional<Response> refused = tooMany("/api/audit/export");
        if (refused.isPresent()) {
            return refused.get();
        }
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
    @Operation(summary = "Prove the log", description = "Re-hashes the events in Java from the last intact head (full=true: from the first event),"
            + " holds the chain against the newest signed checkpoint and reports the first thing that does not hold, with a reason and a"
            + " problem code (REPLACED_FUNCTION, DISABLED_TRIGGER, REWRITTEN_ROW, BROKEN_LINK, RENUMBERED, RECHAINED, CUT_TAIL, FORGED_CHECKPOINT).")
    public Response verify(@QueryParam("full") @DefaultValue("false") boolean full) {
        return tooMany("/api/audit/verify").orElseGet(() -> Response.ok(auditLog.verify(full)).build());
    }

    @GET
    @Path("/checkpoints")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Signed checkpoints, newest first", description = "From the checkpoint directory outside the database, with the Ed25519 public key (PEM) that verifies them.")
    public Checkpoints checkpoints(@QueryParam("limit") @DefaultValue("20") int limit) {
        if (limit < 1 || limit > 1000) {
            throw YardmasterException.badRequest("invalid-limit", "limit must be between 1 and 1000.");
        }
        return new Checkpoints(checkpoints.publicKeyPem().orElse(null), checkpoints.newest(limit));
    }

    @POST
    @Path("/checkpoints")
    @RolesAllowed(Roles.ADMIN)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Sign the head of the log now", description = "Writes a checkpoint to the directory and the webhook stream; 409 when no signing key is configured.")
    public Response checkpointNow() {
        if (!checkpoints.enabled()) {
            throw YardmasterException.conflict("no-checkpoint-key",
                    "No checkpoint key is configured (yardmaster.audit.checkpoint-key): checkpoints are off.");
        }
        Optional<AuditCheckpoint> signed = QuarkusTransaction.requiringNew().call(() -> checkpoints.sign(true));
        return signed.map(c -> Response.status(201).entity(c).build())
                .orElseThrow(() -> YardmasterException.conflict("empty-audit-log", "The audit log is empty: nothing to sign."));
    }
}
