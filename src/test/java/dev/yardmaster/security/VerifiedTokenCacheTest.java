package dev.yardmaster.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bearer token served from the cache is still the same person with the same roles, a
 * token that differs by one character is verified (and refused) by OIDC, and an entry is
 * never used past the token's own expiry.
 */
@QuarkusTest
class VerifiedTokenCacheTest {

    @Inject
    VerifiedTokenCache cache;

    @AfterEach
    void realClockAndUnlocked() {
        cache.clock = Clock.systemUTC();
        given().auth().oauth2(Tokens.user("bob")).delete("/api/environments/staging/lock").then().statusCode(200);
    }

    @Test
    void aCachedTokenKeepsItsPersonAndRoles() {
        String carol = Tokens.user("carol");
        given().auth().oauth2(carol).get("/api/environments").then().statusCode(200);
        assertThat(cache.verified).containsKey(carol);
        // Served from the cache now: still a viewer only, still carol.
        given().auth().oauth2(carol).get("/api/environments").then().statusCode(200);
        given().auth().oauth2(carol).contentType("application/json").body("{\"reason\":\"x\"}")
                .put("/api/environments/staging/lock").then().statusCode(403);

        String alice = Tokens.user("alice");
        given().auth().oauth2(alice).get("/api/environments").then().statusCode(200);
        given().auth().oauth2(alice).contentType("application/json").body("{\"reason\":\"cache check\"}")
                .put("/api/environments/staging/lock").then().statusCode(200);
        String holder = given().auth().oauth2(carol).get("/api/environments/staging").then().statusCode(200)
                .extract().jsonPath().getString("lock.lockedBy");
        assertThat(holder).isEqualTo("alice");
    }

    @Test
    void aTamperedTokenIsVerifiedAndRefusedEvenWhenTheGenuineOneIsCached() {
        String alice = Tokens.user("alice");
        given().auth().oauth2(alice).get("/api/environments").then().statusCode(200);
        assertThat(cache.verified).containsKey(alice);
        int last = alice.length() - 2;
        String tampered = alice.substring(0, last) + (alice.charAt(last) == 'A' ? 'B' : 'A') + alice.charAt(last + 1);
        given().auth().oauth2(tampered).get("/api/environments").then().statusCode(401)
                .contentType("application/problem+json");
        assertThat(cache.verified).doesNotContainKey(tampered);
    }

    @Test
    void anEntryIsNotUsedPastTheTokensExpiry() {
        String bot = Tokens.bot();
        given().auth().oauth2(bot).get("/api/environments").then().statusCode(200);
        VerifiedTokenCache.Verified first = cache.verified.get(bot);
        assertThat(first).isNotNull();
        // Past the token's exp the entry is dropped and OIDC decides again (the token itself is
        // still valid for Keycloak's clock, so it is verified and remembered afresh).
        cache.clock = Clock.offset(Clock.systemUTC(), Duration.between(java.time.Instant.now(), first.expires()).plusSeconds(1));
        given().auth().oauth2(bot).get("/api/environments").then().statusCode(200);
        assertThat(cache.verified.get(bot)).isNotSameAs(first);
    }
}
