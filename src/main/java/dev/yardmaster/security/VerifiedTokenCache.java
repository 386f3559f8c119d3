package dev.yardmaster.security;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Singleton;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Remembers the bearer tokens of the API that Quarkus OIDC has already verified, until each
 * one expires. A chatops bot sends the same token for its whole life (minutes); verifying its
 * RSA signature and parsing its JSON three times on every call was a third of the cost of a
 * small API request. A token is only ever served from here after OIDC accepted exactly that
 * string, and never past its own {@code exp}: what the cache gives up is only what local JWT
 * verification never had (noticing a revocation before the token expires). Anything else —
 * browsers, unknown or failing tokens — goes to OIDC as before.
 */
@Singleton
public class VerifiedTokenCache implements HttpAuthenticationMechanism {

    private static final String BEARER = "Bearer ";

    record Verified(SecurityIdentity identity, Instant expires) {
    }

    final Map<String, Verified> verified = new ConcurrentHashMap<>();

    @Inject
    OidcAuthenticationMechanism oidc;

    @Inject
    SecurityConfig config;

    Clock clock = Clock.systemUTC();

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String token = bearerToken(context);
        if (token == null || config.tokenCacheSize() <= 0) {
            return Uni.createFrom().nullItem();
        }
        Verified hit = verified.get(token);
        if (hit != null) {
            if (hit.expires().isAfter(clock.instant())) {
                context.put("tenant-id", ApiTenantResolver.API_TENANT);
                // The identity carries the request it was made for; give it this one.
                return Uni.createFrom().item(QuarkusSecurityIdentity.builder(hit.identity())
                        .addAttribute(RoutingContext.class.getName(), context).build());
            }
            verified.remove(token, hit);
        }
        return oidc.authenticate(context, identities).invoke(identity -> remember(token, identity));
    }

    void remember(String token, SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)
                || identity.getCredential(AccessTokenCredential.class) == null
                || !token.equals(identity.getCredential(AccessTokenCredential.class).getToken())) {
            return;
        }
        long exp = jwt.getExpirationTime();
        if (exp <= 0) {
            return;
        }
        if (verified.size() >= config.tokenCacheSize()) {
            Instant now = clock.instant();
            verified.values().removeIf(v -> !v.expires().isAfter(now));
            if (verified.size() >= config.tokenCacheSize()) {
                verified.clear();
            }
        }
        verified.put(token, new Verified(identity, Instant.ofEpochSecond(exp)));
    }

    int size() {
        return verified.size();
    }

    /** The bearer token of an API call that the {@code api} tenant would verify, or null. */
    static String bearerToken(RoutingContext context) {
        String path = context.normalizedPath();
        if (!path.startsWith("/api/")) {
            return null;
        }
        String header = context.request().getHeader("Authorization");
        if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return header.substring(BEARER.length()).strip();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        // OIDC answers the challenge (401 for the api tenant).
        return Uni.createFrom().nullItem();
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public int getPriority() {
        // Before OIDC's mechanism, so a known token never reaches it.
        return DEFAULT_PRIORITY + 100;
    }
}
