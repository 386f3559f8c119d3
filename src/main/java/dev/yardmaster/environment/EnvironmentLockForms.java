package dev.yardmaster.environment;

import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The lock and unlock forms of the dashboard and environment pages. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class EnvironmentLockForms {

    private final Environments environments;
    private final CurrentUser user;
    private final Flash flash;

    EnvironmentLockForms(Environments environments, CurrentUser user, Flash flash) {
        this.environments = environments;
        this.user = user;
        this.flash = flash;
    }

    @POST
    @Path("environments/{env}/lock")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response lock(@PathParam("env") String name, @FormParam("reason") String reason, @FormParam("back") String back) {
        Environment env = environments.lock(user, user.actor(), name, reason);
        return flash.redirect(back, "Deploys to " + env.name + " are locked.");
    }

    @POST
    @Path("environments/{env}/unlock")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response unlock(@PathParam("env") String name, @FormParam("back") String back) {
        Environment env = environments.unlock(user, user.actor(), name);
        return flash.redirect(back, "Deploys to " + env.name + " are unlocked.");
    }
}
