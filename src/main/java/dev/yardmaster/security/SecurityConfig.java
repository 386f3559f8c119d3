package dev.yardmaster.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Sign-in and API token handling beyond what Quarkus OIDC configures. */
@ConfigMapping(prefix = "yardmaster.security")
public interface SecurityConfig {

    /**
     * How many verified API bearer tokens to remember until they expire, so a bot's repeated
     * calls skip signature verification; 0 verifies every call.
     */
    @WithDefault("10000")
    int tokenCacheSize();

    /**
     * Where the roles of a person a chatops bot acts for are read: Keycloak's admin API, through
     * the console client's own service account (realm-management {@code view-users}).
     */
    Directory directory();

    interface Directory {

        /** The realm; its admin API is the same address with {@code /admin} before {@code /realms}. */
        @WithDefault("${quarkus.oidc.auth-server-url}")
        String realmUrl();

        /** The client whose service account reads users (needs realm-management view-users). */
        @WithDefault("${quarkus.oidc.client-id}")
        String clientId();

        /** That client's secret. */
        @WithDefault("${quarkus.oidc.credentials.secret}")
        String clientSecret();

        /** How long a person's roles (or that there is no such person) are remembered. */
        @WithDefault("60s")
        Duration cacheTime();
    }
}
