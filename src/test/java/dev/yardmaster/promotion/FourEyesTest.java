package dev.yardmaster.promotion;

import static dev.yardmaster.promotion.PromotionTest.assertProblem;
import static dev.yardmaster.promotion.PromotionTest.promote;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Four eyes on prod hold whatever path a request and its approval take (issue 16,
 * reproduction 1): directly, through the release-manager chatops bot ({@code release-bot}),
 * with names in another case, or with a person claiming to approve "for" someone else.
 * Each test takes its own sextant build to prod.
 */
@QuarkusTest
@TestProfile(PromotionRepoProfile.class)
class FourEyesTest {

    @BeforeEach
    void indexed() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan").then().statusCode(200);
    }

    @Test
    void aPersonCannotApproveTheirOwnRequestByNamingSomeoneElse() {
        long id = requestProd("1.0.0", Tokens.serviceAccount("release-bot"), "bob");
        Response approval = decide(Tokens.user("bob"), id, "{\"onBehalfOf\":\"dave\"}");
        assertProblem(approval, 403, "on-behalf-of-refused");
        assertThat(state(id)).isEqualTo("requested");
    }

    @Test
    void nobodyApprovesWhatTheyRequestedThroughABotWhateverTheCase() {
        long id = requestProd("1.1.0", Tokens.serviceAccount("release-bot"), "Bob");
        Response approval = decide(Tokens.user("bob"), id, "{}");
        assertProblem(approval, 403, "self-approval");
        assertThat(state(id)).isEqualTo("requested");
    }

    @Test
    void aBotCannotApproveForThePersonWhoRequestedDirectly() {
        long id = requestProd("1.2.0", Tokens.user("bob"), null);
        Response approval = decide(Tokens.serviceAccount("release-bot"), id, "{\"onBehalfOf\":\"BOB\"}");
        assertProblem(approval, 403, "self-approval");
        assertThat(state(id)).isEqualTo("requested");
    }

    @Test
    void aBotApprovesForASecondReleaseManager() {
        long id = requestProd("1.3.0", Tokens.user("bob"), null);
        Response approval = decide(Tokens.serviceAccount("release-bot"), id, "{\"onBehalfOf\":\"dave\"}");
        assertThat(approval.statusCode()).as(approval.asString()).isEqualTo(200);
        assertThat(approval.jsonPath().getString("state")).isEqualTo("applied");
    }

    private static long requestProd(String version, String token, String onBehalfOf) {
        for (String env : new String[] {"review", "staging"}) {
            assertThat(promote(Tokens.user("alice"), "sextant", version, env, "to " + env, null, null).statusCode()).isIn(200, 201);
        }
        Response requested = promote(token, "sextant", version, "prod", "release " + version, onBehalfOf, null);
        assertThat(requested.statusCode()).as(requested.asString()).isEqualTo(202);
        return requested.jsonPath().getLong("id");
    }

    private static Response decide(String token, long id, String body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/promotions/" + id + "/approve");
    }

    private static String state(long id) {
        return given().auth().oauth2(Tokens.user("carol")).get("/api/promotions/" + id).jsonPath().getString("state");
    }
}
