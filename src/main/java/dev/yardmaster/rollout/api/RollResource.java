package dev.yardmaster.rollout.api;

import dev.yardmaster.rollout.RollPlan;
import dev.yardmaster.rollout.RollQueries;
import dev.yardmaster.rollout.RollQueries.HostLog;
import dev.yardmaster.rollout.RollQueries.HostView;
import dev.yardmaster.rollout.RollQueries.RollView;
import dev.yardmaster.rollout.RollStream;
import dev.yardmaster.rollout.Rolls;
import dev.yardmaster.rollout.runner.RollRunner;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Rolls for bots: plan, start, watch (SSE), control. */
@Path("/api/rolls")
@Tag(name = "Rolls")
public class RollResource {

    private final Rolls rolls;
    private final RollQueries queries;
    private final RollRunner runner;
    private final RollStream stream;
    private final CurrentUser user;

    RollResource(Rolls rolls, RollQueries queries, RollRunner runner, RollStream stream, CurrentUser user) {
        this.rolls = rolls;
        this.queries = queries;
        this.runner = runner;
        this.stream = stream;
        this.user = user;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Rolls, newest first")
    public List<RollView> list(@QueryParam("limit") Integer limit) {
        return queries.newestFirst(limit == null ? 50 : Math.max(1, Math.min(limit, 500)));
    }

    @POST
    @Path("/preview")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Show the batches and the abort threshold a plan would give, without starting it")
    public Rolls.Preview preview(RollPlan plan) {
        return rolls.preview(user, plan);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Start a roll", description = "Deployers roll review and staging; prod needs release-manager. "
            + "Repeat a request with the same Idempotency-Key and body to get the same roll back (200); keys are per "
            + "principal, and the same key with another body is refused (422). 409 while another roll of the package runs "
            + "in the environment; 423 when the environment is locked.")
    public Response start(RollPlan plan, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        Rolls.Started started = rolls.start(user, user.actor(onBehalfOf), plan, idempotencyKey);
        if (!started.created()) {
            return Response.ok(queries.get(started.roll().id)).build();
        }
        runner.wake();
        return Response.created(URI.create("/api/rolls/" + started.roll().id)).entity(queries.get(started.roll().id)).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One roll with counts per host state")
    public RollView get(@PathParam("id") long id) {
        return queries.get(id);
    }

    @GET
    @Path("/{id}/hosts")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The roll's hosts in order (optionally only one state)")
    public List<HostView> hosts(@PathParam("id") long id, @QueryParam("status") String status) {
        return queries.hosts(id, status);
    }

    @GET
    @Path("/{id}/hosts/{hostId}/log")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The commands run on one host and their output")
    public HostLog log(@PathParam("id") long id, @PathParam("hostId") long hostId) {
        return queries.log(id, hostId);
    }

    @POST
    @Path("/{id}/pause")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Pause: no host is started until resumed; running hosts finish")
    public RollView pause(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.pause(user, user.actor(onBehalfOf), id);
        return queries.get(id);
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Resume a paused roll")
    public RollView resume(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.resume(user, user.actor(onBehalfOf), id);
        return queries.get(id);
    }

    @POST
    @Path("/{id}/continue")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Continue after the canary batch")
    public RollView continueAfterCanary(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.continueAfterCanary(user, user.actor(onBehalfOf), id);
        return queries.get(id);
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Cancel: no more hosts start; ?interrupt=true also kills the commands of running hosts")
    public RollView cancel(@PathParam("id") long id, @QueryParam("interrupt") boolean interrupt,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.cancel(user, user.actor(onBehalfOf), id, interrupt);
        return queries.get(id);
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Run the failed and unreachable hosts again")
    public RollView retry(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.retryFailed(user, user.actor(onBehalfOf), id);
        runner.wake();
        return queries.get(id);
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    @Blocking
    @Operation(summary = "Live events of one roll (SSE); Last-Event-ID replays what was missed. 404 for an unknown roll, "
            + "429 with Retry-After past the stream limits")
    public Multi<OutboundSseEvent> events(@PathParam("id") long id, @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("since") Long since, @Context Sse sse) {
        return stream.open(user.name(), id, RollStream.position(lastEventId, since), sse);
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    @Blocking
    @Operation(summary = "Live roll-level events of all rolls (SSE)")
    public Multi<OutboundSseEvent> allEvents(@HeaderParam("Last-Event-ID") String lastEventId, @QueryParam("since") Long since,
            @Context Sse sse) {
        return stream.open(user.name(), null, RollStream.position(lastEventId, since), sse);
    }
}
