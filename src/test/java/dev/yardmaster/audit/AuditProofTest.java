package dev.yardmaster.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.yardmaster.testing.SchemaOwner;
import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The audit log holds against the database owner: the console's own role cannot change it, and
 * what the owner (or a superuser) does behind its back is found, each with its own reason.
 */
@QuarkusTest
class AuditProofTest {

    @Inject
    DataSource dataSource;

    @Inject
    AuditCheckpoints checkpoints;

    @Test
    void theConsolesRuntimeRoleCannotAlterRewriteOrReplaceAnything() throws SQLException {
        ensureSomeEvents();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            ResultSet who = s.executeQuery("SELECT current_user");
            who.next();
            assertThat(who.getString(1)).isEqualTo("yardmaster_app");
            assertThatThrownBy(() -> s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete"))
                    .hasMessageContaining("must be owner");
            assertThatThrownBy(() -> s.executeUpdate("UPDATE audit_event SET actor = 'mallory'"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_event"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.executeUpdate("TRUNCATE audit_event"))
                    .hasMessageContaining("permission denied");
            assertThatThrownBy(() -> s.execute("""
                    CREATE OR REPLACE FUNCTION audit_event_digest(e audit_event, previous TEXT) RETURNS TEXT
                    LANGUAGE sql IMMUTABLE AS $$ SELECT 'x' $$"""))
                    .hasMessageMatching("(?s).*(must be owner|permission denied).*");
            assertThatThrownBy(() -> s.execute("CREATE FUNCTION mine() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$"))
                    .hasMessageContaining("permission denied");
            ResultSet owned = s.executeQuery("""
                    SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                    AND relpersistence <> 't'""");
            owned.next();
            assertThat(owned.getLong(1)).as("relations the runtime role owns").isZero();
        }
    }

    @Test
    void deletingTheNewestEventsAfterACheckpointIsACutTail() throws SQLException {
        ensureSomeEvents();
        Response signed = given().auth().oauth2(Tokens.user("dave")).post("/api/audit/checkpoints");
        assertThat(signed.statusCode()).as(signed.asString()).isEqualTo(201);
        long lastId = signed.jsonPath().getLong("lastId");
        try (Connection owner = SchemaOwner.connect(); Statement s = owner.createStatement()) {
            // Keep the victims aside in this session, delete the two newest signed events and
            // the checkpoint's own event, then put everything back.
            s.execute("CREATE TEMP TABLE cut_events AS SELECT * FROM audit_event WHERE id >= " + (lastId - 1));
            s.execute("CREATE TEMP TABLE cut_deliveries AS SELECT * FROM webhook_delivery WHERE audit_event_id >= " + (lastId - 1));
            s.execute("DELETE FROM webhook_delivery WHERE audit_event_id >= " + (lastId - 1));
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
            s.execute("DELETE FROM audit_event WHERE id >= " + (lastId - 1));
            s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            try {
                Response verify = given().auth().oauth2(Tokens.user("carol")).get("/api/audit/verify");
                assertThat(verify.jsonPath().getBoolean("intact")).as(verify.asString()).isFalse();
                assertThat(verify.jsonPath().getString("problem")).isEqualTo("CUT_TAIL");
                assertThat(verify.jsonPath().getString("reason")).contains("tail was cut").contains("event " + lastId);
            } finally {
                s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_chain_insert");
                s.execute("INSERT INTO audit_event SELECT * FROM cut_events");
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_chain_insert");
                s.execute("INSERT INTO webhook_delivery OVERRIDING SYSTEM VALUE SELECT * FROM cut_deliveries");
            }
        }
        assertIntact();
    }

    @Test
    void aRewriteWithTheChainRecomputedIsFoundByTheCheckpoint() throws SQLException {
        ensureSomeEvents();
        long victim = given().auth().oauth2(Tokens.user("carol")).get("/api/audit?limit=1").jsonPath().getLong("events[0].id");
        given().auth().oauth2(Tokens.user("dave")).post("/api/audit/checkpoints").then().statusCode(201);
        try (Connection owner = SchemaOwner.connect(); Statement s = owner.createStatement()) {
            s.execute("CREATE TEMP TABLE rewritten AS SELECT id, actor, prev_hash, hash FROM audit_event WHERE id >= " + victim);
            s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
            // The owner's full rewrite: change a row, then recompute every later link with the
            // database's own digest, so that each row matches its hash again.
            s.execute("""
                    DO $$
                    DECLARE r audit_event; previous TEXT;
                    BEGIN
                        UPDATE audit_event SET actor = 'mallory' WHERE id = %d;
                        SELECT hash INTO previous FROM audit_event WHERE id < %d ORDER BY id DESC LIMIT 1;
                        FOR r IN SELECT * FROM audit_event WHERE id >= %d ORDER BY id LOOP
                            UPDATE audit_event SET prev_hash = previous, hash = audit_event_digest(r, previous) WHERE id = r.id
                                RETURNING hash INTO previous;
                        END LOOP;
                    END $$""".formatted(victim, victim, victim));
            // ...and covers its tracks: the trigger is back on, every function is the original.
            s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            try {
                Response verify = given().auth().oauth2(Tokens.user("carol")).queryParam("full", true).get("/api/audit/verify");
                assertThat(verify.jsonPath().getBoolean("intact")).as(verify.asString()).isFalse();
                assertThat(verify.jsonPath().getString("problem")).isEqualTo("RECHAINED");
                assertThat(verify.jsonPath().getString("reason")).contains("does not have the hash the checkpoint signed");
            } finally {
                s.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
                s.execute("""
                        UPDATE audit_event e SET actor = r.actor, prev_hash = r.prev_hash, hash = r.hash
                        FROM rewritten r WHERE e.id = r.id""");
                s.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            }
        }
        assertIntact();
    }

    @Test
    void aReplacedDigestFunctionIsFound() throws SQLException {
        ensureSomeEvents();
        try (Connection owner = SchemaOwner.connect(); Statement s = owner.createStatement()) {
            ResultSet original = s.executeQuery("SELECT pg_get_functiondef('audit_event_digest'::regproc)");
            original.next();
            String definition = original.getString(1);
            s.execute("""
                    CREATE OR REPLACE FUNCTION audit_event_digest(e audit_event, previous TEXT) RETURNS TEXT
                    LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('0', 64) $$""");
            try {
                Response verify = given().auth().oauth2(Tokens.user("carol")).get("/api/audit/verify");
                assertThat(verify.jsonPath().getBoolean("intact")).as(verify.asString()).isFalse();
                assertThat(verify.jsonPath().getString("problem")).isEqualTo("REPLACED_FUNCTION");
                assertThat(verify.jsonPath().getString("reason")).contains("audit_event_digest was replaced");
            } finally {
                s.execute(definition);
            }
        }
        assertIntact();
    }

    @Test
    void eventsAreNumberedWithoutGapsAndIdsNoLongerSkip() throws SQLException {
        ensureSomeEvents();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            ResultSet numbers = s.executeQuery("SELECT count(*), min(seq), max(seq) FROM audit_event");
            numbers.next();
            assertThat(numbers.getLong(3) - numbers.getLong(2) + 1).isEqualTo(numbers.getLong(1));
            assertThat(numbers.getLong(2)).isEqualTo(1);
        }
        Response newest = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "environment.*")
                .queryParam("limit", 2).get("/api/audit");
        long unlocked = newest.jsonPath().getLong("events[0].id");
        long locked = newest.jsonPath().getLong("events[1].id");
        assertThat(newest.jsonPath().getString("events[1].action")).isEqualTo("environment.locked");
        assertThat(unlocked - locked).as("ids of two consecutive events").isEqualTo(1);
        assertThat(newest.jsonPath().getLong("events[0].seq") - newest.jsonPath().getLong("events[1].seq")).isEqualTo(1);
    }

