package dev.yardmaster.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Roll event streams: no subscriber outlives its connection, unknown rolls are refused, streams are capped. */
@QuarkusTest
class RollStreamTest {

    static final String ALICE = Tokens.user("alice");

    @Inject
    RollEvents events;
    @Inject
    RollStream stream;
    @Inject
    EntityManager em;
    @TestHTTPResource("/")
    URL base;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tenThousandConnectsToAnUnknownRollLeaveNoSubscriber() throws Exception {
        int before = events.subscriberCount();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/rolls/987654321/events"))
                .header("Authorization", "Bearer " + ALICE).header("Accept", "text/event-stream").build();
        for (int i = 0; i < 10_000; i++) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (i == 0) {
                assertThat(response.statusCode()).isEqualTo(404);
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                        .startsWith("application/problem+json"));
            } else {
                assertThat(response.statusCode()).as("connect " + i).isEqualTo(404);
            }
        }
        assertThat(events.subscriberCount()).isEqualTo(before);
        assertThat(stream.openStreams()).isZero();
    }

    @Test
    void aClosedConnectionEndsItsSubscriptionAndStreamsAreCappedPerPrincipal() throws Exception {
        long id = QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                insert into roll (package_name, environment, target_evr, status, plan, batch_count, created_by)
                values ('streamed', 'staging', '1.0-1', 'SUCCEEDED', '{}', 1, 'RollStreamTest') returning id""")
                .getSingleResult()).longValue());
        int before = events.subscriberCount();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "api/rolls/" + id + "/events"))
                .header("Authorization", "Bearer " + ALICE).build();
        List<InputStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                assertThat(response.statusCode()).isEqualTo(200);
                open.add(response.body());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> events.subscriberCount() == before + 20);
            HttpResponse<String> refused = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("the 21st stream of one principal").isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("10");
            assertThat(refused.body()).contains("too-many-streams");
        } finally {
            for (InputStream in : open) {
                in.close();
            }
        }
        // The server hears of each disconnect by itself; no later event has to find the sink closed.
        await().atMost(Duration.ofSeconds(30)).until(() -> events.subscriberCount() == before && stream.openStreams() == 0);
        given().auth().oauth2(ALICE).get("/api/rolls/" + id).then().statusCode(200);
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from roll where id = ?1").setParameter(1, id)
                .executeUpdate());
    }
}
