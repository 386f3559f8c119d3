package dev.yardmaster.environment;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Environments for bots and scripts: lifecycle order and deploy locks. */
@Path("/api/environments")
@Tag(name = "Environments")
public class EnvironmentResource {

    /**
     * An environment, its deploy lock, and the build of each package live in it now (the
     * applied promotions, read straight from their table: promotions depend on environments,
     * not the other way round).
     */
    public record EnvironmentView(String name, int position, boolean isProtected, Lock lock, List<LiveBuild> packages,
            long repoChangesToAcknowledge) {
        static EnvironmentView of(Environment env, Environments environments) {
            return new EnvironmentView(env.name, env.position, environments.isProtected(env),
                    env.isLocked() ? new Lock(env.lockedBy, env.lockReason, env.lockedAt) : null, live(env),
                    ((Number) Environment.getEntityManager().createNativeQuery(
                            "SELECT count(*) FROM repo_change WHERE environment_id = :env AND acknowledged_at IS NULL")
                            .setParameter("env", env.id).getSingleResult()).longValue());
        }
    }

    /**
     * The live build of one package: {@code origin} says whether it was promoted through the
     * console, adopted from the repo server, or followed after a change made there by hand;
     * {@code alsoServed} are the package's other builds the environment's directory serves.
     */
    public record LiveBuild(@JsonProperty("package") String packageName, long buildId, String nevra, OffsetDateTime since,
            long promotionId, String origin, List<AlsoServed.Build> alsoServed) {
    }

    @SuppressWarnings("unchecked")
    static List<LiveBuild> live(Environment env) {
        List<Object[]> rows = Environment.getEntityManager().createNativeQuery("""
                SELECT p.package, b.id, b.nevra, p.applied_at, p.id, p.origin FROM promotion p JOIN build b ON b.id = p.build_id
                WHERE p.state = 'applied' AND p.environment_id = :env ORDER BY p.package""")
                .setParameter("env", env.id).getResultList();
        java.util.Map<String, List<AlsoServed.Build>> also = AlsoServed.in(env);
        return rows.stream().map(row -> new LiveBuild((String) row[0], ((Number) row[1]).longValue(), (String) row[2],
                toOffset(row[3]), ((Number) row[4]).longValue(), (String) row[5],
                also.getOrDefault((String) row[0], List.of()))).toList();
    }

    private static OffsetDateTime toOffset(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt;
        }
        if (value instanceof java.time.Instant instant) {
            return instant.atOffset(java.time.ZoneOffset.UTC);
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        return null;
    }

    public record Lock(String lockedBy, String reason, OffsetDateTime lockedAt) {
    }

    public record LockRequest(@NotBlank @Size(max = 500) String reason) {
    }

    private final Environments environments;
    private final CurrentUser user;

    EnvironmentResource(Environments environments, CurrentUser user) {
        this.environments = environments;
        this.user = user;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Environments in lifecycle order")
    public List<EnvironmentView> list() {
        return Environment.inLifecycleOrder().stream().map(env -> EnvironmentView.of(env, environments)).toList();
    }

    @GET
    @Path("/{env}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One environment")
    public EnvironmentView get(@PathParam("env") String name) {
        return EnvironmentView.of(environments.require(name), environments);
    }

    @PUT
    @Path("/{env}/lock")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Lock deploys to an environment", description = "Promotions and rolls are refused until unlocked. Protected environments need release-manager.")
    public EnvironmentView lock(@PathParam("env") String name, @Valid LockRequest request,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        return EnvironmentView.of(environments.lock(user, user.actor(onBehalfOf), name,
                request == null ? null : request.reason()), environments);
    }

    @DELETE
    @Path("/{env}/lock")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Unlock deploys to an environment")
    public EnvironmentView unlock(@PathParam("env") String name, @QueryParam("onBehalfOf") String onBehalfOf) {
        return EnvironmentView.of(environments.unlock(user, user.actor(onBehalfOf), name), environments);
    }
}
