package dev.yardmaster.rollout;

import static dev.yardmaster.rollout.RollsTest.ALICE;
import static dev.yardmaster.rollout.RollsTest.awaitComplete;
import static dev.yardmaster.rollout.RollsTest.hostsByName;
import static dev.yardmaster.rollout.RollsTest.plan;
import static dev.yardmaster.rollout.RollsTest.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.testing.fleet.Fault;
import dev.yardmaster.testing.fleet.HostState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Health that means the service works and gates between batches, over the 20-host loopback fleet
 * whose services answer HTTP per host, with Debian's Prometheus scraping them every second.
 */
@QuarkusTest
@QuarkusTestResource(value = RollFleet.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "prometheus", value = "true"))
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollChecksTest {

    /** The worst host's error ratio over the last 5 s of 1 s scrapes. */
    static final String ERROR_RATIO = "max(rate(fleet_http_errors_total[5s]) / rate(fleet_http_requests_total[5s]))";

    @AfterEach
    void clearFaults() {
        RollFleet.fleet().clearFaults();
    }

    static Map<String, Object> health() {
        Map<String, Object> health = new HashMap<>();
        health.put("url", "http://{address}:{port}/healthz");
        health.put("port", RollFleet.HTTP_PORT);
        health.put("body", "^ok flingerator");
        health.put("timeout", "2s");
        health.put("retries", 0);
        return health;
    }

    static Map<String, Object> gate(String hold) {
        return Map.of("query", ERROR_RATIO, "comparison", "<", "threshold", 0.1, "hold", hold, "interval", "1s");
    }

    /** The fleet's worst error ratio as Prometheus says it now (NaN before it has two scrapes). */
    static double errorRatio() throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RollFleet.PROMETHEUS_PORT
                + "/api/v1/query?query=" + URLEncoder.encode(ERROR_RATIO, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        List<Object> value = JsonPath.from(body).getList("data.result[0].value");
        return value == null ? Double.NaN : Double.parseDouble((String) value.get(1));
    }

    static long events(long roll, String type) {
        return QuarkusTransaction.requiringNew().call(() -> RollEvent.count("rollId = ?1 and type = ?2", roll, type));
    }

    @Test
    @Order(1)
    void aHostAnswering500AfterItsRestartFailsWithTheAnswerAsItsReason() {
        RollFleet.fault(3, Fault.HTTP_500, true);
        long id = start(plan("1.2.0-1", "batchSize", "10", "parallelism", 10, "failureBudget", "1", "healthTimeout", "3s",
                "health", health()));
        JsonPath done = awaitComplete(id);
        Map<String, Map<String, Object>> hosts = hostsByName(id);
        assertThat(hosts.get("127.0.1.3").get("status")).isEqualTo("UNHEALTHY");
        assertThat((String) hosts.get("127.0.1.3").get("reason")).as(hosts.get("127.0.1.3").toString())
                .contains("GET http://127.0.1.3:" + RollFleet.HTTP_PORT + "/healthz")
                .endsWith("HTTP 500 from http://127.0.1.3:" + RollFleet.HTTP_PORT + "/healthz, expected 200: "
                        + "error flingerator 1.2.0-1: internal server error (fault http-500)");
        assertThat(done.getInt("counts.SUCCEEDED")).as(done.prettify()).isEqualTo(19);
        // The host runs the new build and its unit is active: only the HTTP check saw the fault.
        HostState faulty = RollFleet.fleet().states().get("127.0.1.3");
        assertThat(faulty.installedVersion("flingerator")).isEqualTo("1.2.0-1");
        assertThat(faulty.active("flingerator")).isTrue();
        String log = given().auth().oauth2(ALICE).get("/api/rolls/" + id + "/hosts/" + hosts.get("127.0.1.4").get("id") + "/log")
                .then().statusCode(200).extract().jsonPath().getString("log");
        assertThat(log).contains("HTTP 200 from http://127.0.1.4:" + RollFleet.HTTP_PORT + "/healthz");
    }

    @Test
    @Order(2)
    void theGatePassesOnAHealthyFleet() {
        // The last test's faulty host answered errors until its fault was cleared; the 5 s window forgets them.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> errorRatio() < 0.1);
        long id = start(plan("1.1.0-1", "canary", 2, "canaryDelay", "0s", "batchSize", "9", "parallelism", 10,
                "gate", gate("2s")));
        JsonPath done = awaitComplete(id);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("counts.SUCCEEDED")).isEqualTo(20);
        // After the canary and after each of the two batches.
        assertThat(events(id, "GatePassed")).isEqualTo(3);
        assertThat(events(id, "GateFailed")).isZero();
    }

    @Test
    @Order(3)
    void theGateHaltsTheRollWhenTheCanarysErrorsCrossTheThreshold() {
        for (int n = 1; n <= RollFleet.HOSTS; n++) {
            RollFleet.fault(n, Fault.ERRORS, true); // from each host's next restart, half its requests fail
        }
        long id = start(plan("1.2.0-1", "canary", 2, "canaryDelay", "0s", "batchSize", "9", "parallelism", 10,
                "gate", gate("20s")));
        JsonPath done = awaitComplete(id);
        assertThat(done.getString("status")).as(done.prettify()).isEqualTo("FAILED");
        assertThat(done.getString("reason")).startsWith("gate failed after the canary: ")
                .contains("is not < 0.1 (" + ERROR_RATIO + ")");
        assertThat(done.getInt("counts.SUCCEEDED")).isEqualTo(2);
        assertThat(done.getInt("counts.PENDING")).isEqualTo(18);
        assertThat(events(id, "GateFailed")).isEqualTo(1);
        assertThat(QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "action = 'roll.gate-failed' and subject = ?1 and actor = 'yardmaster'", "roll " + id))).isEqualTo(1);
    }

    @Test
    @Order(4)
    void badHealthTemplatesAndGatesAreRefusedWithTheField() {
        Map<String, String> badUrls = Map.of(
                "http://{address}:{port}/healthz?x=$(reboot)", "no query string",
                "http://{address}:{port}/{secret}", "unknown placeholder {secret}",
                "ftp://{address}/healthz", "is not an http:// or https:// URL",
                "http://evil host/healthz", "names its host",
                "http://{address}:99999/healthz", "has the port");
        badUrls.forEach((url, why) -> {
            Map<String, Object> health = health();
            health.put("url", url);
            given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.2.0-1", "health", health))
                    .post("/api/rolls/preview").then().statusCode(400).contentType(containsString("application/problem+json"))
                    .body("field", equalTo("health.url")).body("detail", containsString(why));
        });
        Map<String, Object> health = health();
        health.put("body", "ok\"; reboot; \"");
        given().auth().oauth2(ALICE).contentType("application/json").body(plan("1.2.0-1", "health", health))
                .post("/api/rolls/preview").then().statusCode(400).body("field", equalTo("health.body"));
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(plan("1.2.0-1", "gate", Map.of("query", "sum(rate(x[5m])", "threshold", 1)))
                .post("/api/rolls/preview").then().statusCode(400).body("field", equalTo("gate.query"))
                .body("detail", containsString("'(' is not closed"));
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(plan("1.2.0-1", "gate", Map.of("query", "up", "comparison", "=~", "threshold", 1)))
                .post("/api/rolls/preview").then().statusCode(400).body("field", equalTo("gate.comparison"));
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(plan("1.2.0-1", "gate", Map.of("query", "up")))
                .post("/api/rolls/preview").then().statusCode(400).body("field", equalTo("gate.threshold"));
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(plan("1.2.0-1", "gate", Map.of("query", "up", "threshold", 1, "sneaky", true)))
                .post("/api/rolls/preview").then().statusCode(400);
    }
}
