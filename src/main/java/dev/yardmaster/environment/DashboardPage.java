package dev.yardmaster.environment;

import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** The landing page: every environment in lifecycle order, with locks and what to do next. */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardPage {

    /** One environment card. */
    public record Card(Environment environment, boolean isProtected, boolean mayChange) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(List<Card> cards);
    }

    private final Environments environments;
    private final CurrentUser user;
    private final Flash flash;

    DashboardPage(Environments environments, CurrentUser user, Flash flash) {
        this.environments = environments;
        this.user = user;
        this.flash = flash;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance dashboard() {
        List<Card> cards = Environment.inLifecycleOrder().stream()
                .map(env -> new Card(env, environments.isProtected(env), user.has(environments.roleToChange(env))))
                .toList();
        return Templates.dashboard(cards);
    }

    @POST
    @Path("environments/{env}/lock")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response lock(@PathParam("env") String name, @FormParam("reason") String reason) {
        Environment env = environments.lock(user, user.actor(), name, reason);
        return flash.redirect("/", "Deploys to " + env.name + " are locked.");
    }

    @POST
    @Path("environments/{env}/unlock")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response unlock(@PathParam("env") String name) {
        Environment env = environments.unlock(user, user.actor(), name);
        return flash.redirect("/", "Deploys to " + env.name + " are unlocked.");
    }
}
