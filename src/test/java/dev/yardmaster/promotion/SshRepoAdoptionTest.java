package dev.yardmaster.promotion;

import static dev.yardmaster.promotion.AdoptionRepo.file;
import static dev.yardmaster.promotion.AdoptionRepo.nevra;
import static dev.yardmaster.promotion.RepoAdoptionTest.alsoServed;
import static dev.yardmaster.promotion.RepoAdoptionTest.audit;
import static dev.yardmaster.promotion.RepoAdoptionTest.live;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SSH mode with {@code older-builds=keep}: the directories are adopted over SFTP, a hand
 * change is seen within one scan interval, promotions add a link and keep the older ones (as
 * the team's scripts do), and rollbacks remove the newer links, also right after adoption.
 */
@QuarkusTest
@TestProfile(SshAdoptionRepoProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SshRepoAdoptionTest {

    static final Path ROOT = SshAdoptionRepoProfile.ROOT;

    @Test
    @Order(1)
    void theScheduledScanAdoptsEachDirectoryOverSsh() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> audit("promotion.adopted").size() == 6);
        Map<String, Object> review = live("review", "flingerator");
        assertThat(review.get("nevra")).isEqualTo(nevra("flingerator", "1.2.0"));
        assertThat(review.get("origin")).isEqualTo("adopted");
        assertThat(alsoServed(review)).containsExactly(nevra("flingerator", "1.1.0"), nevra("flingerator", "1.0.0"));
        assertThat(live("staging", "flingerator").get("nevra")).isEqualTo(nevra("flingerator", "1.1.0"));
        assertThat(live("prod", "flingerator").get("nevra")).isEqualTo(nevra("flingerator", "1.0.0"));
        assertThat(live("prod", "gnip-worker").get("nevra")).isEqualTo(nevra("gnip-worker", "2.0.0"));
    }

    @Test
    @Order(2)
    void aLinkAddedByHandIsSeenWithinAScanIntervalOverSsh() {
        AdoptionRepo.byHand(ROOT, "prod", "ln -s ../build/" + file("gnip-worker", "2.1.0") + " . && createrepo_c --quiet --update .");

        // No rescan asked for: the 2 s schedule finds it.
        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> !RepoAdoptionTest.openChanges("prod").isEmpty());
        Map<String, Object> change = RepoAdoptionTest.awaitChange("prod");
        assertThat((String) change.get("summary")).contains(file("gnip-worker", "2.1.0") + " added").contains("metadata refreshed");
        Map<String, Object> prod = live("prod", "gnip-worker");
        assertThat(prod.get("nevra")).isEqualTo(nevra("gnip-worker", "2.1.0"));
        assertThat(prod.get("origin")).isEqualTo("outside");
        assertThat(alsoServed(prod)).containsExactly(nevra("gnip-worker", "2.0.0"));
        assertThat(audit("repo.changed-outside")).anySatisfy(e -> assertThat(e.get("environment")).isEqualTo("prod"));
    }

    @Test
    @Order(3)
    void aPromotionInKeepModeAddsItsLinkAndKeepsTheOlderOnes() throws Exception {
        int changes = audit("repo.changed-outside").size();
        Response promoted = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body(Map.of("package", "flingerator", "version", "1.3.0", "environment", "review", "reason", "next release"))
                .post("/api/promotions");
        assertThat(promoted.statusCode()).as(promoted.asString()).isEqualTo(201);

        assertThat(flingeratorLinks("review")).containsExactlyInAnyOrder(file("flingerator", "1.0.0"), file("flingerator", "1.1.0"),
                file("flingerator", "1.2.0"), file("flingerator", "1.3.0"));
        Map<String, Object> review = live("review", "flingerator");
        assertThat(review.get("nevra")).isEqualTo(nevra("flingerator", "1.3.0"));
        assertThat(review.get("origin")).isEqualTo("console");
        assertThat(alsoServed(review)).containsExactly(nevra("flingerator", "1.2.0"), nevra("flingerator", "1.1.0"),
                nevra("flingerator", "1.0.0"));
        assertThat(newestForDnf(ROOT.resolve("review"), "flingerator")).isEqualTo(nevra("flingerator", "1.3.0"));
        // Two scans later the console's own change is still not one made outside.
        RepoAdoptionTest.rescan();
        RepoAdoptionTest.rescan();
        assertThat(audit("repo.changed-outside")).hasSize(changes);
    }

    @Test
    @Order(4)
    void aRollbackInKeepModeRemovesTheNewerLinks() throws Exception {
        Response back = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body(Map.of("reason", "1.3.0 breaks flinging")).post("/api/environments/review/packages/flingerator/rollback");
        assertThat(back.statusCode()).as(back.asString()).isEqualTo(201);
        assertThat(back.jsonPath().getString("nevra")).isEqualTo(nevra("flingerator", "1.2.0"));

        assertThat(flingeratorLinks("review")).containsExactlyInAnyOrder(file("flingerator", "1.0.0"), file("flingerator", "1.1.0"),
                file("flingerator", "1.2.0"));
        assertThat(alsoServed(live("review", "flingerator"))).containsExactly(nevra("flingerator", "1.1.0"), nevra("flingerator", "1.0.0"));
        assertThat(newestForDnf(ROOT.resolve("review"), "flingerator")).isEqualTo(nevra("flingerator", "1.2.0"));
    }

    @Test
    @Order(5)
    void aRollbackRightAfterAdoptionGoesToTheNewestOlderBuildTheDirectoryServes() throws Exception {
        Response back = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body(Map.of("reason", "back to what staging had before")).post("/api/environments/staging/packages/flingerator/rollback");
        assertThat(back.statusCode()).as(back.asString()).isEqualTo(201);
        assertThat(back.jsonPath().getString("nevra")).isEqualTo(nevra("flingerator", "1.0.0"));

        assertThat(flingeratorLinks("staging")).containsExactly(file("flingerator", "1.0.0"));
        assertThat(live("staging", "flingerator").get("nevra")).isEqualTo(nevra("flingerator", "1.0.0"));
        assertThat(alsoServed(live("staging", "flingerator"))).isEmpty();
        assertThat(RepoAdoptionTest.openChanges("staging")).isEmpty();
    }

    private static List<String> flingeratorLinks(String env) throws Exception {
        try (var files = Files.list(ROOT.resolve(env))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("flingerator-")).sorted().toList();
        }
    }

    /** What {@code yum install flingerator} would pick: the newest build the metadata lists. */
    static String newestForDnf(Path repo, String pkg) throws Exception {
        Path cache = Files.createTempDirectory("dnfcache");
        Process p = new ProcessBuilder("dnf", "-q", "--releasever=1", "--setopt=cachedir=" + cache, "--setopt=reposdir=/nonexistent",
                "--repofrompath=env," + repo.toUri(), "--repo=env", "--setopt=env.gpgcheck=0",
                "repoquery", "--latest-limit=1", "--qf", "%{name}-%{version}-%{release}.%{arch}", pkg)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
