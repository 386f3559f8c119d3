package dev.yardmaster.promotion;

import static dev.yardmaster.promotion.PromotionTest.assertProblem;
import static dev.yardmaster.promotion.PromotionTest.promote;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rules around a promotion that PromotionTest does not walk through: an admin's audited
 * force, expiry of approval requests, and names in paths that must never reach the repo server.
 * Uses the package tidewater only, so it does not disturb PromotionTest's flingerator history.
 */
@QuarkusTest
@TestProfile(PromotionRepoProfile.class)
class PromotionRulesTest {

    @Inject
    Promotions promotions;

    @BeforeEach
    void indexed() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan").then().statusCode(200);
    }

    @Test
    void onlyAnAdminMaySkipAnEnvironmentWithForceAndTheForceIsAudited() throws Exception {
        Response deployer = forced(Tokens.user("alice"), "1.1.0", "staging");
        assertProblem(deployer, 403, "force-needs-admin");
        assertThat(deployer.jsonPath().getString("detail")).contains("Skipping review with force needs the admin role");

        Response admin = forced(Tokens.user("dave"), "1.1.0", "staging");
        assertThat(admin.statusCode()).as(admin.asString()).isEqualTo(201);
        assertThat(admin.jsonPath().getString("state")).isEqualTo("applied");
        assertThat(admin.jsonPath().getBoolean("forced")).isTrue();
        assertThat(EnvironmentRepoTest.dnfRepoquery(PromotionRepoProfile.ROOT.resolve("staging"), "tidewater"))
                .isEqualTo("tidewater-1.1.0-1.noarch");

        Response environments = given().auth().oauth2(Tokens.user("carol")).get("/api/environments");
        assertThat(environments.jsonPath().getList("find { it.name == 'staging' }.packages.findAll { it.package == 'tidewater' }.nevra",
                String.class)).containsExactly("tidewater-1.1.0-1.noarch");

        Response audit = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "promotion.requested")
                .queryParam("actor", "dave").queryParam("package", "tidewater").get("/api/audit");
        assertThat(audit.jsonPath().getList("events.details.forced", Boolean.class)).contains(true);
        Response refused = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "request.refused")
                .queryParam("actor", "alice").get("/api/audit");
        assertThat(refused.jsonPath().getList("events.details.type", String.class)).anyMatch(t -> t.endsWith("/force-needs-admin"));
    }

    @Test
    void aRequestNobodyDecidedOnExpiresAndCanNoLongerBeApproved() {
        Response requested = forced(Tokens.user("dave"), "1.0.0", "prod");
        assertThat(requested.statusCode()).as(requested.asString()).isEqualTo(202);
        assertThat(requested.jsonPath().getString("state")).isEqualTo("requested");
        long id = requested.jsonPath().getLong("id");
        QuarkusTransaction.requiringNew().run(() -> Promotion.update("expiresAt = ?1 where id = ?2",
                Promotions.now().minusMinutes(1), id));

        assertProblem(given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body("{}")
                .post("/api/promotions/" + id + "/approve"), 409, "promotion-expired");

        promotions.expireStaleRequests();
        Response after = given().auth().oauth2(Tokens.user("carol")).get("/api/promotions/" + id);
        assertThat(after.jsonPath().getString("state")).isEqualTo("expired");
        assertThat(given().auth().oauth2(Tokens.user("carol")).queryParam("action", "promotion.expired")
                .queryParam("package", "tidewater").get("/api/audit").jsonPath().getList("events")).hasSize(1);
        assertProblem(given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body("{}")
                .post("/api/promotions/" + id + "/approve"), 409, "promotion-not-pending");
    }

    @Test
    void namesInRollbackPathsAreCheckedBeforeAnythingElse() {
        assertProblem(rollback("review", "tide;water"), 400, "invalid-package-name");
        assertProblem(rollback("review", "$(id)"), 400, "invalid-package-name");
        assertProblem(rollback("nosuch", "tidewater"), 404, "environment-not-found");
        assertProblem(rollback("review", "tidewater"), 404, "nothing-live");
        Response refused = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "request.refused")
                .queryParam("actor", "alice").get("/api/audit");
        assertThat(refused.jsonPath().getList("events.details.type", String.class))
                .anyMatch(t -> t.endsWith("/invalid-package-name")).anyMatch(t -> t.endsWith("/nothing-live"));
    }

    @Test
    void listingFiltersAreValidated() {
        assertProblem(given().auth().oauth2(Tokens.user("carol")).queryParam("state", "live").get("/api/promotions"), 400,
                "invalid-state");
        assertProblem(given().auth().oauth2(Tokens.user("carol")).queryParam("limit", "0").get("/api/promotions"), 400,
                "invalid-limit");
    }

    private static Response forced(String token, String version, String env) {
        return given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("package", "tidewater", "version", version, "environment", env, "reason", "hotfix", "force", true))
                .post("/api/promotions");
    }

    private static Response rollback(String env, String pkg) {
        return given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body(Map.of("reason", "bad build"))
                .post("/api/environments/" + env + "/packages/" + pkg.replace("$", "%24").replace(";", "%3B")
                        .replace("(", "%28").replace(")", "%29") + "/rollback");
    }
}
