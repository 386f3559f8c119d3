package dev.yardmaster.security;

import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sends API calls that do not come from a signed-in browser to the bearer-only {@code api}
 * tenant. Without it the hybrid default tenant would answer a bot's unauthenticated call with
 * a redirect to the login page; with it the bot gets a 401 it can act on. The browser's own
 * calls to /api carry the session cookie and stay on the default tenant.
 */
@ApplicationScoped
public class ApiTenantResolver implements TenantResolver {

    static final String API_TENANT = "api";

    @Override
    public String resolve(RoutingContext context) {
        String path = context.normalizedPath();
        if (!path.startsWith("/api/") && !path.equals("/api")) {
            return null;
        }
        if (context.request().getHeader("Authorization") != null) {
            return API_TENANT;
        }
        boolean hasSession = context.request().cookies().stream()
                .anyMatch(cookie -> cookie.getName().startsWith("q_session"));
        return hasSession ? null : API_TENANT;
    }
}