    @Test
    void checkpointsAreListedWithThePublicKeyAndOnlyAdminsSignOnDemand() {
        given().auth().oauth2(Tokens.user("bob")).post("/api/audit/checkpoints").then().statusCode(403);
        ensureSomeEvents();
        Response signed = given().auth().oauth2(Tokens.user("dave")).post("/api/audit/checkpoints");
        assertThat(signed.statusCode()).isEqualTo(201);
        Response list = given().auth().oauth2(Tokens.user("carol")).get("/api/audit/checkpoints");
        assertThat(list.jsonPath().getString("publicKey")).startsWith("-----BEGIN PUBLIC KEY-----");
        assertThat(list.jsonPath().getLong("checkpoints[0].lastId")).isEqualTo(signed.jsonPath().getLong("lastId"));
        assertThat(list.jsonPath().getString("checkpoints[0].signature")).isEqualTo(signed.jsonPath().getString("signature"));
        Response event = given().auth().oauth2(Tokens.user("carol")).queryParam("action", "audit.checkpointed")
                .queryParam("limit", 1).get("/api/audit");
        assertThat(event.jsonPath().getString("events[0].details.signature")).isEqualTo(signed.jsonPath().getString("signature"));
    }

    @Test
    void aScheduledCheckpointSignsOnlyWhenSomethingWasRecordedSinceTheLast() {
        ensureSomeEvents();
        var first = QuarkusTransaction.requiringNew().call(() -> checkpoints.sign(false));
        assertThat(first).isPresent();
        // Only the checkpoint's own event is newer: another replica's (or this one's) next
        // tick has nothing to sign.
        assertThat(QuarkusTransaction.requiringNew().call(() -> checkpoints.sign(false))).isEmpty();
        ensureSomeEvents();
        var next = QuarkusTransaction.requiringNew().call(() -> checkpoints.sign(false));
        assertThat(next).isPresent();
        assertThat(next.get().count()).isGreaterThan(first.get().count());
    }

    @Test
    void theVerifyPageSaysWhatWasCheckedAgainstWhichCheckpoint() {
        ensureSomeEvents();
        given().auth().oauth2(Tokens.user("dave")).post("/api/audit/checkpoints").then().statusCode(201);
        String html = given().auth().oauth2(Tokens.user("carol")).accept("text/html").queryParam("full", true)
                .get("/audit/verify").then().statusCode(200).extract().asString();
        assertThat(html).contains("The chain is intact").contains("from the first").contains("checkpoint signed at");
    }

    private static void assertIntact() {
        Response full = given().auth().oauth2(Tokens.user("carol")).queryParam("full", true).get("/api/audit/verify");
        assertThat(full.jsonPath().getBoolean("intact")).as(full.asString()).isTrue();
        Response incremental = given().auth().oauth2(Tokens.user("carol")).get("/api/audit/verify");
        assertThat(incremental.jsonPath().getBoolean("intact")).as(incremental.asString()).isTrue();
    }

    static void ensureSomeEvents() {
        given().auth().oauth2(Tokens.user("alice")).contentType("application/json").body("{\"reason\":\"x\"}")
                .put("/api/environments/review/lock");
        given().auth().oauth2(Tokens.user("alice")).delete("/api/environments/review/lock").then().statusCode(200);
    }
}
