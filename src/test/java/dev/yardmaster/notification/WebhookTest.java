package dev.yardmaster.notification;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.profiles.WebhooksAndLimitsProfile.Received;
import dev.yardmaster.testing.profiles.WebhooksAndLimitsProfile.Receiver;
import dev.yardmaster.testing.profiles.WebhooksAndLimitsProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Audit events reach chat through signed webhooks, with retries, and the log shows it. */
@QuarkusTest
@TestProfile(WebhooksAndLimitsProfile.class)
class WebhookTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aLockReachesTheEndpointSignedAndOnlySubscribedEventsAreSent() throws Exception {
        String marker = "hook-" + UUID.randomUUID();
        lockAndUnlock(marker);

        Received locked = await().atMost(Duration.ofSeconds(20)).until(() -> find(marker, "environment.locked"), r -> r != null);
        assertThat(locked.signature()).isEqualTo("sha256=" + Webhooks.sign("s3cret", locked.body()));
        JsonNode body = json.readTree(locked.body());
        assertThat(body.get("type").asText()).isEqualTo("environment.locked");
        assertThat(body.at("/event/actor").asText()).isEqualTo("alice");
        assertThat(body.at("/event/details/reason").asText()).isEqualTo(marker);
        assertThat(body.at("/event/hash").asText()).hasSize(64);

        // A refused attempt is audited but "request.refused" is not among the endpoint's events.
        given().auth().oauth2(Tokens.user("carol")).contentType("application/json")
                .body("{\"reason\":\"" + marker + "\"}").put("/api/environments/review/lock").then().statusCode(403);
        await().atMost(Duration.ofSeconds(20)).until(() -> find(marker, "environment.unlocked") != null);
        assertThat(Receiver.RECEIVED).noneMatch(r -> "request.refused".equals(r.event()));
    }

    @Test
    void aFailedDeliveryIsRetriedAndTheLogShowsTheAttempts() {
        String marker = "retry-" + UUID.randomUUID();
        Receiver.FAIL_FIRST.put(marker, new AtomicInteger());
        lockAndUnlock(marker);

        Received locked = await().atMost(Duration.ofSeconds(20)).until(() -> find(marker, "environment.locked"), r -> r != null);
        Response log = given().auth().oauth2(Tokens.user("bob")).queryParam("endpoint", "chat").get("/api/webhooks/deliveries");
        List<Map<String, Object>> deliveries = log.jsonPath().getList("");
        Map<String, Object> entry = deliveries.stream()
                .filter(d -> d.get("id").toString().equals(locked.deliveryId())).findFirst().orElseThrow();
        assertThat(entry.get("status")).isEqualTo("delivered");
        assertThat(entry.get("attempts")).isEqualTo(2);
    }

    @Test
    void theDeliveryLogIsForReleaseManagersAndHidesSecrets() {
        given().auth().oauth2(Tokens.user("alice")).get("/api/webhooks/deliveries").then().statusCode(403);
        Response endpoints = given().auth().oauth2(Tokens.user("bob")).get("/api/webhooks/endpoints");
        assertThat(endpoints.statusCode()).isEqualTo(200);
        assertThat(endpoints.asString()).contains("\"signed\":true").doesNotContain("s3cret");
        given().auth().oauth2(Tokens.user("bob")).queryParam("status", "lost").get("/api/webhooks/deliveries")
                .then().statusCode(400).contentType("application/problem+json");
    }

    private static void lockAndUnlock(String reason) {
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"reason\":\"" + reason + "\"}").put("/api/environments/review/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.user("alice")).delete("/api/environments/review/lock").then().statusCode(200);
    }

    private static Received find(String marker, String event) {
        return Receiver.RECEIVED.stream()
                .filter(r -> event.equals(r.event()) && new String(r.body()).contains(marker)).findFirst().orElse(null);
    }
}
