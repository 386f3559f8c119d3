package dev.yardmaster.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.core.Problem;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a 4xx problem+json with a stable type and a sentence a person can act on. */
@QuarkusTest
class ProblemDetailsTest {

    @BeforeEach
    @AfterEach
    void unlock() {
        given().auth().oauth2(Tokens.user("bob")).delete("/api/environments/staging/lock").then().statusCode(200);
    }

    @Test
    void aNulInAQueryOrPathParameterIsA400ProblemNotADatabaseError() {
        for (Response response : java.util.List.of(
                given().auth().oauth2(Tokens.user("carol")).queryParam("actor", "ca\u0000rol").get("/api/audit"),
                given().auth().oauth2(Tokens.user("carol")).urlEncodingEnabled(false).get("/api/environments/sta%00ging"),
                given().auth().oauth2(Tokens.user("carol")).queryParam("package", "x\u0000").get("/api/drift"))) {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.jsonPath().getString("type")).endsWith("invalid-parameter");
        }
    }

    @Test
    void malformedJsonIsA400Problem() {
        Response response = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"reason\": ").put("/api/environments/staging/lock");
        assertProblem(response, 400, "malformed-json");
        assertThat(response.jsonPath().getString("detail")).contains("not valid JSON");
    }

    @Test
    void aMissingReasonNamesTheField() {
        Response response = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{}").put("/api/environments/staging/lock");
        assertProblem(response, 400, "invalid-request");
        assertThat(response.jsonPath().getString("detail")).contains("reason");
    }

    @Test
    void anUnknownEnvironmentIs404AndListsTheKnownOnes() {
        Response response = given().auth().oauth2(Tokens.user("alice")).get("/api/environments/qa");
        assertProblem(response, 404, "environment-not-found");
        assertThat(response.jsonPath().getString("detail")).contains("review, staging, prod");
    }

    @Test
    void lockingTwiceIsAConflictThatNamesTheHolder() {
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"reason\":\"incident 42\"}").put("/api/environments/staging/lock").then().statusCode(200);
        Response again = given().auth().oauth2(Tokens.user("bob")).contentType("application/json")
                .body("{\"reason\":\"mine\"}").put("/api/environments/staging/lock");
        assertProblem(again, 409, "environment-already-locked");
        assertThat(again.jsonPath().getString("detail")).contains("alice").contains("incident 42");
    }

    @Test
    void unknownPathsAndWrongMethodsAreProblemsToo() {
        assertProblem(given().auth().oauth2(Tokens.bot()).get("/api/nothing-here"), 404, "not-found");
        assertProblem(given().auth().oauth2(Tokens.bot()).delete("/api/environments"), 405, "method-not-allowed");
    }

    @Test
    void browsersGetAReadableErrorPageWithoutAStackTrace() {
        Response response = given().auth().oauth2(Tokens.user("carol")).accept("text/html").get("/no-such-page");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("text/html");
        assertThat(response.asString()).contains("Not Found").doesNotContain("Exception").doesNotContain("at dev.");
    }

    static void assertProblem(Response response, int status, String typeSlug) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("type")).isEqualTo(Problem.TYPE_BASE + typeSlug);
        assertThat(response.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(response.jsonPath().getString("detail")).isNotBlank();
    }
}
