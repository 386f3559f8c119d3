package dev.yardmaster.promotion;

import dev.yardmaster.security.Roles;
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

/**
 * The promote form linked from the build pages. It needs its own root resource: JAX-RS picks
 * the root class by the longest literal path, so under PromotionPages ("/") the build
 * catalog's "/builds" root would win and answer 404.
 */
@Path("/builds/{id:[0-9]+}/promote")
@Produces(MediaType.TEXT_HTML)
public class BuildPromoteForm {

    private final PromotionPages pages;

    BuildPromoteForm(PromotionPages pages) {
        this.pages = pages;
    }

    @GET
    @RolesAllowed(Roles.DEPLOYER)
    public TemplateInstance form(@PathParam("id") long id) {
        return pages.promoteForm(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response promote(@PathParam("id") long id, @FormParam("environment") String environment,
            @FormParam("reason") String reason, @FormParam("force") String force) {
        return pages.promote(id, environment, reason, force);
    }
}
