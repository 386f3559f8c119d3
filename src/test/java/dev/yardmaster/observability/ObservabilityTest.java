package dev.yardmaster.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
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
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logging.MDC;
import org.junit.jupiter.api.Test;

/**
 * JSON logs carry the roll id; the documented meters appear at /q/metrics under their names, on
 * the management interface (the application port does not serve it).
 */
@QuarkusTest
@TestProfile(ObservabilityTest.JsonLogs.class)
class ObservabilityTest {

    /** Production logging: JSON on, as the Helm chart sets it. */
    public static class JsonLogs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.console.json.enabled", "true");
        }
    }

    @Inject
    Meters meters;

    /** Prometheus' scrape address: the management interface, whose root is /q. */
    @TestHTTPResource(value = "metrics", management = true)
    URL metricsUrl;

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
    void theDocumentedMetersAreExportedToPrometheus() {
        meters.rollHost("SUCCEEDED");
        meters.rollStep("UPDATE", Duration.ofSeconds(3));
        meters.promotion("applied");
        meters.scan("ok");
        meters.sshConnection("host-key");

        String metrics = given().get(metricsUrl).then().statusCode(200).extract().asString();

        assertThat(metrics).contains("yardmaster_rolls_hosts_total{state=\"succeeded\"} 1.0",
                "yardmaster_promotions_total{outcome=\"applied\"} 1.0", "yardmaster_scans_total{outcome=\"ok\"} 1.0",
                "yardmaster_ssh_connections_total{outcome=\"host-key\"} 1.0",
                "yardmaster_roll_step_duration_seconds_count{step=\"update\"} 1",
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
