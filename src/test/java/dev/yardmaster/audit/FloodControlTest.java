package dev.yardmaster.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.profiles.WebhooksAndLimitsProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A flood of refusals from one principal is audited up to the limit per minute and summed up
 * in one event; verify and export are limited per principal with 429 and Retry-After; replicas
 * sign one checkpoint per interval between them.
 */
@QuarkusTest
@TestProfile(WebhooksAndLimitsProfile.class)
class FloodControlTest {

    @Inject
    RefusalWindows refusalWindows;

    @Inject
    AuditCheckpoints checkpoints;

    @Test
    void ofSeveralReplicasOnlyOneSignsPerInterval() {
        lockAndUnlock();
        // Signed on demand (or by the first replica's tick); the next tick within half the
        // interval (30 minutes here) signs nothing, although new events were recorded.
        given().auth().oauth2(Tokens.user("dave")).post("/api/audit/checkpoints").then().statusCode(201);
        lockAndUnlock();
        assertThat(QuarkusTransaction.requiringNew().call(() -> checkpoints.sign(false))).isEmpty();
    }

    private static void lockAndUnlock() {
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{\"reason\":\"x\"}")
                .put("/api/environments/staging/lock");
        given().auth().oauth2(Tokens.user("alice")).delete("/api/environments/staging/lock").then().statusCode(200);
    }

    @Test
    void aFloodOfRefusalsIsRecordedUpToTheLimitAndSummedUpOnce() {
        long before = newestId();
        int attempts = 25;
        for (int i = 0; i < attempts; i++) {
            given().auth().oauth2(Tokens.user("carol")).contentType("application/json").body("{\"reason\":\"flood\"}")
                    .put("/api/environments/review/lock").then().statusCode(403);
        }
        List<AuditEvent> oneByOne = events(before, "request.refused");
        // The loop may straddle a minute boundary: at most the limit per minute it touched.
        assertThat(oneByOne).hasSizeBetween(5, 10);
        assertThat(oneByOne).allMatch(e -> e.actor.equals("carol"));

        refusalWindows.summarize(Instant.now().plus(Duration.ofMinutes(2)));
        List<AuditEvent> summaries = events(before, RefusalWindows.SUMMARY);
        assertThat(summaries).hasSizeBetween(1, 2).allMatch(e -> e.actor.equals("carol") && e.outcome.equals("refused"));
        int notRecorded = summaries.stream().mapToInt(e -> ((Number) e.details.get("notRecordedOneByOne")).intValue()).sum();
        assertThat(oneByOne.size() + notRecorded).isEqualTo(attempts);
        assertThat(summaries.get(0).details.get("examples").toString()).contains("PUT /api/environments/review/lock");
    }

    @Test
    void verifyAndExportAreLimitedPerPrincipal() {
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(Tokens.user("bob")).get("/api/audit/verify").then().statusCode(200);
        }
        Response refused = given().auth().oauth2(Tokens.user("bob")).queryParam("format", "json").get("/api/audit/export");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        // Another principal is not held back by bob's reads.
        given().auth().oauth2(Tokens.user("alice")).get("/api/audit/verify").then().statusCode(200);
    }

    private static long newestId() {
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find("order by id desc").firstResultOptional()
                .map(e -> e.id).orElse(0L));
    }

    private static List<AuditEvent> events(long after, String action) {
        return QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>list("id > ?1 and action = ?2 order by id",
                after, action));
    }
}
