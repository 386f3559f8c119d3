package dev.yardmaster.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.RealmPeople;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * Who may act for whom (issue 16, reproduction 1): only a service account with the chatops
 * role may name a person in {@code onBehalfOf}, only a person the realm knows, and only within
 * that person's own roles. The audit log's actor filter finds people whatever the case.
 */
@QuarkusTest
class OnBehalfOfTest {

    @Test
    void aPersonSendingOnBehalfOfIsRefusedAndNothingIsRecordedUnderTheNamedPerson() {
        String victim = RealmPeople.fresh("viewer");
        Response response = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .queryParam("onBehalfOf", victim).body("{\"reason\":\"not me\"}").put("/api/environments/review/lock");
        assertProblem(response, 403, "on-behalf-of-refused");
        assertThat(response.jsonPath().getString("detail")).contains("alice is a person");

        Response underVictim = given().auth().oauth2(Tokens.user("carol")).queryParam("actor", victim).get("/api/audit");
        assertThat(underVictim.jsonPath().getList("events")).isEmpty();
        given().auth().oauth2(Tokens.user("carol")).get("/api/environments/review").then().statusCode(200)
                .body("lock", org.hamcrest.Matchers.nullValue());
    }

    @Test
    void aPersonCannotSendOnBehalfOfInABodyEither() {
        Response response = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"package\":\"nosuch\",\"version\":\"1.0\",\"environment\":\"review\",\"reason\":\"x\",\"onBehalfOf\":\"erin\"}")
                .post("/api/promotions");
        assertProblem(response, 403, "on-behalf-of-refused");
    }

    @Test
    void aServiceAccountWithoutTheChatopsRoleCannotActForAnyone() {
        Response response = given().auth().oauth2(Tokens.serviceAccount("plain-bot")).queryParam("onBehalfOf", "erin")
                .post("/api/drift/check?environment=review");
        assertProblem(response, 403, "on-behalf-of-refused");
        assertThat(response.jsonPath().getString("detail")).contains("plain-bot is a service account without the chatops role");
    }

    @Test
    void theChatopsBotActsForAKnownPersonUnderTheirCanonicalName() {
        String person = RealmPeople.fresh("deployer");
        given().auth().oauth2(Tokens.bot()).contentType("application/json").queryParam("onBehalfOf", person.toUpperCase())
                .body("{\"reason\":\"for a person\"}").put("/api/environments/staging/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.bot()).queryParam("onBehalfOf", person)
                .delete("/api/environments/staging/lock").then().statusCode(200);

        Response events = given().auth().oauth2(Tokens.user("carol")).queryParam("actor", person.toUpperCase())
                .queryParam("action", "environment.*").get("/api/audit");
        assertThat(events.jsonPath().getList("events.onBehalfOf", String.class)).containsExactly(person, person);
        assertThat(events.jsonPath().getList("events.actor", String.class)).containsOnly("chatops-bot");
    }

    @Test
    void theChatopsBotCannotActForANameTheRealmDoesNotKnow() {
        Response response = given().auth().oauth2(Tokens.bot()).contentType("application/json").queryParam("onBehalfOf", "mallory")
                .body("{\"reason\":\"who?\"}").put("/api/environments/review/lock");
        assertProblem(response, 403, "unknown-person");
        Response bot = given().auth().oauth2(Tokens.serviceAccount("release-bot")).contentType("application/json")
                .queryParam("onBehalfOf", "service-account-chatops-bot").body("{\"reason\":\"a bot is no person\"}")
                .put("/api/environments/review/lock");
        assertProblem(bot, 403, "unknown-person");
    }

    @Test
    void theChatopsBotCannotDoForAPersonWhatThatPersonMayNot() {
        Response response = given().auth().oauth2(Tokens.bot()).contentType("application/json").queryParam("onBehalfOf", "carol")
                .body("{\"reason\":\"carol is a viewer\"}").put("/api/environments/review/lock");
        assertProblem(response, 403, "represented-person-lacks-role");

        // The endpoint admits a deployer, but prod needs a release-manager: erin is a deployer,
        // so even the release-manager bot cannot lock prod for her.
        Response prod = given().auth().oauth2(Tokens.serviceAccount("release-bot")).contentType("application/json")
                .queryParam("onBehalfOf", "erin").body("{\"reason\":\"erin is no release-manager\"}")
                .put("/api/environments/prod/lock");
        assertThat(prod.statusCode()).as(prod.asString()).isEqualTo(403);
    }

    @Test
    void onBehalfOfMustLookLikeAUserName() {
        Response response = given().auth().oauth2(Tokens.bot()).queryParam("onBehalfOf", "erin; drop table")
                .post("/api/drift/check?environment=review");
        assertProblem(response, 400, "invalid-on-behalf-of");
    }

    private static void assertProblem(Response response, int status, String slug) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("type")).endsWith("/" + slug);
    }
}
