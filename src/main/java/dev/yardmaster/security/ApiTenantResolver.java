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

    /**
     * Named, not null: null only means "undecided", and Quarkus then picks the tenant whose id
     * is a segment of the path, which for /api/... is {@code api} again. That turned a signed-in
     * page's own fetch() into a bearer-only call with a 401.
     */
    static final String DEFAULT_TENANT = "Default";

    @Override
    public String resolve(RoutingContext context) {
        String path = context.normalizedPath();
        if (!path.startsWith("/api/") && !path.equals("/api")) {
            return DEFAULT_TENANT;
        }
        if (context.request().getHeader("Authorization") != null) {
            return API_TENANT;
        }
        boolean hasSession = context.request().cookies().stream()
                .anyMatch(cookie -> cookie.getName().startsWith("q_session"));
        return hasSession ? DEFAULT_TENANT : API_TENANT;
    }
}
