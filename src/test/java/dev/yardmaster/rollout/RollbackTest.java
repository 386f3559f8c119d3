package dev.yardmaster.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.fleet.Fault;
import dev.yardmaster.testing.fleet.HostState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code onFailure: rollback} over the 20-host loopback fleet with its repo server as the
 * console's (RollFleet with repo=true: the fleet's repo is the catalog's, so the
 * re-promotion really relinks staging and runs createrepo_c).
 */
@QuarkusTest
@QuarkusTestResource(value = RollFleet.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "repo", value = "true"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollbackTest {

    static final String ALICE = Tokens.user("alice");

    @Inject
    EntityManager em;

    @AfterEach
    void clearFaults() {
        RollFleet.fleet().clearFaults();
    }

    void sql(String statement) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(statement).executeUpdate());
    }

    Object query(String statement) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(statement).getSingleResult());
    }

    static long start(Map<String, Object> plan) {
        return RollsTest.start(plan);
    }

    static JsonPath roll(long id) {
        return RollsTest.roll(id);
    }

    static JsonPath awaitComplete(long id) {
        return RollsTest.awaitComplete(id);
    }

    /** The halted roll's rollback roll, once it exists. */
    static long awaitRolledBackBy(long id) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300))
                .until(() -> roll(id).get("rolledBackBy") != null);
        return roll(id).getLong("rolledBackBy");
    }

    /**
     * staging: 1.1.0-1 was live, 1.2.0-1 is live now (promoted in the console and on the repo
     * server), and every host runs 1.1.0-1 except {@code behind}, which still runs 1.0.0-1.
     */
    void staging(String... behind) {
        given().auth().oauth2(ALICE).post("/api/builds/rescan").then().statusCode(200);
        sql("delete from promotion where package = 'flingerator'");
        promote("1.1.0", "applied");
        RollFleet.fleet().promote("staging", "flingerator-1.1.0-1.noarch.rpm");
        List<String> names = new ArrayList<>();
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            if (!List.of(behind).contains(RollFleet.address(n))) {
                names.add(RollFleet.address(n));
            }
        }
        JsonPath setup = awaitComplete(start(RollsTest.plan("1.1.0-1", "names", String.join(",", names), "batchSize", "20", "parallelism", 10)));
        assertThat(setup.getString("status")).as(setup.prettify()).isEqualTo("SUCCEEDED");
        for (String host : behind) {
            if (!RollFleet.fleet().states().get(host).installedVersion("flingerator").equals("1.0.0-1")) {
                RollFleet.fleet().install(host, "flingerator-1.0.0-1");
            }
        }
        sql("update promotion set state = 'superseded', superseded_at = now() where package = 'flingerator' and state = 'applied'");
        promote("1.2.0", "applied");
        RollFleet.fleet().promote("staging", "flingerator-1.2.0-1.noarch.rpm");
    }

    void promote(String version, String state) {
        sql("insert into promotion (build_id, environment_id, package, state, reason, requested_by, applied_at) "
                + "select b.id, e.id, 'flingerator', '" + state + "', 'set up by RollbackTest', 'alice', now() from build b, environment e "
                + "where b.nevra = 'flingerator-" + version + "-1.noarch' and e.name = 'staging'");
    }

    List<String> actions(long since) {
        List<?> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select action || CASE WHEN action LIKE 'roll.%' THEN ' ' || subject ELSE '' END from audit_event where id > ?1 "
                        + "and (action like 'roll.%' or action like 'promotion.%') order by id").setParameter(1, since).getResultList());
        return rows.stream().map(Object::toString).toList();
    }

    long lastAudit() {
        return ((Number) query("select coalesce(max(id), 0) from audit_event")).longValue();
    }

    @Test
    @Order(1)
    void aHaltedRollRePromotesThePreviousBuildAndRollsTheTouchedHostsBack() {
        staging();
        Map<String, HostState> before = RollFleet.fleet().states();
        long since = lastAudit();
        // Hosts are ordered by name: 127.0.1.1, .10, .11, .12, .13 | .14, .15, ... so .15 fails in the second batch.
        RollFleet.fault(15, Fault.YUM_FAIL, true);
        long id = start(RollsTest.plan("1.2.0-1", "batchSize", "5", "parallelism", 5, "failureBudget", "0", "onFailure", "rollback"));
        long back = awaitRolledBackBy(id);
        JsonPath halted = roll(id);
        assertThat(halted.getString("status")).isEqualTo("FAILED");
        assertThat(halted.getString("reason")).contains("failure budget spent", "rolling back: roll " + back);
        assertThat(halted.getString("onFailure")).isEqualTo("rollback");
        JsonPath rollback = awaitComplete(back);
        assertThat(rollback.getString("status")).as(rollback.prettify()).isEqualTo("SUCCEEDED");
        assertThat(rollback.getLong("rollbackOf")).isEqualTo(id);
        assertThat(rollback.getString("target")).isEqualTo("1.1.0-1");
        // The environment serves the build it served before, in the console and on the repo server.
        assertThat(query("select b.version from promotion p join build b on b.id = p.build_id join environment e on "
                + "e.id = p.environment_id where e.name = 'staging' and p.package = 'flingerator' and p.state = 'applied'"))
                .isEqualTo("1.1.0");
        // Touched hosts (the first two batches, the failed one included) are back on 1.1.0-1; the
        // others were never touched: same build, no restart.
        List<String> touched = List.of("127.0.1.1", "127.0.1.10", "127.0.1.11", "127.0.1.12", "127.0.1.13", "127.0.1.14",
                "127.0.1.15", "127.0.1.16", "127.0.1.17", "127.0.1.18");
        Map<String, HostState> after = RollFleet.fleet().states();
        int hostsInRollback = given().auth().oauth2(ALICE).get("/api/rolls/" + back + "/hosts").then().statusCode(200)
                .extract().jsonPath().getList("$").size();
        assertThat(hostsInRollback).isBetween(touched.size() - 1, touched.size());
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            String address = RollFleet.address(n);
            assertThat(after.get(address).installedVersion("flingerator")).as(address).isEqualTo("1.1.0-1");
            if (!touched.contains(address)) {
                assertThat(after.get(address).restarts("flingerator")).as(address).isEqualTo(before.get(address).restarts("flingerator"));
            }
        }
        assertThat(after.get("127.0.1.10").restarts("flingerator")).isEqualTo(before.get("127.0.1.10").restarts("flingerator") + 2);
        // One story in the audit log, in order.
        List<String> story = actions(since).stream().filter(a -> !a.startsWith("promotion.rollback-requested")).toList();
        assertThat(story).containsExactly("roll.started roll " + id, "roll.halted roll " + id,
                "promotion.rolled-back", "roll.started roll " + back, "roll.succeeded roll " + back);
        assertThat((String) query("select details->>'rollbackOf' from audit_event where action = 'roll.started' and subject = 'roll "
                + back + "'")).isEqualTo(String.valueOf(id));
        // A rolled-back roll is not retried.
        given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/retry").then().statusCode(409);
        // The pages link the two rolls both ways.
        Page page = browser.login(base.toString(), "alice");
        page.navigate(base + "rolls/" + id);
        assertThat(page.textContent("#roll-status")).isEqualTo("Failed");
        page.click("#roll-rolled-back-by");
        page.waitForURL(url -> url.endsWith("/rolls/" + back));
        assertThat(page.textContent("#roll-status")).isEqualTo("Succeeded");
        assertThat(page.textContent("#roll-links")).contains("rollback of roll " + id);
        assertThat(page.textContent("#roll-outcome")).isEqualTo(hostsInRollback + " succeeded · 0 failed · 0 unreachable · 0 skipped");
        page.navigate(base + "rolls");
        assertThat(page.textContent("#rolls")).contains("rolled back by " + back, "rollback of " + id);
        try {
            java.nio.file.Files.createDirectories(java.nio.file.Path.of("docs/screenshots"));
            page.screenshot(new Page.ScreenshotOptions().setPath(java.nio.file.Path.of("docs/screenshots/rollback.png")));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @Order(3)
    void aConsoleKilledAfterTheRePromotionStartsTheRollbackOnceWithoutPromotingAgain() {
        staging();
        JsonPath done = awaitComplete(start(RollsTest.plan("1.2.0-1", "batchSize", "10", "parallelism", 10,
                "onFailure", "rollback")));
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED");
        long id = done.getLong("id");
        // The state a kill -9 leaves between the halt's commit (rollback due) and the linked roll,
        // after the re-promotion went through: the next runner heartbeat finishes the job.
        long since = lastAudit();
        given().auth().oauth2(ALICE).contentType("application/json").body(Map.of("reason", "roll " + id + " halted"))
                .post("/api/environments/staging/packages/flingerator/rollback").then().statusCode(201);
        sql("update roll set status = 'FAILED', reason = 'halted before the kill', rollback_due = true where id = " + id);
        long back = awaitRolledBackBy(id);
        JsonPath rollback = awaitComplete(back);
        assertThat(rollback.getString("status")).as(rollback.prettify()).isEqualTo("SUCCEEDED");
        assertThat(rollback.getString("target")).isEqualTo("1.1.0-1");
        assertThat(rollback.getMap("outcome")).containsEntry("succeeded", RollFleet.HOSTS);
        RollFleet.fleet().states().forEach((host, state) -> assertThat(state.installedVersion("flingerator")).as(host).isEqualTo("1.1.0-1"));
        assertThat(actions(since).stream().filter(a -> a.equals("promotion.rolled-back")).count()).as(actions(since).toString())
                .isEqualTo(1);
        assertThat(query("select rollback_due from roll where id = " + id)).isEqualTo(false);
    }

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Test
    @Order(2)
    void aRollbackThatFailsHaltsSaysSoAndIsNotRolledBack() {
        // 127.0.1.1 ran 1.0.0-1 before: after the re-promotion staging serves only 1.1.0-1, so
        // going back to 1.0.0-1 fails there.
        RollFleet.fleet().promote("staging", "flingerator-1.0.0-1.noarch.rpm");
        staging("127.0.1.1");
        RollFleet.fault(10, Fault.YUM_FAIL, true);
        long id = start(RollsTest.plan("1.2.0-1", "batchSize", "5", "parallelism", 5, "failureBudget", "0", "onFailure", "rollback"));
        long back = awaitRolledBackBy(id);
        JsonPath rollback = awaitComplete(back);
        assertThat(rollback.getString("status")).as(rollback.prettify()).isEqualTo("FAILED");
        assertThat(rollback.getString("reason")).startsWith("rollback of roll " + id + " halted: failure budget spent")
                .endsWith("its hosts are left as they are");
        Map<String, Map<String, Object>> hosts = new HashMap<>();
        given().auth().oauth2(ALICE).get("/api/rolls/" + back + "/hosts").then().statusCode(200).extract().jsonPath()
                .<Map<String, Object>>getList("$").forEach(h -> hosts.put((String) h.get("name"), h));
        assertThat(hosts.get("127.0.1.1")).containsEntry("status", "FAILED").containsEntry("targetEvr", "1.0.0-1");
        // No rollback of a rollback.
        assertThat(rollback.getString("onFailure")).isEqualTo("halt");
        assertThat((Object) rollback.get("rolledBackBy")).isNull();
        assertThat(query("select count(*) from roll where rollback_of = " + back)).isEqualTo(0L);
        assertThat(query("select count(*) from audit_event where action = 'roll.halted' and subject = 'roll " + back
                + "' and details->>'text' like '%rollback of roll " + id + " halted%'")).isEqualTo(1L);
    }
}
