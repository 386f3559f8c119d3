package dev.yardmaster.promotion;

import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.promotion.PromotionResource.LiveBuild;
import dev.yardmaster.promotion.PromotionResource.PromotionView;
import dev.yardmaster.promotion.PromotionResource.RollbackRequest;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The packages of one environment: what is live, what was live when, and rollback. Its own
 * root resource because JAX-RS picks the root with the longest literal path, so these URIs
 * would otherwise land in EnvironmentResource.
 */
@Path("/api/environments/{env}/packages")
@Tag(name = "Promotions")
public class EnvironmentPackagesResource {

    private final Promotions promotions;
    private final Environments environments;
    private final CurrentUser user;

    EnvironmentPackagesResource(Promotions promotions, Environments environments, CurrentUser user) {
        this.promotions = promotions;
        this.environments = environments;
        this.user = user;
    }

    @POST
    @Path("/{pkg}/rollback")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Re-promote the package's previous live build in this environment")
    public Response rollback(@PathParam("env") String env, @PathParam("pkg") String pkg, RollbackRequest body) {
        Promotions.Result result = promotions.rollback(user, user.actor(body == null ? null : body.onBehalfOf()), env, pkg,
                body == null ? null : body.reason());
        return Response.status(201).entity(PromotionView.of(result.promotion())).build();
    }

    @GET
        @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The live build of every package in an environment")
    public List<LiveBuild> live(@PathParam("env") String env) {
        Environment environment = environments.require(env);
        return Promotion.liveIn(environment).stream()
                .map(p -> new LiveBuild(p.packageName, p.build.id, p.build.nevra, p.appliedAt, p.id)).toList();
    }

    @GET
    @Path("/{pkg}/history")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "What was live when: the package's builds in this environment, newest first")
    public List<PromotionView> history(@PathParam("env") String env, @PathParam("pkg") String pkg) {
        Promotions.requirePackageName(pkg);
        return Promotion.historyOf(environments.require(env), pkg).stream().map(PromotionView::of).toList();
    }
}
