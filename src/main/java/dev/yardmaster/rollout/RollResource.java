package dev.yardmaster.rollout;

import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
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
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Rolls for bots: plan, start, watch (SSE), control. */
@Path("/api/rolls")
@Tag(name = "Rolls")
public class RollResource {

    public record RollView(long id, String packageName, String environment, String target, String status, String reason,
            int currentBatch, int batchCount, String createdBy, OffsetDateTime createdAt, OffsetDateTime startedAt,
            OffsetDateTime finishedAt, String leaseOwner, Map<HostStatus, Long> counts, int hosts) {

        /** For templates: the count of one host state by name. */
        public long count(String status) {
            return counts.getOrDefault(HostStatus.valueOf(status), 0L);
        }
    }

    public record HostView(long id, int position, int batch, String name, String address, int port, String service,
            String status, String step, String reason, String fromEvr, String toEvr, int restarts, int attempts,
            OffsetDateTime startedAt, OffsetDateTime finishedAt) {
        static HostView of(RollHost h) {
            return new HostView(h.id, h.position, h.batch, h.name, h.address, h.port, h.service, h.status.name(),
                    h.step.name(), h.reason, h.fromEvr, h.toEvr, h.restarts, h.attempts, h.startedAt, h.finishedAt);
        }
    }

    public record HostLog(long id, String name, String status, String log) {
    }

    private final Rolls rolls;
    private final RollRunner runner;
    private final RollStream stream;
    private final CurrentUser user;

    RollResource(Rolls rolls, RollRunner runner, RollStream stream, CurrentUser user) {
        this.rolls = rolls;
        this.runner = runner;
        this.stream = stream;
        this.user = user;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(summary = "Rolls, newest first")
    public List<RollView> list(@QueryParam("limit") Integer limit) {
        int n = limit == null ? 50 : Math.max(1, Math.min(limit, 500));
        return Roll.newestFirst(n).stream().map(RollResource::view).toList();
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
            + "Repeat a request with the same Idempotency-Key to get the same roll back. 409 while another roll of the package runs in the environment; 423 when the environment is locked.")
    public Response start(RollPlan plan, @HeaderParam("Idempotency-Key") String idempotencyKey,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        Roll roll = rolls.start(user, user.actor(onBehalfOf), plan, idempotencyKey);
        runner.wake();
        return Response.created(URI.create("/api/rolls/" + roll.id)).entity(get(roll.id)).build();
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(summary = "One roll with counts per host state")
    public RollView get(@PathParam("id") long id) {
        return view(rolls.require(id));
    }

    @GET
    @Path("/{id}/hosts")
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(summary = "The roll's hosts in order (optionally only one state)")
    public List<HostView> hosts(@PathParam("id") long id, @QueryParam("status") String status) {
        rolls.require(id);
        List<RollHost> hosts = status == null || status.isBlank() ? RollHost.of(id)
                : RollHost.list("rollId = ?1 and status = ?2 order by position", id, parseStatus(status));
        return hosts.stream().map(HostView::of).toList();
    }

    @GET
    @Path("/{id}/hosts/{hostId}/log")
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(summary = "The commands run on one host and their output")
    public HostLog log(@PathParam("id") long id, @PathParam("hostId") long hostId) {
        RollHost host = RollHost.find("id = ?1 and rollId = ?2", hostId, id).firstResult();
        if (host == null) {
            throw dev.yardmaster.web.YardmasterException.notFound("host", "Roll " + id + " has no host " + hostId + ".");
        }
        return new HostLog(host.id, host.name, host.status.name(), host.log);
    }

    @POST
    @Path("/{id}/pause")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Pause: no host is started until resumed; running hosts finish")
    public RollView pause(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.pause(user, user.actor(onBehalfOf), id);
        return get(id);
    }

    @POST
    @Path("/{id}/resume")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Resume a paused roll")
    public RollView resume(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.resume(user, user.actor(onBehalfOf), id);
        return get(id);
    }

    @POST
    @Path("/{id}/continue")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Continue after the canary batch")
    public RollView continueAfterCanary(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.continueAfterCanary(user, user.actor(onBehalfOf), id);
        return get(id);
    }

    @POST
    @Path("/{id}/cancel")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Cancel: no more hosts start; ?interrupt=true also kills the commands of running hosts")
    public RollView cancel(@PathParam("id") long id, @QueryParam("interrupt") boolean interrupt,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.cancel(user, user.actor(onBehalfOf), id, interrupt);
        return get(id);
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Run the failed and unreachable hosts again")
    public RollView retry(@PathParam("id") long id, @QueryParam("onBehalfOf") String onBehalfOf) {
        rolls.retryFailed(user, user.actor(onBehalfOf), id);
        runner.wake();
        return get(id);
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Live events of one roll (SSE); Last-Event-ID replays what was missed")
    public void events(@PathParam("id") long id, @HeaderParam("Last-Event-ID") String lastEventId,
            @QueryParam("since") Long since, @Context SseEventSink sink, @Context Sse sse) {
        stream.open(id, lastId(lastEventId, since), sink, sse);
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Live roll-level events of all rolls (SSE)")
    public void allEvents(@HeaderParam("Last-Event-ID") String lastEventId, @QueryParam("since") Long since,
            @Context SseEventSink sink, @Context Sse sse) {
        stream.open(null, lastId(lastEventId, since), sink, sse);
    }

    private static Long lastId(String header, Long since) {
        if (header != null && header.strip().matches("[0-9]{1,18}")) {
            return Long.valueOf(header.strip());
        }
        return since;
    }

    private static HostStatus parseStatus(String status) {
        try {
            return HostStatus.valueOf(status.strip().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw dev.yardmaster.web.YardmasterException.badRequest("bad-status", "Unknown host state '"
                    + dev.yardmaster.environment.Environments.printable(status) + "'. Known: " + List.of(HostStatus.values()) + ".");
        }
    }

    static RollView view(Roll roll) {
        Map<HostStatus, Long> counts = counts(roll.id);
        int hosts = (int) counts.values().stream().mapToLong(Long::longValue).sum();
        return new RollView(roll.id, roll.packageName, roll.environment, roll.targetEvr, roll.status.name(), roll.reason,
                roll.currentBatch, roll.batchCount, roll.createdBy, roll.createdAt, roll.startedAt, roll.finishedAt,
                roll.leaseOwner, counts, hosts);
    }

    static Map<HostStatus, Long> counts(long rollId) {
        Map<HostStatus, Long> counts = new EnumMap<>(HostStatus.class);
        for (HostStatus s : HostStatus.values()) {
            counts.put(s, 0L);
        }
        List<Object[]> rows = RollHost.getEntityManager()
                .createQuery("select status, count(*) from RollHost where rollId = ?1 group by status", Object[].class)
                .setParameter(1, rollId).getResultList();
        for (Object[] row : rows) {
            counts.put((HostStatus) row[0], (Long) row[1]);
        }
        return counts;
    }
}
