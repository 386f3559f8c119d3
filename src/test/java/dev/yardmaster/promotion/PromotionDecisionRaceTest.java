package dev.yardmaster.promotion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * An approve and a reject of the same prod request sent at the same moment: exactly one wins,
 * the other is answered 409 problem+json, and the promotion's state and audit say the winner's
 * decision. Uses the package marina only.
 */
@QuarkusTest
@TestProfile(PromotionRepoProfile.class)
class PromotionDecisionRaceTest {

    static Response decide(String verb, long id, CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body(Map.of("note", verb))
                .post("/api/promotions/" + id + "/" + verb);
    }

    @Test
    void anApproveRacingARejectHasExactlyOneWinner() throws Exception {
        given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan").then().statusCode(200);
        int approvals = 0;
        for (String version : PromotionRepoProfile.RACED) {
            // dave (admin) may force prod without the earlier steps; bob, a release manager, decides.
            Response requested = given().auth().oauth2(Tokens.user("dave")).contentType("application/json")
                    .body(Map.of("package", "marina", "version", version, "environment", "prod", "reason", "race " + version,
                            "force", true))
                    .post("/api/promotions");
            assertThat(requested.statusCode()).as(requested.asString()).isEqualTo(202);
            long id = requested.jsonPath().getLong("id");
            CountDownLatch go = new CountDownLatch(1);
            CompletableFuture<Response> approve = CompletableFuture.supplyAsync(() -> decide("approve", id, go));
            CompletableFuture<Response> reject = CompletableFuture.supplyAsync(() -> decide("reject", id, go));
            go.countDown();
            Response a = approve.get();
            Response r = reject.get();
            List<Integer> statuses = List.of(a.statusCode(), r.statusCode());
            assertThat(statuses).as("approve %s, reject %s", a.asString(), r.asString()).containsExactlyInAnyOrder(200, 409);
            Response loser = a.statusCode() == 409 ? a : r;
            assertThat(loser.contentType()).startsWith("application/problem+json");
            assertThat(loser.jsonPath().getString("type")).endsWith("/promotion-not-pending");
            String state = given().auth().oauth2(Tokens.user("bob")).get("/api/promotions/" + id).jsonPath().getString("state");
            if (a.statusCode() == 200) {
                approvals++;
                assertThat(state).isEqualTo("applied");
            } else {
                assertThat(state).isEqualTo("rejected");
            }
            List<String> decisions = given().auth().oauth2(Tokens.user("carol")).queryParam("package", "marina")
                    .get("/api/audit").jsonPath().getList("events.findAll { it.subject.contains('" + version
                            + "') && (it.action == 'promotion.approved' || it.action == 'promotion.rejected') }.action", String.class);
            assertThat(decisions).as("one decision audited for marina " + version).hasSize(1);
        }
        System.out.printf("approve vs. reject: approve won %d of %d%n", approvals, PromotionRepoProfile.RACED.size());
    }
}
