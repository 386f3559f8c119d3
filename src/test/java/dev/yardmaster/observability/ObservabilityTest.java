package dev.yardmaster.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.rollout.CheckedFleetProfile;
import dev.yardmaster.testing.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.jboss.logging.MDC;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.Test;

/**
 * JSON logs carry the roll id; the README's meters are recorded by the code that does the work: a
 * real roll over the loopback fleet, a scan of its repo server's build/, a refused promotion.
 */
@QuarkusTest
@TestProfile(CheckedFleetProfile.class)
class ObservabilityTest {

    static final String ALICE = Tokens.user("alice");

    @Inject
    Meters meters;

    /** Prometheus' scrape address: the management interface, whose root is /q. */
    @TestHTTPResource(value = "metrics", management = true)
    URL metricsUrl;
    @Inject
    MeterRegistry registry;

    double count(String name, String tag, String value) {
        var counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    long steps(String step) {
        var timer = registry.find(Meters.ROLL_STEP_DURATION).tag("step", step).timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void jsonLogLinesCarryTheRollIdWhileARollContextIsOpen() throws Exception {
        Formatter json = consoleFormatter();
        assertThat(json.getClass().getName()).isEqualTo("io.quarkus.logging.json.runtime.JsonFormatter");

        JsonNode inside;
        try (var ignored = RollLogContext.open(42)) {
            inside = new ObjectMapper().readTree(json.format(record("host 10.0.0.5 updated")));
            try (var nested = RollLogContext.open(43)) {
                assertThat(MDC.get(RollLogContext.KEY)).isEqualTo("roll=43 ");
            }
            assertThat(MDC.get(RollLogContext.KEY)).isEqualTo("roll=42 ");
        }
        JsonNode outside = new ObjectMapper().readTree(json.format(record("scan finished")));

        assertThat(inside.path("message").asText()).isEqualTo("host 10.0.0.5 updated");
        assertThat(inside.at("/mdc/roll.id").asText()).isEqualTo("roll=42 ");
        assertThat(outside.at("/mdc/roll.id").isMissingNode()).isTrue();
        assertThat(MDC.get(RollLogContext.KEY)).isNull();
    }

    @Test
    void aRealRollAScanAndAPromotionRecordTheDocumentedMeters() {
        double succeeded = count(Meters.ROLL_HOSTS, "state", "succeeded");
        double connected = count(Meters.SSH_CONNECTIONS, "outcome", "ok");
        long updates = steps("update");
        long restarts = steps("restart");
        double scans = count(Meters.SCANS, "outcome", "ok");
        double refused = count(Meters.PROMOTIONS, "outcome", "refused");

        long id = given().auth().oauth2(ALICE).contentType("application/json").body(Map.of("package", "flingerator",
                "environment", "staging", "target", "1.2.0-1", "canary", 0, "names", "127.0.1.1,127.0.1.2"))
                .post("/api/rolls").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300)).until(() -> given().auth().oauth2(ALICE)
                .get("/api/rolls/" + id).then().extract().jsonPath().getString("status").equals("SUCCEEDED"));
        given().auth().oauth2(ALICE).post("/api/builds/rescan").then().statusCode(200);
        given().auth().oauth2(ALICE).contentType("application/json")
                .body(Map.of("package", "flingerator", "version", "9.9.9", "environment", "review"))
                .post("/api/promotions").then().statusCode(org.hamcrest.Matchers.both(org.hamcrest.Matchers.greaterThanOrEqualTo(400))
                        .and(org.hamcrest.Matchers.lessThan(500)));

        assertThat(count(Meters.ROLL_HOSTS, "state", "succeeded") - succeeded).as("hosts that succeeded").isEqualTo(2);
        assertThat(count(Meters.SSH_CONNECTIONS, "outcome", "ok") - connected).as("SSH connections").isGreaterThanOrEqualTo(2);
        assertThat(steps("update") - updates).as("update steps timed").isEqualTo(2);
        assertThat(steps("restart") - restarts).as("restart steps timed").isEqualTo(2);
        assertThat(count(Meters.SCANS, "outcome", "ok") - scans).as("scans").isGreaterThanOrEqualTo(1);
        assertThat(count(Meters.PROMOTIONS, "outcome", "refused") - refused).as("refused promotions").isEqualTo(1);
        // Prometheus names as the README lists them, scraped where Prometheus scrapes: the
        // management interface.
        assertThat(registry.find(Meters.ROLL_STEP_DURATION).tag("step", "update").timer().takeSnapshot().histogramCounts())
                .as("published as a histogram").isNotEmpty();
        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();
        assertThat(metrics).contains("yardmaster_rolls_hosts_total{state=\"succeeded\"}",
                "yardmaster_promotions_total{outcome=\"refused\"}", "yardmaster_scans_total{outcome=\"ok\"}",
                "yardmaster_ssh_connections_total{outcome=\"ok\"}",
                "yardmaster_roll_step_duration_seconds_bucket{step=\"update\",le=\"");
    }

    @Test
    void tagValuesThatWouldExplodeCardinalityAreRefused() {
        assertThatThrownBy(() -> meters.promotion("flingerator-1.2.3 by alice")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("meter tag value");
    }

    static ExtLogRecord record(String message) {
        ExtLogRecord record = new ExtLogRecord(Level.INFO, message, ObservabilityTest.class.getName());
        record.setLoggerName("dev.yardmaster.rollout");
        return record;
    }

    /** The formatter of the console handler, wherever Quarkus nested it under the root logger. */
    static Formatter consoleFormatter() {
        List<Handler> pending = new ArrayList<>(List.of(LogContext.getLogContext().getLogger("").getHandlers()));
        while (!pending.isEmpty()) {
            Handler handler = pending.removeFirst();
            if (handler.getClass().getSimpleName().contains("Console") && handler.getFormatter() != null) {
                return handler.getFormatter();
            }
            if (handler instanceof ExtHandler ext) {
                pending.addAll(List.of(ext.getHandlers()));
            }
        }
        throw new AssertionError("no console handler under the root logger");
    }
}
