package dev.yardmaster.drift;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.microsoft.playwright.Page;
import dev.yardmaster.fleet.HostPackage;
import dev.yardmaster.rollout.RollFleet;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.fleet.Fault;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drift over the 20-host loopback fleet (staging hosts run flingerator 1.1.0-1 at set-up, the
 * staging repo's newest is 1.2.0-1): versions
 * read from the hosts by "check now" and by rolls, compared with the promoted build.
 */
@QuarkusTest
@QuarkusTestResource(value = RollFleet.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DriftTest {

    static final String ALICE = Tokens.user("alice");
    static final String CAROL = Tokens.user("carol");

    @RegisterExtension
    Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Inject
    EntityManager em;

    @AfterEach
    void clearFaults() {
        RollFleet.fleet().clearFaults();
    }

    /** Makes {@code evr} the build promoted to staging, as an applied promotion would. */
    void promote(String evr) {
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("update promotion set state = 'superseded', superseded_at = now() where state = 'applied'")
                    .executeUpdate();
            String file = "flingerator-" + evr + ".noarch.rpm";
            em.createNativeQuery("""
                    insert into build (file_name, package, version, release, arch, nevra, file_size, file_mtime)
                    values (?1, 'flingerator', ?2, ?3, 'noarch', ?4, 1, now()) on conflict (file_name) do nothing""")
                    .setParameter(1, file).setParameter(2, evr.split("-")[0]).setParameter(3, evr.split("-")[1])
                    .setParameter(4, "flingerator-" + evr + ".noarch").executeUpdate();
            em.createNativeQuery("""
                    insert into promotion (build_id, environment_id, package, state, reason, requested_by, applied_at)
                    select b.id, e.id, 'flingerator', 'applied', 'drift test', 'bob', now()
                    from build b, environment e where b.file_name = ?1 and e.name = 'staging'""")
                    .setParameter(1, file).executeUpdate();
        });
    }

    static JsonPath drift() {
        return given().auth().oauth2(CAROL).get("/api/drift?environment=staging&package=flingerator").then().statusCode(200)
                .extract().jsonPath();
    }

    static JsonPath check() {
        return given().auth().oauth2(ALICE).post("/api/drift/check?environment=staging&package=flingerator").then()
                .statusCode(200).extract().jsonPath();
    }

    @Test
    @Order(1)
    void hostsNeverAskedAreUnknownAndCheckNowReadsTheirVersions() {
        promote("1.2.0-1");
        JsonPath before = drift();
        assertThat(before.getString("[0].promoted")).isEqualTo("1.2.0-1");
        assertThat(before.getInt("[0].hosts")).isEqualTo(RollFleet.HOSTS);
        assertThat(before.getInt("[0].counts.unknown")).isEqualTo(RollFleet.HOSTS);
        assertThat(before.getString("[0].drifting[0].reason")).isEqualTo("never checked");

        JsonPath checked = check();
        assertThat(checked.getInt("hosts")).isEqualTo(RollFleet.HOSTS);
        assertThat(checked.getInt("failed")).isZero();
        // Every staging host runs 1.1.0-1, older than the promoted 1.2.0-1.
        assertThat(checked.getInt("drift[0].counts.behind")).isEqualTo(RollFleet.HOSTS);
        assertThat(checked.getString("drift[0].drifting[0].installed")).isEqualTo("1.1.0-1");
        assertThat(checked.getString("drift[0].drifting[0].source")).isEqualTo("check");
    }

    @Test
    @Order(2)
    void aRollRecordsWhatItInstalledAndTheHostLeftOutShowsAsBehind() {
        String names = String.join(",", java.util.stream.IntStream.rangeClosed(1, RollFleet.HOSTS - 1)
                .mapToObj(RollFleet::address).toList());
        long id = given().auth().oauth2(ALICE).contentType("application/json")
                .body(Map.of("package", "flingerator", "environment", "staging", "names", names, "canary", 0,
                        "batchSize", "100%", "parallelism", 10))
                .post("/api/rolls").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(given().auth().oauth2(ALICE).get("/api/rolls/" + id).then().extract().jsonPath().getString("status")));
        JsonPath after = drift();
        assertThat(after.getInt("[0].counts.inSync")).as(after.prettify()).isEqualTo(RollFleet.HOSTS - 1);
        assertThat(after.getInt("[0].counts.behind")).isEqualTo(1);
        assertThat(after.getList("[0].drifting.name")).containsExactly(RollFleet.address(RollFleet.HOSTS));
        assertThat(after.getString("[0].drifting[0].state")).isEqualTo("BEHIND");
        assertThat(after.getString("[0].drifting[0].installed")).isEqualTo("1.1.0-1");
        assertThat(after.getString("[0].fix")).isEqualTo("/rolls?package=flingerator&environment=staging&names=127.0.1.20");
        HostPackage seen = QuarkusTransaction.requiringNew().call(() -> HostPackage.<HostPackage>find(
                "hostName = ?1 and packageName = 'flingerator'", RollFleet.address(1)).firstResult());
        assertThat(seen.source).isEqualTo(HostPackage.Source.roll);
        assertThat(seen.rollId).isEqualTo(id);
        assertThat(seen.installedEvr).isEqualTo("1.2.0-1");
    }

    @Test
    @Order(3)
    void hostsAheadOfAnOlderPromotedBuildAndUnreachableHostsAreToldApart() {
        promote("1.1.0-1");
        RollFleet.fault(3, Fault.REFUSED, true);
        JsonPath checked = check();
        assertThat(checked.getInt("failed")).isEqualTo(1);
        JsonPath d = drift();
        // 18 hosts answered 1.2.0-1 (ahead of 1.1.0-1), host 20 runs 1.1.0-1, host 3 could not be asked.
        assertThat(d.getInt("[0].counts.ahead")).as(d.prettify()).isEqualTo(RollFleet.HOSTS - 2);
        assertThat(d.getInt("[0].counts.inSync")).isEqualTo(1);
        assertThat(d.getInt("[0].counts.unknown")).isEqualTo(1);
        Map<String, Object> host3 = d.getMap("[0].drifting.find { it.name == '127.0.1.3' }");
        assertThat(host3.get("state")).isEqualTo("UNKNOWN");
        assertThat((String) host3.get("reason")).startsWith("last check failed");
        assertThat(host3.get("installed")).as("the last known version stays").isEqualTo("1.2.0-1");
        assertThat(host3.get("rollId")).as("a failed check is not a roll's sighting").isNull();
        assertThat(d.getString("[0].fix")).as("no roll to fix a host that cannot be reached").doesNotContain("127.0.1.3");
        promote("1.2.0-1");
    }

    @Test
    @Order(4)
    void badInputIsRefusedWithAProblemAndViewersCannotCheck() {
        given().auth().oauth2(CAROL).get("/api/drift?package=flingerator;reboot").then().statusCode(400)
                .contentType("application/problem+json").body("type", containsString("bad-package"));
        given().auth().oauth2(CAROL).get("/api/drift?environment=nosuch").then().statusCode(404);
        given().auth().oauth2(ALICE).post("/api/drift/check").then().statusCode(400)
                .body("type", containsString("environment-required"));
        given().auth().oauth2(CAROL).post("/api/drift/check?environment=staging").then().statusCode(403);
        given().auth().oauth2(ALICE).post("/api/drift/check?environment=staging&package=$(reboot)").then().statusCode(400)
                .body("detail", containsString("is not a package name"));
    }

    @Test
    @Order(5)
    void aPersonSeesTheDriftChecksNowAndRollsToFix() {
        Page page = browser.login(base.toString(), "alice");
        page.navigate(base + "rolls");
        page.click("a:has-text('Drift: which version each host runs')");
        page.waitForSelector("section.drift-card[data-environment=staging][data-package=flingerator]");
        String card = "section.drift-card[data-environment=staging][data-package=flingerator]";
        page.click(card + " button:has-text('Check now')");
        assertThat(page.textContent(".flash-ok")).contains("Asked 20 hosts in staging: 20 answered");
        assertThat(page.textContent(card + " [data-state=IN_SYNC] .n")).isEqualTo("19");
        assertThat(page.textContent(card + " [data-state=BEHIND] .n")).isEqualTo("1");
        assertThat(page.textContent(card + " tr[data-host='127.0.1.20']")).contains("BEHIND", "1.1.0-1");
        browser.screenshot("drift");
        page.click(card + " a:has-text('Roll to fix')");
        assertThat(page.inputValue("input[name=package]")).isEqualTo("flingerator");
        assertThat(page.inputValue("select[name=environment]")).isEqualTo("staging");
        assertThat(page.inputValue("input[name=names]")).isEqualTo("127.0.1.20");
        page.fill("input[name=canary]", "0");
        page.click("button:has-text('Preview')");
        assertThat(page.textContent("h1")).contains("Roll flingerator 1.2.0-1 to staging?");
        assertThat(page.textContent(".batches")).contains("127.0.1.20").doesNotContain("127.0.1.19");
        browser.screenshot("drift-roll-to-fix");
    }
}
