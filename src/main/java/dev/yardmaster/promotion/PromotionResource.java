package dev.yardmaster.promotion;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import io.quarkus.panache.common.Parameters;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Promotions for bots: request, approve, reject, roll back, and the record of all of them. */
@Path("/api")
@Tag(name = "Promotions")
public class PromotionResource {

    /** A promotion as the API shows it. */
    public record PromotionView(long id, String state, String environment, @JsonProperty("package") String packageName, long buildId,
            String nevra, String reason, boolean forced, Long rollbackOf, String requestedBy, String onBehalfOf,
            OffsetDateTime requestedAt, OffsetDateTime expiresAt, String decidedBy, OffsetDateTime decidedAt,
            String decisionNote, OffsetDateTime appliedAt, OffsetDateTime supersededAt, String failure, String origin) {
        static PromotionView of(Promotion p) {
            return new PromotionView(p.id, p.state.name(), p.environment.name, p.packageName, p.build.id, p.build.nevra,
                    p.reason, p.forced, p.rollbackOf, p.requestedBy, p.onBehalfOf, p.requestedAt, p.expiresAt, p.decidedBy,
                    p.decidedAt, p.decisionNote, p.appliedAt, p.supersededAt, p.failure, p.origin.name());
        }
    }

    /** Body of POST /api/promotions: a build by id, or by package and version. */
    public record PromotionRequest(@JsonProperty("package") @JsonAlias("packageName") String packageName, String version, Long buildId, String environment,
            @Size(max = 1000) String reason, Boolean force, String onBehalfOf) {
    }

    public record Decision(@Size(max = 1000) String note, String onBehalfOf) {
    }

    public record RollbackRequest(@Size(max = 1000) String reason, String onBehalfOf) {
    }

    /** The live build of one package in an environment. */
    public record LiveBuild(@JsonProperty("package") String packageName, long buildId, String nevra, OffsetDateTime since, long promotionId) {
    }

    private final Promotions promotions;
    private final CurrentUser user;

    PromotionResource(Promotions promotions, CurrentUser user) {
        this.promotions = promotions;
        this.user = user;
    }

    @POST
    @Path("/promotions")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Promote a build into an environment",
            description = "Unprotected environments apply at once (201, state applied); protected ones answer 202 with state requested until a second release manager approves. Asking for a build that is already live or already requested answers 200 with that promotion. Send an Idempotency-Key header to make retries safe.")
    public Response promote(PromotionRequest body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (body == null) {
            throw YardmasterException.badRequest("body-required", "Send {\"package\", \"version\" or \"buildId\", \"environment\", \"reason\"}.");
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw YardmasterException.badRequest("invalid-idempotency-key", "Idempotency-Key must be 1 to 200 characters.");
        }
        Promotions.Result result = promotions.request(user, user.actor(body.onBehalfOf()), new Promotions.Request(
                body.packageName(), body.version(), body.buildId(), body.environment(), body.reason(),
                Boolean.TRUE.equals(body.force()), idempotencyKey));
        int status = !result.created() ? 200 : result.promotion().state == Promotion.State.requested ? 202 : 201;
        return Response.status(status).entity(PromotionView.of(result.promotion()))
                .header("Location", "/api/promotions/" + result.promotion().id).build();
    }

    @GET
    @Path("/promotions")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Promotions, newest first", description = "Filter by environment, package and state (requested for the approval inbox).")
    public List<PromotionView> list(@QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("state") String state, @QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw YardmasterException.badRequest("invalid-limit", "limit must be between 1 and 1000.");
        }
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (environment != null && !environment.isBlank()) {
            where.add("environment.name = :env");
            params.and("env", environment);
        }
        if (packageName != null && !packageName.isBlank()) {
            where.add("packageName = :pkg");
            params.and("pkg", packageName);
        }
        if (state != null && !state.isBlank()) {
            try {
                params.and("state", Promotion.State.valueOf(state));
            } catch (IllegalArgumentException e) {
                throw YardmasterException.badRequest("invalid-state", "state must be one of requested, approved, applied, failed, rejected, expired, superseded.");
            }
            where.add("state = :state");
        }
        String query = (where.isEmpty() ? "1 = 1" : String.join(" and ", where)) + " order by id desc";
        return Promotion.<Promotion>find(query, params).range(0, limit - 1).list().stream().map(PromotionView::of).toList();
    }

    @GET
    @Path("/promotions/{id}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One promotion")
    public PromotionView get(@PathParam("id") long id) {
        Promotion promotion = Promotion.findById(id);
        if (promotion == null) {
            throw YardmasterException.notFound("promotion", "There is no promotion " + id + ".");
        }
        return PromotionView.of(promotion);
    }

    @POST
    @Path("/promotions/{id}/approve")
    @RolesAllowed(Roles.RELEASE_MANAGER)
    @Operation(summary = "Approve a requested promotion (a release manager who did not request it); it is applied at once")
    public PromotionView approve(@PathParam("id") long id, Decision body) {
        return PromotionView.of(promotions.approve(user, user.actor(body == null ? null : body.onBehalfOf()), id,
                body == null ? null : body.note()));
    }

    @POST
    @Path("/promotions/{id}/reject")
    @RolesAllowed(Roles.RELEASE_MANAGER)
    @Operation(summary = "Reject a requested promotion")
    public PromotionView reject(@PathParam("id") long id, Decision body) {
        return PromotionView.of(promotions.reject(user, user.actor(body == null ? null : body.onBehalfOf()), id,
                body == null ? null : body.note()));
    }
}
