package dev.yardmaster.security;

import dev.yardmaster.core.Problem;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/** Refuses cookie-authenticated state changes that do not repeat the CSRF token. */
public class CsrfFilter {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @ServerRequestFilter(readBody = true)
    public Response verify(ResteasyReactiveContainerRequestContext request, RoutingContext routing) {
        if (SAFE.contains(request.getMethod()) || request.getHeaderString("Authorization") != null) {
            return null;
        }
        boolean hasSession = routing.request().cookies().stream().anyMatch(c -> c.getName().startsWith("q_session"));
        if (!hasSession) {
            return null;
        }
        String expected = Csrf.cookieToken(routing);
        String presented = request.getHeaderString(Csrf.HEADER);
        if (presented == null && request.getMediaType() != null
                && request.getMediaType().isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE)) {
            Object field = ((ResteasyReactiveRequestContext) request.getServerRequestContext())
                    .getFormParameter(Csrf.FIELD, true, false);
            presented = field == null ? null : field.toString();
        }
        if (Csrf.matches(expected, presented)) {
            return null;
        }
        String detail = "This form has expired or did not come from Yardmaster. Reload the page and try again.";
        boolean html = request.getAcceptableMediaTypes().stream()
                .anyMatch(t -> t.isCompatible(MediaType.TEXT_HTML_TYPE) && !t.isWildcardType());
        if (html) {
            return Response.status(403).type(MediaType.TEXT_HTML_TYPE)
                    .entity("<!DOCTYPE html><title>Form expired</title><p>" + detail + "</p><p><a href=\"/\">Back</a></p>")
                    .build();
        }
        return Problem.of("csrf-token-invalid", "Forbidden", 403, detail).toResponse();
    }
}
