package dev.yardmaster.drift;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.fleet.HostPackage;
import dev.yardmaster.rollout.CheckedFleetProfile;
import dev.yardmaster.rollout.RollFleet;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18.3 against the 20-host loopback fleet (staging web hosts running flingerator
 * 1.1.0-1): right after start, without any roll or "check now", every host's version is known;
 * a host added later is asked too, and one that cannot be asked says why.
 */
@QuarkusTest
@TestProfile(CheckedFleetProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostCheckTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Inject
    HostCheck hostCheck;

    @Inject
    AgroalDataSource dataSource;

    static List<HostPackage> seen() {
        return QuarkusTransaction.requiringNew().call(() -> HostPackage.<HostPackage>list("packageName = 'flingerator'"));
    }

    @Test
    @Order(1)
    void everyHostHasItsVersionAfterStartWithoutAnyRoll() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> seen().stream().filter(p -> p.installedEvr != null).count() == RollFleet.HOSTS);
        assertThat(seen()).allSatisfy(p -> {
            assertThat(p.installedEvr).isEqualTo("1.1.0-1");
            assertThat(p.source).isEqualTo(HostPackage.Source.check);
            assertThat(p.rollId).isNull();
            assertThat(p.environment).isEqualTo("staging");
        });
        assertThat(QuarkusTransaction.requiringNew().call(() -> dev.yardmaster.rollout.Roll.count())).isZero();
        JsonPath drift = given().auth().oauth2(Tokens.user("carol")).get("/api/drift?environment=staging&package=flingerator")
                .then().statusCode(200).extract().jsonPath();
        assertThat(drift.getList("[0].drifting.installed")).hasSize(RollFleet.HOSTS).containsOnly("1.1.0-1");
        assertThat(drift.getList("[0].drifting.reason")).doesNotContain("never checked");
        AuditEvent checked = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                "action = 'drift.checked' and subject = 'start'").firstResult());
        assertThat(checked.actor).isEqualTo("yardmaster");
        assertThat(checked.details).containsEntry("hosts", RollFleet.HOSTS).containsEntry("unanswered", 0);
    }

    /**
     * The demo's first screen, drift half (issue 18; the environments half is AdoptionBrowserTest):
     * what a person sees in Chromium right after start, before any roll, names every host's
     * version and counts no host as unknown.
     */
    @Test
    @Order(2)
    void theDriftPageInChromiumKnowsEveryHostRightAfterStart() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> seen().stream().filter(p -> p.installedEvr != null).count() == RollFleet.HOSTS);
        Page page = browser.login(base + "drift?environment=staging&package=flingerator", "carol");
        Locator card = page.locator("section.drift-card[data-environment=staging][data-package=flingerator]");
        assertThat(card.locator("li[data-state=UNKNOWN] .n").textContent()).isEqualTo("0");
        // Nothing is promoted to this fleet's staging: the versions are known, just not compared.
        assertThat(card.locator("li[data-state=UNCOMPARED] .n").textContent()).isEqualTo(String.valueOf(RollFleet.HOSTS));
        assertThat(card.textContent()).doesNotContain("never checked");
        Locator installed = card.locator("table.drifting tbody tr td:nth-child(3)");
        assertThat(installed.count()).isPositive();
        assertThat(installed.allTextContents()).allSatisfy(text -> assertThat(text).isEqualTo("1.1.0-1"));
        browser.screenshot("drift-first-screen");
    }

    @Test
    @Order(3)
    void aHostAddedLaterIsAskedAndOneThatCannotBeAskedSaysWhy() {
        // 127.0.1.250 is not one of the fleet's addresses: nothing listens there.
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body(Map.of("name", "late-web-1", "address", "127.0.1.250", "port", RollFleet.PORT, "environment", "staging",
                        "nodeType", "web", "tags", List.of(), "packages", List.of("flingerator"), "services", List.of("flingerator")))
                .post("/api/hosts").then().statusCode(201);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> seen().stream()
                .anyMatch(p -> p.hostName.equals("late-web-1") && p.error != null));
        JsonPath drift = given().auth().oauth2(Tokens.user("carol")).get("/api/drift?environment=staging&package=flingerator")
                .then().statusCode(200).extract().jsonPath();
        Map<String, Object> late = drift.getMap("[0].drifting.find { it.name == 'late-web-1' }");
        assertThat(late.get("state")).isEqualTo("UNKNOWN");
        assertThat((String) late.get("reason")).startsWith("last check failed: ").doesNotContain("never checked");
        assertThat((String) late.get("reason")).containsIgnoringCase("127.0.1.250");
    }

    @Test
    @Order(4)
    void withSeveralReplicasOnlyTheOneHoldingTheLockChecksAtStart() throws Exception {
        try (Connection other = dataSource.getConnection(); Statement s = other.createStatement()) {
            other.setAutoCommit(true);
            // Another replica in the middle of its start-up check holds the lock.
            s.execute(HostCheck.LOCK);
            assertThat(hostCheck.checkAtStart()).as("skipped while another replica checks").isNull();
            s.execute(HostCheck.UNLOCK);
        }
        Drift.Asked asked = hostCheck.checkAtStart();
        assertThat(asked).isNotNull();
        assertThat(asked.hosts()).isEqualTo(RollFleet.HOSTS + 1);
        assertThat(asked.failed()).isEqualTo(1);
    }
}
