package dev.yardmaster.promotion;

import static dev.yardmaster.promotion.AdoptionRepo.file;
import static dev.yardmaster.promotion.AdoptionRepo.nevra;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Local mode: Yardmaster adopts a repo server that scripts have been promoting into for years,
 * then notices every kind of change people make there by hand, at once (the directory watch),
 * while its own promotions are never taken for one.
 */
@QuarkusTest
@TestProfile(AdoptionRepoProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RepoAdoptionTest {

    static final Path ROOT = AdoptionRepoProfile.ROOT;

    @Inject
    RepoAdoption adoption;

    @Test
    @Order(1)
    void theFirstScanAdoptsWhatEachDirectoryServesWithTheNewestBuildLive() {
        // AdoptionBrowserTest (same application, sorts first) may have made the first scan and one
        // acknowledged hand change already; adopting is never a change made outside.
        int outside = audit("repo.changed-outside").size();
        rescan();

        Map<String, Object> review = live("review", "flingerator");
        assertThat(review.get("nevra")).isEqualTo(nevra("flingerator", "1.2.0"));
        assertThat(review.get("origin")).isEqualTo("adopted");
        assertThat(alsoServed(review)).containsExactly(nevra("flingerator", "1.1.0"), nevra("flingerator", "1.0.0"));
        assertThat(live("review", "gnip-worker").get("nevra")).isEqualTo(nevra("gnip-worker", "2.1.1"));
        assertThat(live("staging", "flingerator").get("nevra")).isEqualTo(nevra("flingerator", "1.1.0"));
        assertThat(live("staging", "gnip-worker").get("nevra")).isEqualTo(nevra("gnip-worker", "2.1.0"));
        // A plain copy of an RPM counts as served, matched to the catalog by its file name.
        assertThat(live("prod", "flingerator").get("nevra")).isEqualTo(nevra("flingerator", "1.0.0"));
        assertThat(alsoServed(live("prod", "flingerator"))).isEmpty();
        assertThat(live("prod", "gnip-worker").get("nevra")).isEqualTo(nevra("gnip-worker", "2.0.0"));

        List<Map<String, Object>> adopted = audit("promotion.adopted");
        assertThat(adopted).hasSize(6).allSatisfy(e -> assertThat(e.get("actor")).isEqualTo("yardmaster"));
        Map<String, Object> reviewFlingerator = adopted.stream()
                .filter(e -> "review".equals(e.get("environment")) && "flingerator".equals(e.get("packageName"))).findFirst().orElseThrow();
        assertThat(details(reviewFlingerator).get("found").toString()).contains(file("flingerator", "1.0.0") + " -> build/");
        assertThat(audit("repo.changed-outside")).hasSize(outside);
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/environments/review/packages/flingerator/history")
                .jsonPath().getString("[0].origin")).isEqualTo("adopted");

        // Builds say where they are live, and a second scan adopts nothing again.
        rescan();
        assertThat(audit("promotion.adopted")).hasSize(6);
        Response repo = given().auth().oauth2(Tokens.user("carol")).get("/api/environments/prod/repo");
        assertThat(repo.jsonPath().getList("files.kind", String.class)).containsExactly("file", "link");
        assertThat(repo.jsonPath().getString("repomdSha256")).hasSize(64);
    }

    @Test
    @Order(2)
    void replicasReadingAtOnceAdoptNothingTwice() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<RepoAdoption.Outcome>>> reads = List.of(pool.submit(adoption::readAll),
                    pool.submit(adoption::readAll), pool.submit(adoption::readAll), pool.submit(adoption::readAll));
            for (Future<List<RepoAdoption.Outcome>> read : reads) {
                assertThat(read.get()).allSatisfy(o -> assertThat(o.change()).isNull());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(audit("promotion.adopted")).hasSize(6);
        long live = QuarkusTransaction.requiringNew().call(() -> Promotion.count("state", Promotion.State.applied));
        assertThat(live).isEqualTo(6);
    }

    @Test
    @Order(3)
    void aLinkAddedByHandIsSeenAtOnceAuditedWithBeforeAndAfterAndTheLiveBuildFollows() {
        AdoptionRepo.byHand(ROOT, "staging", "ln -s ../build/" + file("flingerator", "1.2.0") + " . && createrepo_c --quiet --update .");

        Map<String, Object> change = awaitChange("staging");
        assertThat((String) change.get("summary")).contains(file("flingerator", "1.2.0") + " added").contains("metadata refreshed");
        assertThat(files(change, "before")).doesNotContainKey(file("flingerator", "1.2.0"));
        assertThat(files(change, "after")).containsEntry(file("flingerator", "1.2.0"), file("flingerator", "1.2.0"));
        assertThat(liveOf(change, "before")).containsEntry("flingerator", nevra("flingerator", "1.1.0"));
        assertThat(liveOf(change, "after")).containsEntry("flingerator", nevra("flingerator", "1.2.0"));

        Map<String, Object> staging = live("staging", "flingerator");
        assertThat(staging.get("nevra")).isEqualTo(nevra("flingerator", "1.2.0"));
        assertThat(staging.get("origin")).isEqualTo("outside");
        assertThat(alsoServed(staging)).containsExactly(nevra("flingerator", "1.1.0"), nevra("flingerator", "1.0.0"));

        List<Map<String, Object>> audited = audit("repo.changed-outside");
        assertThat(audited).anySatisfy(e -> {
            assertThat(e.get("environment")).isEqualTo("staging");
            assertThat(e.get("actor")).isEqualTo("yardmaster");
            assertThat(details(e)).containsKeys("before", "after");
        });
        long webhooks = QuarkusTransaction.requiringNew().call(() -> ((Number) Promotion.getEntityManager().createNativeQuery(
                "SELECT count(*) FROM webhook_delivery WHERE endpoint = 'ops' AND event_type = 'repo.changed-outside'")
                .getSingleResult()).longValue());
        assertThat(webhooks).isGreaterThanOrEqualTo(1);
    }

    @Test
    @Order(4)
    void aLinkRemovedByHandLeavesTheLiveBuildAndIsAudited() {
        AdoptionRepo.byHand(ROOT, "review", "rm " + file("flingerator", "1.0.0") + " && createrepo_c --quiet --update .");

        Map<String, Object> change = awaitChange("review");
        assertThat((String) change.get("summary")).contains(file("flingerator", "1.0.0") + " removed");
        assertThat(files(change, "before")).containsKey(file("flingerator", "1.0.0"));
        assertThat(files(change, "after")).doesNotContainKey(file("flingerator", "1.0.0"));
        assertThat(live("review", "flingerator").get("nevra")).isEqualTo(nevra("flingerator", "1.2.0"));
        assertThat(alsoServed(live("review", "flingerator"))).containsExactly(nevra("flingerator", "1.1.0"));
    }

    @Test
    @Order(5)
    void aLinkReplacedByHandIsAChangeAndTheLiveBuildFollowsItsNewTarget() {
        AdoptionRepo.byHand(ROOT, "prod", "ln -sfn ../build/" + file("gnip-worker", "2.1.0") + " " + file("gnip-worker", "2.0.0")
                + " && createrepo_c --quiet --update .");

        Map<String, Object> change = awaitChange("prod");
        assertThat((String) change.get("summary")).contains(file("gnip-worker", "2.0.0") + " replaced");
        assertThat(files(change, "after")).containsEntry(file("gnip-worker", "2.0.0"), file("gnip-worker", "2.1.0"));
        assertThat(live("prod", "gnip-worker").get("nevra")).isEqualTo(nevra("gnip-worker", "2.1.0"));
        acknowledgeAll("prod", "bob");
    }

    @Test
    @Order(6)
    void metadataRefreshedByHandIsAChangeEvenWithTheSameLinks() {
        AdoptionRepo.byHand(ROOT, "prod", "createrepo_c --quiet --update .");

        Map<String, Object> change = awaitChange("prod");
        assertThat(change.get("summary")).isEqualTo("metadata refreshed");
        assertThat(((Map<?, ?>) change.get("before")).get("repomdSha256"))
                .isNotEqualTo(((Map<?, ?>) change.get("after")).get("repomdSha256"));
        assertThat(live("prod", "gnip-worker").get("nevra")).isEqualTo(nevra("gnip-worker", "2.1.0"));
    }

    @Test
    @Order(7)
    void theConsolesOwnPromotionIsNeverAChangeMadeOutsideAndReplacesTheOlderLinks() throws Exception {
        acknowledgeAll("review", "alice");
        int before = audit("repo.changed-outside").size();
        Response promoted = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body(Map.of("package", "flingerator", "version", "1.3.0", "environment", "review", "reason", "next release"))
                .post("/api/promotions");
        assertThat(promoted.statusCode()).as(promoted.asString()).isEqualTo(201);
        assertThat(promoted.jsonPath().getString("origin")).isEqualTo("console");
        // The watch saw the promotion's own file events; a scan reads every directory again.
        rescan();
        assertThat(audit("repo.changed-outside")).hasSize(before);
        assertThat(openChanges("review")).isEmpty();

        try (var links = Files.list(ROOT.resolve("review"))) {
            assertThat(links.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("flingerator-")))
                    .containsExactly(file("flingerator", "1.3.0"));
        }
        Map<String, Object> review = live("review", "flingerator");
        assertThat(review.get("nevra")).isEqualTo(nevra("flingerator", "1.3.0"));
        assertThat(review.get("origin")).isEqualTo("console");
        assertThat(alsoServed(review)).isEmpty();
        assertThat(EnvironmentRepoTest.dnfRepoquery(ROOT.resolve("review"), "flingerator")).isEqualTo(nevra("flingerator", "1.3.0"));
    }

    @Test
    @Order(8)
    void acknowledgingNeedsTheRoleThatMayPromoteThereAndIsAudited() {
        long id = openChanges("staging").get(0);
        given().auth().oauth2(Tokens.user("carol")).contentType("application/json").body("{}")
                .post("/api/environments/staging/repo/changes/" + id + "/acknowledge").then().statusCode(403);
        long prodChange = openChanges("prod").get(0);
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{}")
                .post("/api/environments/prod/repo/changes/" + prodChange + "/acknowledge").then().statusCode(403);
        assertThat(openChanges("prod")).contains(prodChange);

        Response ok = given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{}")
                .post("/api/environments/staging/repo/changes/" + id + "/acknowledge");
        assertThat(ok.statusCode()).as(ok.asString()).isEqualTo(200);
        assertThat(ok.jsonPath().getString("acknowledgedBy")).isEqualTo("alice");
        assertThat(openChanges("staging")).doesNotContain(id);
        assertThat(audit("repo.change-acknowledged")).anySatisfy(e -> {
            assertThat(e.get("actor")).isEqualTo("alice");
            assertThat(e.get("environment")).isEqualTo("staging");
        });
        given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body("{}")
                .post("/api/environments/prod/repo/changes/" + prodChange + "/acknowledge").then().statusCode(200);
        given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body("{}")
                .post("/api/environments/prod/repo/changes/999999/acknowledge").then().statusCode(404);
    }

    // --- helpers shared with the SSH and browser tests --------------------------------------

    static void rescan() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan").then().statusCode(200);
    }

    static Map<String, Object> live(String env, String pkg) {
        List<Map<String, Object>> packages = given().auth().oauth2(Tokens.user("carol")).get("/api/environments/" + env)
                .jsonPath().getList("packages");
        return packages.stream().filter(p -> pkg.equals(p.get("package"))).findFirst()
                .orElseThrow(() -> new AssertionError(pkg + " is not live in " + env + ": " + packages));
    }

    @SuppressWarnings("unchecked")
    static List<String> alsoServed(Map<String, Object> live) {
        return ((List<Map<String, Object>>) live.get("alsoServed")).stream().map(b -> (String) b.get("nevra")).toList();
    }

    static List<Map<String, Object>> audit(String action) {
        return given().auth().oauth2(Tokens.user("carol")).queryParam("action", action).queryParam("limit", 200)
                .get("/api/audit").jsonPath().getList("events");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> details(Map<String, Object> event) {
        return (Map<String, Object>) event.get("details");
    }

    static List<Long> openChanges(String env) {
        return given().auth().oauth2(Tokens.user("carol")).queryParam("open", true).get("/api/environments/" + env + "/repo/changes")
                .jsonPath().getList("id", Long.class);
    }

    /** Waits for the environment's one open change (acknowledging earlier ones first is the caller's job). */
    static Map<String, Object> awaitChange(String env) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !openChanges(env).isEmpty());
        List<Map<String, Object>> open = given().auth().oauth2(Tokens.user("carol")).queryParam("open", true)
                .get("/api/environments/" + env + "/repo/changes").jsonPath().getList("");
        assertThat(open).as("one hand change is one recorded change").hasSize(1);
        return open.get(0);
    }

    static void acknowledgeAll(String env, String user) {
        for (long id : openChanges(env)) {
            given().auth().oauth2(Tokens.user(user)).contentType("application/json").body("{}")
                    .post("/api/environments/" + env + "/repo/changes/" + id + "/acknowledge").then().statusCode(200);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> files(Map<String, Object> change, String side) {
        return (Map<String, Object>) ((Map<String, Object>) change.get(side)).get("files");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> liveOf(Map<String, Object> change, String side) {
        return (Map<String, Object>) ((Map<String, Object>) change.get(side)).get("live");
    }
}
