package dev.yardmaster.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Sign-in and API token handling beyond what Quarkus OIDC configures. */
@ConfigMapping(prefix = "yardmaster.security")
public interface SecurityConfig {

    /**
     * How many verified API bearer tokens to remember until they expire, so a bot's repeated
     * calls skip signature verification; 0 verifies every call.
     */
    @WithDefault("10000")
    int tokenCacheSize();
}
