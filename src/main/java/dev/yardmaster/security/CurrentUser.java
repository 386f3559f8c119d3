package dev.yardmaster.security;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.ws.rs.container.ResourceInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is acting in this request, as the audit log and the templates need it: the person or
 * bot, its roles, the OIDC client it came through and where the request came from.
 *
 * <p>A chatops bot may name the person it acts for ({@code onBehalfOf}). That claim is only
 * taken from a service account holding the {@value Roles#CHATOPS} role, only for an enabled user
 * of the realm, and only within that person's own roles: once a request represents someone,
 * {@link #has} and {@link #roles} answer with what both the bot and the person hold.
 */
@RequestScoped
@Named("user")
public class CurrentUser {

    private static final String SERVICE_ACCOUNT_PREFIX = "service-account-";

    @Inject
    SecurityIdentity identity;

    @Inject
    HttpServerRequest request;

    @Inject
    PersonDirectory directory;

    @Inject
    ResourceInfo resource;

    /** The person this request acts for, once {@link #actor(String)} has checked the claim. */
    private PersonDirectory.Person represented;

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
        return preferred != null && preferred.startsWith(SERVICE_ACCOUNT_PREFIX);
    }

    /** Whether this caller holds the role; acting for a person, whether both hold it. */
    public boolean has(String role) {
        return identity.hasRole(role) && (represented == null || represented.roles().contains(role));
    }

    /** The roles this user holds (with the represented person's, those both hold), lowest first. */
    public List<String> roles() {
        return Roles.ALL.stream().filter(this::has).toList();
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

    /**
     * This user as the audit log records it, acting for {@code onBehalfOf} if given. Refuses
     * (403) a claim from anyone but a chatops service account, for a name the realm does not
     * know as an enabled user, or for a person who lacks the role the endpoint asks for.
     */
    public Actor actor(String onBehalfOf) {
        String claimed = blankToNull(onBehalfOf);
        if (claimed != null) {
            represent(claimed);
        }
        return checkedActor();
    }

    public Actor actor() {
        return actor(null);
    }

    /**
     * This user for recording a refusal: names the represented person only if this request's
     * claim was already checked, so a refused claim is never attributed to the person named.
     */
    public Actor checkedActor() {
        return new Actor(name(), represented == null ? null : represented.name(), String.join(",", roles()),
                clientId(), sourceIp(), userAgent());
    }

    private void represent(String claimed) {
        if (represented != null && People.same(represented.name(), claimed)) {
            return;
        }
        if (represented != null) {
            throw new YardmasterException(400, "on-behalf-of-conflict", "Bad request",
                    "One request can act on behalf of one person only.", Map.of());
        }
        if (!isBot() || !identity.hasRole(Roles.CHATOPS)) {
            String who = isBot() ? clientId() + " is a service account without the " + Roles.CHATOPS + " role"
                    : name() + " is a person";
            throw new YardmasterException(403, "on-behalf-of-refused", "Forbidden",
                    "Only a chat bot's service account with the " + Roles.CHATOPS
                            + " role may act on behalf of someone; " + who + ". Leave out onBehalfOf.",
                    Map.of("onBehalfOf", Names.printable(claimed)));
        }
        if (!People.NAME.matcher(claimed).matches()) {
            throw YardmasterException.badRequest("invalid-on-behalf-of",
                    "onBehalfOf must be a user name of the realm (letters, digits, . _ @ + -, at most 100).");
        }
        // Keycloak keeps each service account as a user too; a bot acts for people, not for bots.
        PersonDirectory.Person person = directory.find(claimed).filter(PersonDirectory.Person::enabled)
                .filter(p -> !p.name().startsWith(SERVICE_ACCOUNT_PREFIX))
                .orElseThrow(() -> new YardmasterException(403, "unknown-person", "Forbidden",
                        claimed + " is not an enabled person of the realm; a bot may only act for a person Yardmaster knows.",
                        Map.of("onBehalfOf", claimed)));
        List<String> needed = neededRoles();
        if (!needed.isEmpty() && needed.stream().noneMatch(person.roles()::contains)) {
            throw new YardmasterException(403, "represented-person-lacks-role", "Forbidden",
                    person.name() + " does not hold the " + String.join(" or ", needed)
                            + " role this needs, so no bot may do it on their behalf.",
                    Map.of("onBehalfOf", person.name()));
        }
        represented = person;
    }

    /** The roles the endpoint being called admits ({@code @RolesAllowed} on the method or its class). */
    private List<String> neededRoles() {
        RolesAllowed allowed = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(RolesAllowed.class);
        if (allowed == null && resource.getResourceClass() != null) {
            allowed = resource.getResourceClass().getAnnotation(RolesAllowed.class);
        }
        return allowed == null ? List.of() : Arrays.asList(allowed.value());
    }


    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
