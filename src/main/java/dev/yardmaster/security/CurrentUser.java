package dev.yardmaster.security;

import dev.yardmaster.audit.Actor;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is acting in this request, as the audit log and the templates need it: the person or
 * bot, its roles, the OIDC client it came through and where the request came from.
 */
@RequestScoped
@Named("user")
public class CurrentUser {

    @Inject
    SecurityIdentity identity;

    @Inject
    HttpServerRequest request;

    public boolean isSignedIn() {
        return !identity.isAnonymous();
    }

    /** The user name, or for a service account the client id (e.g. {@code chatops-bot}). */
    public String name() {
        if (identity.isAnonymous()) {
            return "anonymous";
        }
        if (isBot()) {
            return clientId();
        }
        String preferred = claim("preferred_username");
        return preferred != null ? preferred : identity.getPrincipal().getName();
    }

    public String displayName() {
        String given = claim("given_name");
        return given != null ? given : name();
    }

    /** The client the token was issued to ({@code azp}), e.g. {@code chatops-bot}. */
    public String clientId() {
        String azp = claim("azp");
        return azp != null ? azp : claim("client_id");
    }

    /** A service account: Keycloak names its user {@code service-account-<client>}. */
    public boolean isBot() {
        String preferred = claim("preferred_username");
        return preferred != null && preferred.startsWith("service-account-");
    }

    public boolean has(String role) {
        return identity.hasRole(role);
    }

    /** The roles this user holds, lowest first. */
    public List<String> roles() {
        return Roles.ALL.stream().filter(identity::hasRole).toList();
    }

    public String rolesText() {
        return String.join(", ", roles());
    }

    /** The highest role, for the header badge. */
    public String topRole() {
        List<String> roles = roles();
        return roles.isEmpty() ? "none" : roles.get(roles.size() - 1);
    }

    public String sourceIp() {
        var address = request.remoteAddress();
        return address == null ? null : address.hostAddress();
    }

    public String userAgent() {
        return request.getHeader("User-Agent");
    }

    private String claim(String name) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object value = jwt.getClaim(name);
            return value == null ? null : value.toString();
        }
        return null;
    }

    /** This user as the audit log records it. */
    public Actor actor(String onBehalfOf) {
        return new Actor(name(), blankToNull(onBehalfOf), String.join(",", roles()),
                clientId(), sourceIp(), userAgent());
    }

    public Actor actor() {
        return actor(null);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
