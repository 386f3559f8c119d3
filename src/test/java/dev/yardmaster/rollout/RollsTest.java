package dev.yardmaster.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.fleet.Fault;
import dev.yardmaster.testing.fleet.HostState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Rolls over the 20-host loopback fleet: batches, faults and budgets, controls, refusals. */
@QuarkusTest
@QuarkusTestResource(value = RollFleet.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollsTest {

    static final String ALICE = Tokens.user("alice");

    @AfterEach
    void clearFaults() {
        RollFleet.fleet().clearFaults();
    }

    static Map<String, Object> plan(String target, Object... extra) {
        Map<String, Object> plan = new HashMap<>(Map.of("package", "flingerator", "environment", "staging", "target", target,
                "canary", 0, "connectTimeout", "10s", "updateTimeout", "60s", "restartTimeout", "30s", "healthTimeout", "30s"));
        for (int i = 0; i < extra.length; i += 2) {
            plan.put((String) extra[i], extra[i + 1]);
        }
        return plan;
    }

    static long start(Map<String, Object> plan) {
        return given().auth().oauth2(ALICE).contentType("application/json").body(plan).post("/api/rolls")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static JsonPath awaitComplete(long id) {
        // "complete" is RollStatus's rule, as the API states it.
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(300)).until(() -> roll(id).getBoolean("complete"));
        return roll(id);
    }

    static JsonPath roll(long id) {
        return given().auth().oauth2(ALICE).get("/api/rolls/" + id).then().statusCode(200).extract().jsonPath();
    }

    static Map<String, Map<String, Object>> hostsByName(long id) {
        List<Map<String, Object>> hosts = given().auth().oauth2(ALICE).get("/api/rolls/" + id + "/hosts").then()
                .statusCode(200).extract().jsonPath().getList("$");
        Map<String, Map<String, Object>> byName = new HashMap<>();
        hosts.forEach(h -> byName.put((String) h.get("name"), h));
        return byName;
    }

    @Test
    @Order(1)
    void theInventoryIsImportedAtStartAndThePreviewShowsBatches() {
        given().auth().oauth2(ALICE).get("/api/hosts?environment=staging").then().statusCode(200)
                .body("size()", equalTo(RollFleet.HOSTS));
        JsonPath preview = given().auth().oauth2(ALICE).contentType("application/json")
                .body(plan("1.2.0-1", "canary", 2, "batchSize", "50%", "failureBudget", "10%"))
                .post("/api/rolls/preview").then().statusCode(200).extract().jsonPath();
        assertThat(preview.getList("batches.collect { it.hosts.size() }")).containsExactly(2, 10, 8);
        assertThat(preview.getBoolean("batches[0].canary")).isTrue();
        assertThat(preview.getInt("maxFailures")).isEqualTo(2);
    }

    @Test
    @Order(2)
    void twentyHostsInThreeBatchesEndAtTheTargetRestartedOnce() {
        Map<String, HostState> before = RollFleet.fleet().states();
        long id = start(plan("1.2.0-1", "batchSize", "7", "parallelism", 5));
        JsonPath done = awaitComplete(id);
        assertThat(done.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("batchCount")).isEqualTo(3);
        assertThat(done.getInt("counts.SUCCEEDED")).isEqualTo(20);
        assertThat(done.getMap("outcome")).containsEntry("succeeded", 20).containsEntry("failed", 0)
                .containsEntry("unreachable", 0).containsEntry("skipped", 0);
        assertThat(done.getBoolean("failure")).isFalse();
        assertThat(endAudited(id, "roll.succeeded")).contains("\"status\": \"SUCCEEDED\"");
        Map<String, HostState> after = RollFleet.fleet().states();
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            String address = RollFleet.address(n);
            assertThat(after.get(address).installedVersion("flingerator")).as(address).isEqualTo("1.2.0-1");
            assertThat(after.get(address).restarts("flingerator")).as(address).isEqualTo(before.get(address).restarts("flingerator") + 1);
        }
        // The same plan again: every host is already at the target and is not touched.
        long again = start(plan("1.2.0-1", "batchSize", "10", "parallelism", 10));
        assertThat(awaitComplete(again).getInt("counts.AT_TARGET")).isEqualTo(20);
        assertThat(RollFleet.fleet().states().get(RollFleet.address(1)).restarts("flingerator")).isEqualTo(after.get(RollFleet.address(1)).restarts("flingerator"));
        String log = given().auth().oauth2(ALICE).get("/api/rolls/" + id + "/hosts/" + hostsByName(id).get("127.0.1.1").get("id") + "/log")
                .then().statusCode(200).extract().jsonPath().getString("log");
        assertThat(log).contains("$ sudo -n yum -y --refresh install flingerator-1.2.0-1", "$ sudo -n systemctl restart flingerator");
        // VERIFY is stored with the host's next write, not in one of its own (HostRun): five
        // writes per host where there were six, the same steps in order.
        @SuppressWarnings("unchecked")
        List<String> stored = io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select data::json->>'step' from roll_event where roll_id = ?1 and type = 'HostChanged'"
                        + " and data::json->>'name' = '127.0.1.1' order by id").setParameter(1, id).getResultList());
        assertThat(stored).containsExactly("CONNECT", "UPDATE", "RESTART", "HEALTH", "DONE");
    }

    @Test
    @Order(3)
    void eachFaultHasItsOwnStateAndReasonWithinTheBudget() {
        RollFleet.fault(1, Fault.REFUSED, true);
        RollFleet.fault(2, Fault.HANG, true);
        RollFleet.fault(3, Fault.YUM_FAIL, true);
        RollFleet.fault(4, Fault.HOSTKEY, true);
        RollFleet.fault(5, Fault.HEALTH_FAIL, true);
        long id = start(plan("1.1.0-1", "batchSize", "10", "parallelism", 10, "failureBudget", "4", "unreachableBudget", "1"));
        JsonPath done = awaitComplete(id);
        Map<String, Map<String, Object>> hosts = hostsByName(id);
        assertThat(hosts.get("127.0.1.1").get("status")).isEqualTo("UNREACHABLE");
        assertThat((String) hosts.get("127.0.1.1").get("reason")).contains("refused");
        assertThat(hosts.get("127.0.1.2").get("status")).isEqualTo("TIMED_OUT");
        assertThat(hosts.get("127.0.1.3").get("status")).isEqualTo("FAILED");
        assertThat((String) hosts.get("127.0.1.3").get("reason")).contains("update failed", "injected fault: yum-fail");
        assertThat(hosts.get("127.0.1.4").get("status")).isEqualTo("HOST_KEY_CHANGED");
        assertThat(hosts.get("127.0.1.5").get("status")).isEqualTo("UNHEALTHY");
        // Five hosts do not run the target: never SUCCEEDED, whatever the budget allowed.
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED_WITH_FAILURES");
        assertThat(done.getString("label")).isEqualTo("succeeded with failures");
        assertThat(done.getBoolean("failure")).isTrue();
        assertThat(done.getInt("counts.SUCCEEDED")).isEqualTo(15);
        assertThat(done.getMap("outcome")).containsEntry("succeeded", 15).containsEntry("failed", 4)
                .containsEntry("unreachable", 1).containsEntry("skipped", 0);
        assertThat(done.getString("reason")).isEqualTo(
                "5 of 20 hosts do not run the target (within the budget): 15 succeeded, 4 failed, 1 unreachable, 0 skipped");
        // The last RollChanged event (what SSE sends and replays) says the same.
        String event = (String) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select data from roll_event where roll_id = ?1 and type = 'RollChanged' order by id desc limit 1")
                .setParameter(1, id).getSingleResult());
        JsonPath changed = new JsonPath(event);
        assertThat(changed.getString("status")).isEqualTo("SUCCEEDED_WITH_FAILURES");
        assertThat(changed.getBoolean("complete")).isTrue();
        assertThat(changed.getBoolean("failure")).isTrue();
        assertThat(changed.getMap("outcome")).containsEntry("failed", 4).containsEntry("unreachable", 1);
        // The audit event is what webhooks POST: counts and a chat line.
        String audited = endAudited(id, "roll.succeeded-with-failures");
        assertThat(audited).contains("\"failed\": 4", "\"unreachable\": 1",
                "flingerator 1.1.0-1 → staging succeeded with failures (15 succeeded, 4 failed, 1 unreachable, 0 skipped)");
        assertThat(registry.find(dev.yardmaster.observability.Meters.ROLLS).tag("outcome", "succeeded_with_failures").counter())
                .isNotNull();
                assertThat(RollFleet.fleet().states().get(RollFleet.address(20)).installedVersion("flingerator")).isEqualTo("1.1.0-1");
    }

    @Test
    @Order(4)
    void aSpentFailureBudgetHaltsTheRollAndRetryRunsOnlyTheFailedHosts() {
        // Hosts are ordered by name: 127.0.1.1, 127.0.1.10, ... so .10 is in the first batch.
        RollFleet.fault(10, Fault.YUM_FAIL, true);
        long id = start(plan("1.2.0-1", "batchSize", "5", "parallelism", 5, "failureBudget", "0"));
        JsonPath done = awaitComplete(id);
        assertThat(done.getString("status")).isEqualTo("FAILED");
        assertThat(done.getString("reason")).contains("failure budget spent");
        assertThat(done.getInt("counts.PENDING")).isEqualTo(15);
        given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.2.0-1")).post("/api/rolls")
                .then().statusCode(201); // a halted roll does not hold the package+environment slot
        RollFleet.fleet().clearFaults();
    }

    @Test
    @Order(5)
    void oneActiveRollPerPackageAndEnvironmentAndPauseCancelMidBatch() {
        // Any roll left from the previous test finishes first.
        await().atMost(Duration.ofSeconds(90)).until(() -> given().auth().oauth2(ALICE).get("/api/rolls").then().extract()
                .jsonPath().getList("status", String.class).stream().noneMatch(s -> List.of("PENDING", "RUNNING", "WAITING", "PAUSED").contains(s)));
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            RollFleet.fault(n, Fault.SLOW, true);
        }
        long id = start(plan("1.1.0-1", "batchSize", "20", "parallelism", 2, "healthTimeout", "15s"));
        given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.1.0-1")).post("/api/rolls")
                .then().statusCode(409).contentType(containsString("application/problem+json"))
                .body("type", containsString("roll-in-progress"));
        await().atMost(Duration.ofSeconds(30)).until(() -> roll(id).getInt("counts.RUNNING") > 0);
        String paused = given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/pause").then().extract().asString();
        assertThat(paused).as(roll(id).prettify() + hostsByName(id)).contains("\"PAUSED\"");
        await().atMost(Duration.ofSeconds(60)).until(() -> roll(id).getInt("counts.RUNNING") == 0);
        int pending = roll(id).getInt("counts.PENDING");
        assertThat(pending).isGreaterThan(0);
        String resumed = given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/resume").then().extract().asString();
        assertThat(resumed).contains("\"RUNNING\"");
        await().atMost(Duration.ofSeconds(30)).until(() -> roll(id).getInt("counts.RUNNING") > 0);
        given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/cancel?interrupt=true").then().statusCode(200)
                .body("status", equalTo("CANCELED"));
        await().atMost(Duration.ofSeconds(30)).until(() -> roll(id).getInt("counts.RUNNING") == 0);
        JsonPath done = roll(id);
        assertThat(done.getInt("counts.CANCELED")).isGreaterThan(0);
        assertThat(done.getInt("counts.PENDING")).isZero();
        given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/resume").then().statusCode(409);
    }

    @Test
    @Order(6)
    void badPlansAreRefusedWithTheField() {
        given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.2.0-1; reboot"))
                .post("/api/rolls").then().statusCode(400).body("field", equalTo("target"));
        given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.2.0-1", "batchSize", "0"))
                .post("/api/rolls").then().statusCode(400).body("field", equalTo("batchSize"));
        given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.2.0-1", "environment", "prod"))
                .post("/api/rolls").then().statusCode(403);
        String key = UUID.randomUUID().toString();
        long first = given().auth().oauth2(Tokens.bot()).header("Idempotency-Key", key).contentType("application/json")
                .body(plan("1.2.0-1", "parallelism", 10, "batchSize", "20")).post("/api/rolls").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        long second = given().auth().oauth2(Tokens.bot()).header("Idempotency-Key", key).contentType("application/json")
                .body(plan("1.2.0-1", "parallelism", 10, "batchSize", "20")).post("/api/rolls").then().statusCode(200)
                .extract().jsonPath().getLong("id");
        assertThat(second).as("the same key and plan give the roll back").isEqualTo(first);
        // The same key with another plan is refused, not answered with a roll that does something else.
        given().auth().oauth2(Tokens.bot()).header("Idempotency-Key", key).contentType("application/json")
                .body(plan("1.2.0-1")).post("/api/rolls").then().statusCode(422)
                .contentType("application/problem+json").body("type", containsString("idempotency-key-reused"))
                .body("roll", equalTo((int) first));
        awaitComplete(first);
        // Keys are per principal: alice's key is her own, whatever the bot sent with the same one.
        long hers = given().auth().oauth2(ALICE).header("Idempotency-Key", key).contentType("application/json")
                .body(plan("1.2.0-1")).post("/api/rolls").then().statusCode(201).extract().jsonPath().getLong("id");
        assertThat(hers).isNotEqualTo(first);
        awaitComplete(hers);
    }

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Test
    @Order(7)
    void aPersonPlansPreviewsAndWatchesARollLiveInTheBrowser() {
        Page page = browser.login(base.toString(), "alice");
        page.onConsoleMessage(m -> System.out.println("browser console: " + m.text()));
        page.onResponse(r -> {
            if (r.status() >= 400) {
                System.out.println("browser got " + r.status() + " for " + r.url());
            }
        });
        page.navigate(base + "rolls");
        page.fill("input[name=package]", "flingerator");
        page.selectOption("select[name=environment]", "staging");
        page.fill("input[name=target]", "1.0.0-1");
        page.fill("input[name=canary]", "0");
        page.fill("input[name=batchSize]", "10");
        page.fill("input[name=parallelism]", "2");
        page.click("button:has-text('Preview')");
        assertThat(page.textContent("h1")).contains("Roll flingerator 1.0.0-1 to staging?");
        assertThat(page.locator(".batches li").count()).isEqualTo(2);
        browser.screenshot("roll-preview");
        page.click("button:has-text('Start the roll')");
        page.waitForSelector("#roll-live:has-text('live')");
        String before = page.textContent("#roll-counts [data-state=SUCCEEDED] .n");
        // The counts change while the page stays loaded: only the event stream can do that.
        page.waitForFunction("b => document.querySelector('#roll-counts [data-state=SUCCEEDED] .n').textContent !== b", before);
        page.waitForFunction("() => document.querySelectorAll('.cell').length === 20");
        browser.screenshot("roll-live");
        page.waitForFunction("() => document.getElementById('roll-status').dataset.status === 'SUCCEEDED'", null,
                new Page.WaitForFunctionOptions().setTimeout(90_000));
        assertThat(page.textContent("#roll-counts [data-state=SUCCEEDED] .n")).isEqualTo("20");
        // Complete, as RollStatus says through the event: the live marker goes; the outcome counts are the event's.
        assertThat(page.getAttribute("#roll", "data-complete")).isEqualTo("true");
        assertThat(page.getAttribute("#roll", "data-failure")).isEqualTo("false");
        assertThat(page.textContent("#roll-outcome")).isEqualTo("20 succeeded · 0 failed · 0 unreachable · 0 skipped");
        page.click(".cell >> nth=0");
        page.waitForFunction("() => document.getElementById('host-log-text').textContent.includes('$ rpm -q flingerator')");
        browser.screenshot("roll-done");
    }

    @Test
    @Order(8)
    void aReconnectingClientGetsWhatItMissedFromTheDatabase() throws Exception {
        long id = given().auth().oauth2(ALICE).get("/api/rolls").then().extract().jsonPath().getLong("find { it.status == 'SUCCEEDED' }.id");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/rolls/" + id + "/events"))
                .header("Authorization", "Bearer " + ALICE).header("Last-Event-ID", "0").build();
        List<String> ids = new java.util.ArrayList<>();
        HttpResponse<java.io.InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()))) {
            String line;
            String last = null;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("id:")) {
                    ids.add(line.substring(3).strip());
                }
                if (line.startsWith("data:") && line.contains("\"SUCCEEDED\"") && line.contains("\"batchCount\"")) {
                    last = line;
                    break;
                }
            }
            assertThat(last).isNotNull();
        }
        assertThat(ids).hasSizeGreaterThan(20);
        List<Long> numbers = ids.stream().map(Long::valueOf).toList();
        assertThat(numbers).isSorted().doesNotHaveDuplicates();
        // From the middle: only what came after.
        String middle = ids.get(ids.size() / 2);
        HttpRequest resume = HttpRequest.newBuilder(URI.create(base + "api/rolls/" + id + "/events"))
                .header("Authorization", "Bearer " + ALICE).header("Last-Event-ID", middle).build();
        HttpResponse<java.io.InputStream> again = HttpClient.newHttpClient().send(resume, HttpResponse.BodyHandlers.ofInputStream());
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(again.body()))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.startsWith("id:")) {
                    assertThat(Long.parseLong(line.substring(3).strip())).isGreaterThan(Long.parseLong(middle));
                    break;
                }
            }
        }
    }

    @Inject
    jakarta.persistence.EntityManager em;

    @Test
    @Order(9)
    void aRollWhoseLeaseLapsesIsTakenOverAndResumedWithoutSkippingOrRepeatingHosts() {
        Map<String, HostState> before = RollFleet.fleet().states();
        String target = before.get(RollFleet.address(1)).installedVersion("flingerator").equals("1.1.0-1") ? "1.2.0-1" : "1.1.0-1";
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            RollFleet.fault(n, Fault.SLOW, true);
        }
        int parallelism = 3;
        long id = start(plan(target, "batchSize", "20", "parallelism", parallelism));
        await().atMost(Duration.ofSeconds(120)).until(() -> roll(id).getInt("counts.SUCCEEDED") >= 3);
        // The holder "dies": its lease is taken away and has lapsed. The runner notices at its
        // heartbeat, stops writing, and a claim (here by the same instance) resumes the roll.
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update roll set lease_owner = 'crashed-instance', lease_until = now() - interval '1 second' where id = ?1")
                .setParameter(1, id).executeUpdate());
        RollFleet.fleet().clearFaults();
        JsonPath done = awaitComplete(id);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("counts.SUCCEEDED")).isEqualTo(20);
        Map<String, HostState> after = RollFleet.fleet().states();
        int restartedTwice = 0;
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            String address = RollFleet.address(n);
            assertThat(after.get(address).installedVersion("flingerator")).as(address).isEqualTo(target);
            int restarts = after.get(address).restarts("flingerator") - before.get(address).restarts("flingerator");
            assertThat(restarts).as(address).isBetween(1, 2);
            restartedTwice += restarts - 1;
        }
        assertThat(restartedTwice).isLessThanOrEqualTo(parallelism);
    }

    @Test
    @Order(10)
    void hostsMovedOrRemovedFromTheStaticInventoryMidRollAreSkippedWithTheReason() {
        // A 21st host that is only in the inventory (nothing answers at its address), and the
        // 20 fleet hosts: a canary of 1 runs, then one host moves to prod and the extra one goes.
        sql("insert into host (name, address, port, environment, node_type, packages, services) "
                + "select 'leaving-host', '127.0.1.250', port, environment, node_type, packages, services from host where address = '"
                + RollFleet.address(1) + "'");
        try {
            String target = RollFleet.fleet().states().get(RollFleet.address(1)).installedVersion("flingerator").equals("1.1.0-1") ? "1.2.0-1" : "1.1.0-1";
            long id = start(plan(target, "canary", 1, "batchSize", "25", "parallelism", 5));
            await().atMost(Duration.ofSeconds(60)).until(() -> roll(id).getString("status").equals("WAITING"));
            String moved = RollFleet.address(20);
            sql("update host set environment = 'prod' where address = '" + moved + "'");
            sql("delete from host where name = 'leaving-host'");
            given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/continue").then().statusCode(200);
            JsonPath done = awaitComplete(id);
            Map<String, Map<String, Object>> hosts = hostsByName(id);
            assertThat(hosts.get("leaving-host")).containsEntry("status", "SKIPPED").containsEntry("reason", "removed from the inventory");
            Map<String, Object> movedHost = hosts.values().stream().filter(h -> moved.equals(h.get("address"))).findFirst().orElseThrow();
            assertThat(movedHost).containsEntry("status", "SKIPPED").containsEntry("reason", "moved to prod");
            assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED");
            assertThat(done.getInt("counts.SKIPPED")).isEqualTo(2);
        } finally {
            sql("update host set environment = 'staging' where address = '" + RollFleet.address(20) + "'");
            sql("delete from host where name = 'leaving-host'");
        }
    }

    @Test
    @Order(11)
    void aRollBackToAnOlderPromotedBuildInstallsItWhereYumUpdateCannotGoDown() {
        // Every host at 1.2.0-1, the newest build in the fleet's staging repo.
        if (!RollFleet.fleet().states().values().stream().allMatch(h -> h.installedVersion("flingerator").equals("1.2.0-1"))) {
            assertThat(awaitComplete(start(plan("1.2.0-1", "batchSize", "20", "parallelism", 10))).getString("status"))
                    .isEqualTo("SUCCEEDED");
        }
        // 1.1.0-1 promoted back into staging: the roll's target is the promoted build, so it runs
        // yum update, which leaves 1.2.0-1 alone; the host then installs 1.1.0-1 exactly.
        sql("insert into build (file_name, package, version, release, arch, nevra, file_size, file_mtime) "
                + "values ('flingerator-1.1.0-1.noarch.rpm', 'flingerator', '1.1.0', '1', 'noarch', 'flingerator-1.1.0-1.noarch', 1, now()) "
                + "on conflict do nothing");
        sql("insert into promotion (build_id, environment_id, package, state, reason, requested_by, applied_at) "
                + "select b.id, e.id, 'flingerator', 'applied', 'rollback in RollsTest', 'alice', now() from build b, environment e "
                + "where b.nevra = 'flingerator-1.1.0-1.noarch' and e.name = 'staging'");
        try {
            Map<String, HostState> before = RollFleet.fleet().states();
            long id = start(plan("1.1.0-1", "batchSize", "20", "parallelism", 10));
            JsonPath done = awaitComplete(id);
            assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED");
            Map<String, HostState> after = RollFleet.fleet().states();
            for (int n = 1; n <= RollFleet.HOSTS; n++) {
                String address = RollFleet.address(n);
                assertThat(after.get(address).installedVersion("flingerator")).as(address).isEqualTo("1.1.0-1");
                assertThat(after.get(address).restarts("flingerator")).as(address).isEqualTo(before.get(address).restarts("flingerator") + 1);
            }
            String log = given().auth().oauth2(ALICE)
                    .get("/api/rolls/" + id + "/hosts/" + hostsByName(id).get("127.0.1.1").get("id") + "/log")
                    .then().statusCode(200).extract().jsonPath().getString("log");
            assertThat(log).contains("$ sudo -n yum -y --refresh update flingerator", "$ sudo -n yum -y --refresh install flingerator-1.1.0-1");
        } finally {
            sql("delete from promotion where reason = 'rollback in RollsTest'");
        }
    }

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    /** The details of the audit event that ended the roll, as JSON text. */
    String endAudited(long id, String action) {
        return (String) QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "select details::text from audit_event where action = ?1 and subject = ?2").setParameter(1, action)
                .setParameter(2, "roll " + id).getSingleResult());
    }

    void sql(String statement) {
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(statement).executeUpdate());
    }
}
