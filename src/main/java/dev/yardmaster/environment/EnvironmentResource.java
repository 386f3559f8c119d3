package dev.yardmaster.environment;

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

    public record EnvironmentView(String name, int position, boolean isProtected, Lock lock) {
        static EnvironmentView of(Environment env, Environments environments) {
            return new EnvironmentView(env.name, env.position, environments.isProtected(env),
                    env.isLocked() ? new Lock(env.lockedBy, env.lockReason, env.lockedAt) : null);
        }
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
