package dev.yardmaster.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The page shown after sign-out (Keycloak redirects here). */
@Path("/signed-out")
@Produces(MediaType.TEXT_HTML)
public class SessionPages {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance signedOut();
    }

    @GET
    @PermitAll
    public TemplateInstance signedOut() {
        return Templates.signedOut();
    }
}
