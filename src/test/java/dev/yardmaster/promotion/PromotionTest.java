package dev.yardmaster.promotion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.build.Build;
import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Promotions end to end: the API, the lifecycle rules, approvals, rollback, and their effect
 * on a real repo server layout read back by createrepo_c's metadata and by dnf.
 */
@QuarkusTest
@TestProfile(PromotionRepoProfile.class)
class PromotionTest {

    static final Path ROOT = PromotionRepoProfile.ROOT;

    @BeforeEach
    void indexed() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan").then().statusCode(200);
    }

    @Test
    void aBotPromotesIntoReviewAndDnfSeesExactlyThatBuild() throws Exception {
        Response response = promote(Tokens.bot(), "flingerator", "1.0.0", "review", "ship it", "erin", null);
        assertThat(response.statusCode()).as(response.asString()).isIn(200, 201);
        assertThat(response.jsonPath().getString("state")).isEqualTo("applied");
        assertThat(response.jsonPath().getString("onBehalfOf")).isEqualTo("erin");
        assertThat(EnvironmentRepoTest.dnfRepoquery(ROOT.resolve("review"), "flingerator")).isEqualTo("flingerator-1.0.0-1.noarch");

        Response audit = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "promotion.applied")
                .queryParam("actor", "erin").get("/api/audit");
        assertThat(audit.jsonPath().getList("events.subject", String.class)).anyMatch(s -> s.contains("flingerator-1.0.0-1.noarch"));
    }

    @Test
    void outOfOrderIsA409NamingTheMissingStepAndIsAudited() {
        Response response = promote(Tokens.user("alice"), "flingerator", "1.3.0", "staging", "skip review", null, null);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(409);
        assertThat(response.jsonPath().getString("type")).endsWith("/out-of-order");
        assertThat(response.jsonPath().getString("missingStep")).isEqualTo("review");
        assertThat(response.jsonPath().getString("detail")).contains("promote it to review before staging");
        Response refused = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "request.refused")
                .queryParam("actor", "alice").get("/api/audit");
        assertThat(refused.jsonPath().getList("events.details.type", String.class)).anyMatch(t -> t.endsWith("/out-of-order"));
    }

    @Test
    void promotingTheLiveBuildAgainChangesNothing() {
        promote(Tokens.user("alice"), "flingerator", "1.1.0", "review", "first", null, null).then().statusCode(201);
        Response again = promote(Tokens.user("alice"), "flingerator", "1.1.0", "review", "again", null, null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.jsonPath().getString("state")).isEqualTo("applied");
    }

    @Test
    void anIdempotencyKeyMakesARetrySafe() {
        Response first = promote(Tokens.bot(), "flingerator", "1.2.0", "review", "retry me", null, "key-42");
        Response retry = promote(Tokens.bot(), "flingerator", "1.2.0", "review", "retry me", null, "key-42");
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.jsonPath().getLong("id")).isEqualTo(first.jsonPath().getLong("id"));
    }

    @Test
    void prodNeedsASecondReleaseManager() throws Exception {
        for (String env : List.of("review", "staging")) {
            assertThat(promote(Tokens.user("alice"), "flingerator", "1.2.0", env, "to " + env, null, null).statusCode()).isIn(200, 201);
        }
        assertThat(promote(Tokens.user("alice"), "flingerator", "1.2.0", "prod", "alice wants prod", null, null).statusCode())
                .as("a deployer cannot change prod").isEqualTo(403);
        Response requested = promote(Tokens.user("bob"), "flingerator", "1.2.0", "prod", "release 1.2", null, null);
        assertThat(requested.statusCode()).as(requested.asString()).isEqualTo(202);
        assertThat(requested.jsonPath().getString("state")).isEqualTo("requested");
        long id = requested.jsonPath().getLong("id");

        Response self = given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body("{}")
                .post("/api/promotions/" + id + "/approve");
        assertThat(self.statusCode()).isEqualTo(403);
        assertThat(self.jsonPath().getString("type")).endsWith("/self-approval");
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{}")
                .post("/api/promotions/" + id + "/approve").then().statusCode(403);

        Response approved = given().auth().oauth2(Tokens.user("dave")).contentType("application/json")
                .body("{\"note\":\"looks good\"}").post("/api/promotions/" + id + "/approve");
        assertThat(approved.statusCode()).as(approved.asString()).isEqualTo(200);
        assertThat(approved.jsonPath().getString("state")).isEqualTo("applied");
        assertThat(approved.jsonPath().getString("decidedBy")).isEqualTo("dave");
        assertThat(new EnvironmentRepo(new LocalRepoHost(), ROOT.toString(), Duration.ofSeconds(10), Duration.ofSeconds(30))
                .listed("prod", "flingerator")).containsExactly("flingerator-1.2.0-1.noarch");
    }

    @Test
    void unreviewedBuildsCannotReachProd() {
        for (String env : List.of("review", "staging")) {
            promote(Tokens.user("alice"), "flingerator", "1.4.0", env, "hotfix", null, null);
        }
        Response prod = promote(Tokens.user("bob"), "flingerator", "1.4.0", "prod", "hotfix", null, null);
        assertThat(prod.statusCode()).isEqualTo(409);
        assertThat(prod.jsonPath().getString("type")).endsWith("/build-unreviewed");
    }

    @Test
    void rollbackPutsThePreviousBuildBack() {
        promote(Tokens.user("alice"), "flingerator", "1.0.0", "review", "old", null, null);
        promote(Tokens.user("alice"), "flingerator", "1.3.0", "review", "new", null, null).then().statusCode(201);
        Response rollback = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"reason\":\"1.3.0 breaks login\"}").post("/api/environments/review/packages/flingerator/rollback");
        assertThat(rollback.statusCode()).as(rollback.asString()).isEqualTo(201);
        assertThat(rollback.jsonPath().getString("nevra")).isEqualTo("flingerator-1.0.0-1.noarch");
        assertThat(rollback.jsonPath().getLong("rollbackOf")).isPositive();

        Response live = given().auth().oauth2(Tokens.user("carol")).get("/api/environments/review/packages");
        assertThat(live.jsonPath().getList("findAll { it.package == 'flingerator' }.nevra", String.class))
                .containsExactly("flingerator-1.0.0-1.noarch");
        Response history = given().auth().oauth2(Tokens.user("carol")).get("/api/environments/review/packages/flingerator/history");
        assertThat(history.jsonPath().getList("nevra", String.class)).startsWith("flingerator-1.0.0-1.noarch", "flingerator-1.3.0-1.noarch");
    }

    @Test
    void badInputIsRefusedClearly() {
        assertProblem(promote(Tokens.user("alice"), "../../etc", "1.0.0", "review", "x", null, null), 400, "invalid-package-name");
        assertProblem(promote(Tokens.user("alice"), "flingerator", "1.0;rm -rf /", "review", "x", null, null), 400, "invalid-version");
        assertProblem(promote(Tokens.user("alice"), "flingerator", "1.0.0", "../prod", "x", null, null), 400, "invalid-environment-name");
        assertProblem(promote(Tokens.user("alice"), "flingerator", "1.0.0", "qa", "x", null, null), 404, "environment-not-found");
        assertProblem(promote(Tokens.user("alice"), "flingerator", "9.9.9", "review", "x", null, null), 404, "build-not-found");
        assertProblem(promote(Tokens.user("alice"), "flingerator", "1.0.0", "review", " ", null, null), 400, "reason-required");
        assertProblem(given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body("{}")
                .post("/api/promotions/999999/approve"), 404, "promotion-not-found");
    }

    @Test
    void aBuildWhoseFileVanishedIsA409() throws Exception {
        Path file = ROOT.resolve("build/gnip-worker-2.0.19-1.noarch.rpm");
        Path aside = ROOT.resolve("gnip-worker-2.0.19-1.noarch.rpm.aside");
        Files.move(file, aside);
        try {
            assertProblem(promote(Tokens.user("alice"), "gnip-worker", "2.0.19", "review", "gone", null, null), 409,
                    "build-file-missing");
        } finally {
            Files.move(aside, file);
        }
    }

    @Test
    void twentyConcurrentPromotionsAreSerializedAndConsistent() throws Exception {
        List<Future<Response>> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(PromotionRepoProfile.CONCURRENT);
        try {
            for (int i = 0; i < PromotionRepoProfile.CONCURRENT; i++) {
                String version = "2.0." + i;
                results.add(pool.submit(() -> promote(Tokens.user("alice"), "gnip-worker", version, "review", "race", null, null)));
            }
        } finally {
            pool.shutdown();
        }
        for (Future<Response> result : results) {
            assertThat(result.get().statusCode()).as(result.get().asString()).isEqualTo(201);
        }
        List<String> links;
        try (Stream<Path> files = Files.list(ROOT.resolve("review"))) {
            links = files.filter(Files::isSymbolicLink).map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("gnip-worker-")).toList();
        }
        assertThat(links).hasSize(1);
        Response live = given().auth().oauth2(Tokens.user("carol")).get("/api/environments/review/packages");
        String liveNevra = live.jsonPath().getString("find { it.package == 'gnip-worker' }.nevra");
        assertThat(links.get(0)).isEqualTo(liveNevra + ".rpm");
        assertThat(new EnvironmentRepo(new LocalRepoHost(), ROOT.toString(), Duration.ofSeconds(10), Duration.ofSeconds(30))
                .listed("review", "gnip-worker")).containsExactly(liveNevra);
        Response audited = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "promotion.applied")
                .queryParam("environment", "review").queryParam("package", "gnip-worker").queryParam("limit", "100").get("/api/audit");
        assertThat(audited.jsonPath().getList("events")).hasSize(PromotionRepoProfile.CONCURRENT);
        long superseded = QuarkusTransaction.requiringNew().call(() -> Promotion.count(
                "packageName = ?1 and environment.name = ?2 and state = ?3", "gnip-worker", "review", Promotion.State.superseded));
        assertThat(superseded).isEqualTo(PromotionRepoProfile.CONCURRENT - 1);
    }

    static Response promote(String token, String pkg, String version, String env, String reason, String onBehalfOf,
            String idempotencyKey) {
        var spec = given().auth().oauth2(token).contentType("application/json");
        if (idempotencyKey != null) {
            spec = spec.header("Idempotency-Key", idempotencyKey);
        }
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("package", pkg);
        body.put("version", version);
        body.put("environment", env);
        body.put("reason", reason);
        if (onBehalfOf != null) {
            body.put("onBehalfOf", onBehalfOf);
        }
        return spec.body(body).post("/api/promotions");
    }

    static void assertProblem(Response response, int status, String slug) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("type")).endsWith("/" + slug);
    }

    static long buildId(String nevra) {
        return QuarkusTransaction.requiringNew().call(() -> Build.<Build>find("nevra", nevra).firstResult().id);
    }
}
