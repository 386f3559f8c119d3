package dev.yardmaster.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.microsoft.playwright.Page;
import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.security.Actor;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.profiles.StagingFrozenProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Freeze windows hold rolls as they hold promotions: starting, resuming, continuing and
 * retrying a roll in a frozen environment is refused (423), for bots and people, and audited.
 * Pausing and canceling stay allowed: they stop work. Staging is frozen ({@link StagingFrozenProfile}).
 */
@QuarkusTest
@TestProfile(StagingFrozenProfile.class)
class FrozenRollsTest {

    static final String ALICE = Tokens.user("alice");

    @RegisterExtension
    Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Inject
    Inventory inventory;

    @BeforeEach
    void oneStagingHost() {
        QuarkusTransaction.requiringNew().run(() -> {
            RollEvent.deleteAll();
            RollHost.deleteAll();
            Roll.deleteAll();
            if (dev.yardmaster.fleet.Host.named("frozen-web-1").isEmpty()) {
                inventory.add(Actor.system(), new Inventory.HostInput("frozen-web-1", "127.0.0.1", 22, "staging", "web",
                        List.of(), List.of("flingerator"), List.of("flingerator")));
            }
        });
    }

    static long storedRoll(RollStatus status, HostStatus hostStatus) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Roll roll = new Roll();
            roll.packageName = "flingerator";
            roll.environment = "staging";
            roll.targetEvr = "1.2.0-1";
            roll.status = status;
            roll.plan = "{}";
            roll.batchCount = 1;
            roll.currentBatch = 0;
            roll.createdBy = "alice";
            roll.persist();
            RollHost host = new RollHost();
            host.rollId = roll.id;
            host.name = "frozen-web-1";
            host.address = "127.0.0.1";
            host.port = 22;
            host.source = "static";
            host.sourceId = "1";
            host.service = "flingerator";
            host.status = hostStatus;
            host.step = Step.QUEUED;
            host.persist();
            return roll.id;
        });
    }

    static long refusals(String subject) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "action = 'request.refused' and subject = ?1 and environment = 'staging'", subject));
    }

    @Test
    void startingARollInAFrozenEnvironmentIsRefusedAndAudited() {
        long before = refusals("POST /api/rolls");
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(Map.of("package", "flingerator", "environment", "staging", "target", "1.2.0-1"))
                .post("/api/rolls").then().statusCode(423).contentType("application/problem+json")
                .body("type", containsString("environment-frozen"))
                .body("detail", equalTo("Rolling flingerator refused: staging is frozen (2000-01-01T00:00-2999-12-31T23:59 UTC)."));
        assertThat(refusals("POST /api/rolls")).isEqualTo(before + 1);
        assertThat(QuarkusTransaction.requiringNew().call(() -> Roll.count())).isZero();
        // Review is not frozen: a plan there gets past the freeze (and stops at its own rules: no
        // gnip-worker hosts in review in this profile).
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(Map.of("package", "gnip-worker", "environment", "review", "target", "2.1.0-1"))
                .post("/api/rolls").then().statusCode(409).body("type", containsString("no-hosts"));
    }

    @Test
    void resumingContinuingAndRetryingInAFrozenEnvironmentAreRefusedButPauseAndCancelWork() {
        long paused = storedRoll(RollStatus.PAUSED, HostStatus.PENDING);
        given().auth().oauth2(ALICE).post("/api/rolls/" + paused + "/resume").then().statusCode(423)
                .body("type", containsString("environment-frozen"))
                .body("detail", containsString("Resuming roll " + paused + " of flingerator refused: staging is frozen"));
        assertThat(refusals("POST /api/rolls/" + paused + "/resume")).isEqualTo(1);
        given().auth().oauth2(ALICE).post("/api/rolls/" + paused + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELED"));

        long waiting = storedRoll(RollStatus.WAITING, HostStatus.SUCCEEDED);
        given().auth().oauth2(ALICE).post("/api/rolls/" + waiting + "/continue").then().statusCode(423)
                .body("detail", containsString("Continuing roll " + waiting));
        given().auth().oauth2(ALICE).post("/api/rolls/" + waiting + "/pause").then().statusCode(200)
                .body("status", equalTo("PAUSED"));
        given().auth().oauth2(ALICE).post("/api/rolls/" + waiting + "/cancel").then().statusCode(200);

        long failed = storedRoll(RollStatus.FAILED, HostStatus.UNREACHABLE);
        given().auth().oauth2(ALICE).post("/api/rolls/" + failed + "/retry").then().statusCode(423)
                .body("detail", containsString("Retrying roll " + failed));
        assertThat(QuarkusTransaction.requiringNew().call(() -> ((Roll) Roll.findById(failed)).status))
                .isEqualTo(RollStatus.FAILED);
        assertThat(refusals("POST /api/rolls/" + failed + "/retry")).isEqualTo(1);
    }

    @Test
    void aPersonSeesWhyTheFrozenRollDidNotStartOrResume() {
        Page page = browser.login(base.toString(), "alice");
        page.navigate(base + "rolls");
        page.fill("input[name=package]", "flingerator");
        page.selectOption("select[name=environment]", "staging");
        page.fill("input[name=target]", "1.2.0-1");
        page.click("button:has-text('Preview')");
        assertThat(page.textContent("h1")).contains("Roll flingerator 1.2.0-1 to staging?");
        page.click("button:has-text('Start the roll')");
        assertThat(page.textContent(".flash-error")).contains("Rolling flingerator refused: staging is frozen");
        assertThat(page.textContent("h1")).isEqualTo("Rolls");
        browser.screenshot("roll-frozen-start");

        long paused = storedRoll(RollStatus.PAUSED, HostStatus.PENDING);
        page.navigate(base + "rolls/" + paused);
        page.click("button[data-action=resume]");
        assertThat(page.textContent(".flash-error")).contains("Resuming roll " + paused + " of flingerator refused: staging is frozen");
        assertThat(page.url()).endsWith("/rolls/" + paused);
        browser.screenshot("roll-frozen-resume");
    }
}
