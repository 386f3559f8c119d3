package dev.yardmaster.security;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * A test-only endpoint that forgets its role annotation, as a new feature might: with
 * {@code quarkus.security.jaxrs.deny-unannotated-endpoints=true} nobody may call it.
 */
@Path("/api/test/forgotten-annotation")
public class ForgottenAnnotationResource {

    @GET
    public String open() {
        return "anyone can read this";
    }
}
