package dev.yardmaster.drift;

import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Drift for bots: which version each host runs against the promoted build, and "check now". */
@Path("/api/drift")
@Tag(name = "Drift")
public class DriftResource {

    private final Drift drift;
    private final CurrentUser user;

    DriftResource(Drift drift, CurrentUser user) {
        this.drift = drift;
        this.user = user;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Per environment and package: the promoted build, hosts in sync / behind / ahead / unknown, and the hosts that drift",
            description = "Installed versions are what rpm -q said on the hosts: at each roll's check and verify steps, or at the last check.")
    public List<Drift.PackageDrift> get(@QueryParam("environment") String environment, @QueryParam("package") String packageName) {
        return drift.report(environment, packageName);
    }

    @POST
    @Path("/check")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Ask the hosts now (rpm -q over SSH, bounded parallelism), record the answers and return the drift",
            description = "environment is required; package optional (default: every package of the environment).")
    public Drift.CheckResult check(@QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        return drift.check(user.actor(onBehalfOf), environment, packageName);
    }
}
