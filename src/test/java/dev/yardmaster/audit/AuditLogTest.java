package dev.yardmaster.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.yardmaster.testing.SchemaOwner;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The audit log cannot be rewritten at the database, and a rewrite behind its back is found. */
@QuarkusTest
class AuditLogTest {

    @Test
    void changesAndRefusalsAreRecordedWithWhoAndOnWhoseBehalf() {
        given().auth().oauth2(Tokens.bot()).contentType("application/json").queryParam("onBehalfOf", "erin")
                .body("{\"reason\":\"audit test\"}").put("/api/environments/review/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.bot()).delete("/api/environments/review/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"reason\":\"not mine\"}").put("/api/environments/prod/lock").then().statusCode(403);

        Response locked = given().auth().oauth2(Tokens.user("carol"))
                .queryParam("action", "environment.locked").queryParam("actor", "erin").get("/api/audit");
        assertThat(locked.jsonPath().getString("events[0].actor")).isEqualTo("chatops-bot");
        assertThat(locked.jsonPath().getString("events[0].onBehalfOf")).isEqualTo("erin");
        assertThat(locked.jsonPath().getString("events[0].clientId")).isEqualTo("chatops-bot");
        assertThat(locked.jsonPath().getString("events[0].details.reason")).isEqualTo("audit test");

        Response refused = given().auth().oauth2(Tokens.user("carol"))
                .queryParam("actor", "alice").queryParam("action", "request.refused").get("/api/audit");
        assertThat(refused.jsonPath().getString("events[0].outcome")).isEqualTo("refused");
        assertThat(refused.jsonPath().getString("events[0].subject")).isEqualTo("PUT /api/environments/prod/lock");
        assertThat(refused.jsonPath().getString("events[0].details.reason")).contains("release-manager");
    }

    @Test
    void theDatabaseRefusesUpdateDeleteAndTruncateEvenToTheSchemaOwner() throws SQLException {
        ensureSomeEvents();
        try (Connection c = SchemaOwner.connect(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_event SET actor = 'mallory'"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_event"))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> s.executeUpdate("TRUNCATE audit_event CASCADE"))
                    .hasMessageContaining("append-only");
        }
    }

    @Test
    void concurrentWritersStillFormOneChain() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String env = i % 2 == 0 ? "review" : "staging";
                Callable<Integer> lockOrUnlock = () -> given().auth().oauth2(Tokens.user("alice"))
                        .contentType("application/json").body("{\"reason\":\"race\"}")
                        .put("/api/environments/" + env + "/lock").statusCode();
                results.add(pool.submit(lockOrUnlock));
                results.add(pool.submit(() -> given().auth().oauth2(Tokens.user("alice"))
                        .delete("/api/environments/" + env + "/lock").statusCode()));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isIn(200, 409);
            }
        } finally {
            pool.shutdown();
            for (String env : List.of("review", "staging")) {
                given().auth().oauth2(Tokens.user("alice")).delete("/api/environments/" + env + "/lock");
            }
        }
        Response verify = given().auth().oauth2(Tokens.user("carol")).get("/api/audit/verify");
        assertThat(verify.jsonPath().getBoolean("intact")).as(verify.asString()).isTrue();
    }

    @Test
    void verifyFindsARowAlteredWithTheTriggerDisabled() throws SQLException {
        ensureSomeEvents();
        long victim;
        String originalActor;
        try (Connection c = SchemaOwner.connect(); Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT id, actor FROM audit_event ORDER BY id DESC LIMIT 1");
            rs.next();
            victim = rs.getLong(1);
            originalActor = rs.getString(2);
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
            try {
                s.executeUpdate("UPDATE audit_event SET actor = 'mallory' WHERE id = " + victim);
            } finally {
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            }
        }
        try {
            Response verify = given().auth().oauth2(Tokens.user("carol")).queryParam("full", true).get("/api/audit/verify");
            assertThat(verify.jsonPath().getBoolean("intact")).isFalse();
            assertThat(verify.jsonPath().getLong("brokenAt")).isEqualTo(victim);
            assertThat(verify.jsonPath().getString("reason")).contains("altered");
            assertThat(verify.jsonPath().getString("problem")).isEqualTo("REWRITTEN_ROW");
        } finally {
            // Undo the tampering so later tests see an intact chain again.
            try (Connection c = SchemaOwner.connect();
                    var undo = c.prepareStatement("UPDATE audit_event SET actor = ? WHERE id = ?")) {
                c.createStatement().execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
                undo.setString(1, originalActor);
                undo.setLong(2, victim);
                undo.executeUpdate();
                c.createStatement().execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            }
            assertThat(given().auth().oauth2(Tokens.user("carol")).queryParam("full", true).get("/api/audit/verify")
                    .jsonPath().getBoolean("intact")).isTrue();
        }
    }

    private static void ensureSomeEvents() {
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{\"reason\":\"x\"}")
                .put("/api/environments/review/lock");
        given().auth().oauth2(Tokens.user("alice")).delete("/api/environments/review/lock").then().statusCode(200);
    }
}
