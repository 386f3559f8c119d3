package dev.yardmaster.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every API endpoint × every identity: anonymous gets 401 problem+json, a too-small role 403,
 * the right role gets through. Later features add their rows to {@link #ENDPOINTS}.
 * Tokens are real, from the test run's Keycloak.
 */
@QuarkusTest
class AuthorizationMatrixTest {

    /** Who may call: the lowest role that passes. Identities are ordered by power. */
    enum Needs { VIEWER, DEPLOYER, RELEASE_MANAGER, ADMIN }

    record Endpoint(String method, String path, String jsonBody, Needs needs) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    /**
     * Identity → the highest role it holds. Bots are service accounts: chatops-bot (deployer) and
     * release-bot (release-manager) hold the chatops role, plain-bot (deployer) does not.
     */
    static final Map<String, Needs> IDENTITIES = Map.of(
            "carol", Needs.VIEWER,
            "alice", Needs.DEPLOYER,
            "chatops-bot", Needs.DEPLOYER,
            "plain-bot", Needs.DEPLOYER,
            "bob", Needs.RELEASE_MANAGER,
            "release-bot", Needs.RELEASE_MANAGER,
            "dave", Needs.ADMIN);

    /**
     * Who may name a person in onBehalfOf: only service accounts with the chatops role. Everyone
     * here holds deployer, which the endpoint asks for, so only the claim decides.
     */
    static final Map<String, Boolean> MAY_ACT_FOR_OTHERS = Map.of(
            "alice", false, "bob", false, "dave", false,
            "plain-bot", false, "chatops-bot", true, "release-bot", true);

    /** Quarkus' own endpoints live on the management port; the application port must not serve them. */
    static final List<String> MANAGEMENT_PATHS = List.of("/q/metrics", "/q/openapi", "/q/swagger-ui", "/q/swagger-ui/",
            "/q/health", "/q/health/ready");

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/environments", null, Needs.VIEWER),
            new Endpoint("GET", "/api/environments/review", null, Needs.VIEWER),
            new Endpoint("PUT", "/api/environments/review/lock", "{\"reason\":\"matrix\"}", Needs.DEPLOYER),
            new Endpoint("DELETE", "/api/environments/review/lock", null, Needs.DEPLOYER),
            new Endpoint("PUT", "/api/environments/prod/lock", "{\"reason\":\"matrix\"}", Needs.RELEASE_MANAGER),
            new Endpoint("DELETE", "/api/environments/prod/lock", null, Needs.RELEASE_MANAGER),
            new Endpoint("GET", "/api/audit", null, Needs.VIEWER),
            new Endpoint("GET", "/api/audit/verify", null, Needs.VIEWER),
            new Endpoint("GET", "/api/audit/export?format=csv", null, Needs.VIEWER),
            new Endpoint("GET", "/api/hosts", null, Needs.VIEWER),
            new Endpoint("GET", "/api/hosts/999999", null, Needs.VIEWER),
            new Endpoint("POST", "/api/hosts", "{}", Needs.DEPLOYER),
            new Endpoint("PUT", "/api/hosts/999999", "{}", Needs.DEPLOYER),
            new Endpoint("DELETE", "/api/hosts/999999", null, Needs.DEPLOYER),
            new Endpoint("GET", "/api/rolls", null, Needs.VIEWER),
            new Endpoint("POST", "/api/rolls/preview", "{\"package\":\"nosuch\",\"environment\":\"review\",\"target\":\"1.0-1\"}", Needs.DEPLOYER),
            new Endpoint("POST", "/api/rolls", "{\"package\":\"nosuch\",\"environment\":\"review\",\"target\":\"1.0-1\"}", Needs.DEPLOYER),
            new Endpoint("GET", "/api/rolls/999999", null, Needs.VIEWER),
            new Endpoint("GET", "/api/rolls/999999/hosts", null, Needs.VIEWER),
            new Endpoint("POST", "/api/rolls/999999/pause", null, Needs.DEPLOYER),
            new Endpoint("POST", "/api/rolls/999999/resume", null, Needs.DEPLOYER),
            new Endpoint("POST", "/api/rolls/999999/continue", null, Needs.DEPLOYER),
            new Endpoint("POST", "/api/rolls/999999/cancel", null, Needs.DEPLOYER),
            new Endpoint("POST", "/api/rolls/999999/retry", null, Needs.DEPLOYER),
            new Endpoint("GET", "/api/drift", null, Needs.VIEWER),
            new Endpoint("GET", "/api/drift?environment=review&package=flingerator", null, Needs.VIEWER),
            new Endpoint("POST", "/api/drift/check?environment=nosuch", null, Needs.DEPLOYER),
            new Endpoint("GET", "/api/packages", null, Needs.VIEWER),
            new Endpoint("GET", "/api/builds", null, Needs.VIEWER),
            new Endpoint("GET", "/api/builds/999999", null, Needs.VIEWER),
            new Endpoint("GET", "/api/builds/rejected", null, Needs.VIEWER),
            new Endpoint("POST", "/api/builds/rescan", null, Needs.DEPLOYER),
            new Endpoint("GET", "/api/promotions", null, Needs.VIEWER),
            new Endpoint("POST", "/api/promotions", "{\"package\":\"nosuch\",\"version\":\"1.0\",\"environment\":\"review\",\"reason\":\"matrix\"}", Needs.DEPLOYER),
            new Endpoint("GET", "/api/promotions/999999", null, Needs.VIEWER),
            new Endpoint("POST", "/api/promotions/999999/approve", "{}", Needs.RELEASE_MANAGER),
            new Endpoint("POST", "/api/promotions/999999/reject", "{}", Needs.RELEASE_MANAGER),
            new Endpoint("POST", "/api/environments/review/packages/nosuch/rollback", "{\"reason\":\"matrix\"}", Needs.DEPLOYER),
            new Endpoint("POST", "/api/promotions", "{\"package\":\"nosuch\",\"version\":\"1.0\",\"environment\":\"prod\",\"reason\":\"matrix\"}", Needs.RELEASE_MANAGER),
            new Endpoint("POST", "/api/environments/prod/packages/nosuch/rollback", "{\"reason\":\"matrix\"}", Needs.RELEASE_MANAGER),
            new Endpoint("GET", "/api/environments/review/repo", null, Needs.VIEWER),
            new Endpoint("GET", "/api/environments/review/repo/changes", null, Needs.VIEWER),
            new Endpoint("POST", "/api/environments/review/repo/changes/999999/acknowledge", "{}", Needs.DEPLOYER),
            new Endpoint("POST", "/api/environments/prod/repo/changes/999999/acknowledge", "{}", Needs.RELEASE_MANAGER),
            new Endpoint("GET", "/api/environments/review/packages", null, Needs.VIEWER),
            new Endpoint("GET", "/api/environments/review/packages/flingerator/history", null, Needs.VIEWER),
            new Endpoint("GET", "/api/webhooks/endpoints", null, Needs.RELEASE_MANAGER),
            new Endpoint("GET", "/api/webhooks/deliveries", null, Needs.RELEASE_MANAGER),
            // Scaling: groups come from ScalingFixture (fake AWS), discovered before the matrix runs.
            new Endpoint("GET", "/api/scaling/groups", null, Needs.VIEWER),
            new Endpoint("GET", "/api/scaling/groups/review-worker-spot", null, Needs.VIEWER),
            new Endpoint("GET", "/api/scaling/groups/review-worker-spot/activities", null, Needs.VIEWER),
            new Endpoint("POST", "/api/scaling/discover", null, Needs.DEPLOYER),
            new Endpoint("PUT", "/api/scaling/groups/review-worker-spot/desired-capacity", "{\"desiredCapacity\":10}", Needs.DEPLOYER),
            new Endpoint("PUT", "/api/scaling/groups/prod-worker-spot/desired-capacity", "{\"desiredCapacity\":4}", Needs.RELEASE_MANAGER),
            new Endpoint("POST", "/api/scaling/groups/review-worker-spot/shift-to-backup", "{\"count\":1}", Needs.DEPLOYER),
            new Endpoint("POST", "/api/scaling/groups/prod-worker-spot/shift-to-backup", "{\"count\":1}", Needs.RELEASE_MANAGER),
            new Endpoint("GET", "/api/scaling/first-boot/review/worker", null, Needs.VIEWER),
            new Endpoint("POST", "/api/scaling/first-boot/review/worker/launch-template-versions", null, Needs.DEPLOYER),
            new Endpoint("POST", "/api/scaling/first-boot/prod/worker/launch-template-versions", null, Needs.RELEASE_MANAGER));

    private static boolean scalingSeeded;

    /** Once per class, after Quarkus (and RestAssured's port) is up. */
    @BeforeEach
    void seedScalingGroups() {
        if (!scalingSeeded) {
            dev.yardmaster.scaling.ScalingFixture.standard();
            scalingSeeded = true;
        }
    }

    static Stream<Endpoint> endpoints() {
        return ENDPOINTS.stream();
    }

    static Stream<Object[]> cells() {
        List<Object[]> cells = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            IDENTITIES.forEach((identity, holds) -> cells.add(new Object[] {endpoint, identity, holds}));
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} without a token is 401 problem+json")
    @MethodSource("endpoints")
    void anonymousCallsAreUnauthorized(Endpoint endpoint) {
        Response response = call(given(), endpoint);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(response.jsonPath().getString("type")).endsWith("/unauthenticated");
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("cells")
    void rolesDecide(Endpoint endpoint, String identity, Needs holds) {
        Response response = call(given().auth().oauth2(Tokens.forIdentity(identity)), endpoint);
        if (holds.compareTo(endpoint.needs()) >= 0) {
            // Allowed: the call got past authorization. What follows (200, or 404/409 for the
            // made-up ids and states the matrix uses) is the endpoint's own business.
            assertThat(response.statusCode()).as(response.asString()).isNotIn(401, 403, 500);
        } else {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(403);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }

    @ParameterizedTest(name = "{0} sending onBehalfOf")
    @MethodSource("actingForOthers")
    void onlyChatopsServiceAccountsMayActOnBehalfOfAPerson(String identity, boolean allowed) {
        // A drift check of an environment that does not exist: past the claim it fails on its own.
        Response response = given().auth().oauth2(Tokens.forIdentity(identity)).queryParam("environment", "nosuch")
                .queryParam("onBehalfOf", "erin").post("/api/drift/check");
        if (allowed) {
            assertThat(response.statusCode()).as(response.asString()).isNotIn(401, 403, 500);
        } else {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(403);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.jsonPath().getString("type")).endsWith("/on-behalf-of-refused");
        }
    }

    static Stream<Object[]> actingForOthers() {
        return MAY_ACT_FOR_OTHERS.entrySet().stream().map(e -> new Object[] {e.getKey(), e.getValue()});
    }

    @ParameterizedTest(name = "{0} with a token of another client is 401")
    @MethodSource("endpoints")
    void aTokenIssuedToAnotherClientOfTheRealmIsUnauthorized(Endpoint endpoint) {
        Response response = call(given().auth().oauth2(Tokens.otherApp("dave")), endpoint);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    @Test
    void anEndpointThatForgetsItsRoleAnnotationIsDeniedToEveryone() {
        Response admin = given().auth().oauth2(Tokens.user("dave")).get("/api/test/forgotten-annotation");
        assertThat(admin.statusCode()).as(admin.asString()).isEqualTo(403);
        assertThat(admin.contentType()).startsWith("application/problem+json");
        assertThat(given().get("/api/test/forgotten-annotation").statusCode()).isIn(401, 403);
    }

    @Test
    void aTokenIssuedToAnotherClientOpensNoPageAndPostsNoForm() {
        Response page = given().auth().oauth2(Tokens.otherApp("dave")).redirects().follow(false).get("/builds");
        assertThat(page.statusCode()).as(page.asString()).isEqualTo(401);
        Response form = given().auth().oauth2(Tokens.otherApp("dave")).redirects().follow(false)
                .contentType("application/x-www-form-urlencoded").formParam("reason", "foreign token")
                .post("/environments/review/lock");
        assertThat(form.statusCode()).as(form.asString()).isEqualTo(401);
        Response own = given().auth().oauth2(Tokens.user("dave")).redirects().follow(false).get("/builds");
        assertThat(own.statusCode()).as("the console's own token still opens pages").isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} on the application port")
    @MethodSource("managementPaths")
    void managementEndpointsAreNotServedOnTheApplicationPort(String path) {
        for (RequestSpecification caller : List.of(given(), given().auth().oauth2(Tokens.user("dave")))) {
            Response response = caller.redirects().follow(false).get(path);
            assertThat(response.statusCode()).as(path + ": " + response.asString()).isIn(401, 404);
        }
    }

    static Stream<String> managementPaths() {
        return MANAGEMENT_PATHS.stream();
    }

    @Test
    void aGarbageTokenIsUnauthorized() {
        Response response = given().auth().oauth2("not.a.token").get("/api/environments");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private static Response call(RequestSpecification spec, Endpoint endpoint) {
        if (endpoint.jsonBody() != null) {
            spec = spec.contentType("application/json").body(endpoint.jsonBody());
        }
        return spec.request(endpoint.method(), endpoint.path());
    }
}
