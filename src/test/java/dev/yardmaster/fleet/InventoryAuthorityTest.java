package dev.yardmaster.fleet;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.security.Actor;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.profiles.StagingFrozenProfile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Authority over the inventory (issue 16.2): every inventory endpoint × environment × role.
 * A host is what a roll of its environment touches, so changing it needs the role that may roll
 * that environment (prod: release-manager; review: deployer), on both sides of a move, and
 * none while the environment is locked or frozen. Staging is frozen for this whole class.
 */
@QuarkusTest
@TestProfile(StagingFrozenProfile.class)
class InventoryAuthorityTest {

    /** The demo users and the highest role each holds. */
    enum Who {
        carol(0), alice(1), bob(2), dave(3);

        final int rank;

        Who(int rank) {
            this.rank = rank;
        }

        String token() {
            return Tokens.user(name());
        }
    }

    /** The rank needed to change hosts of an environment: deployer, or release-manager for prod. */
    static int needed(String environment) {
        return environment.equals("prod") ? 2 : 1;
    }

    static final AtomicInteger SEQUENCE = new AtomicInteger();

    @Inject
    Inventory inventory;

    /** A host made by the console itself, so the cell under test is the only call that can be refused. */
    Host host(String environment) {
        int n = SEQUENCE.incrementAndGet();
        return inventory.add(Actor.system(), new Inventory.HostInput("authz-" + n, "10.99." + (n / 250) + "." + (n % 250 + 1),
                22, environment, "web", List.of(), List.of("flingerator"), List.of("flingerator")));
    }

    static Map<String, Object> body(String name, String address, String environment, List<String> services) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("address", address);
        body.put("port", 22);
        body.put("environment", environment);
        body.put("nodeType", "web");
        body.put("tags", List.of());
        body.put("packages", List.of("flingerator"));
        body.put("services", services);
        return body;
    }

    static Host stored(long id) {
        return QuarkusTransaction.requiringNew().call(() -> Host.findById(id));
    }

    static Stream<Object[]> cells() {
        List<Object[]> cells = new ArrayList<>();
        for (String operation : List.of("add", "change", "delete", "import")) {
            for (String environment : List.of("review", "prod")) {
                for (Who who : Who.values()) {
                    cells.add(new Object[] {operation, environment, who});
                }
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} a host in {1} as {2}")
    @MethodSource("cells")
    void theRoleThatMayRollTheEnvironmentDecides(String operation, String environment, Who who) {
        boolean allowed = who.rank >= needed(environment);
        Response response = switch (operation) {
            case "add" -> {
                int n = SEQUENCE.incrementAndGet();
                yield given().auth().oauth2(who.token()).contentType("application/json")
                        .body(body("authz-new-" + n, "10.98.0." + (n % 250 + 1), environment, List.of("flingerator")))
                        .post("/api/hosts");
            }
            case "change" -> {
                Host h = host(environment);
                yield given().auth().oauth2(who.token()).contentType("application/json")
                        .body(body(h.name, h.address, environment, List.of("sshd"))).put("/api/hosts/" + h.id);
            }
            case "delete" -> given().auth().oauth2(who.token()).delete("/api/hosts/" + host(environment).id);
            default -> {
                Host h = host(environment);
                yield given().auth().oauth2(who.token()).contentType("text/csv")
                        .body("address,port,environment,node_type,packages,services\n" + h.address + ",22," + environment
                                + ",web,flingerator,sshd\n")
                        .post("/api/hosts/import");
            }
        };
        if (allowed) {
            assertThat(response.statusCode()).as(response.asString()).isIn(200, 201, 204);
            return;
        }
        assertThat(response.contentType()).startsWith("application/problem+json");
        if (who == Who.carol) {
            assertThat(response.statusCode()).as("viewers change no host").isEqualTo(403);
        } else if (operation.equals("import")) {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(422);
            assertThat(response.jsonPath().getString("type")).endsWith("/import-refused");
            assertThat(response.jsonPath().getString("refused[0].type")).isEqualTo("role-required");
            assertThat(response.jsonPath().getInt("refused[0].line")).isEqualTo(2);
            assertThat(response.jsonPath().getString("refused[0].reason")).contains("needs the release-manager role");
        } else {
            assertThat(response.statusCode()).as(response.asString()).isEqualTo(403);
            assertThat(response.jsonPath().getString("type")).endsWith("/role-required");
            assertThat(response.jsonPath().getString("detail")).contains("needs the release-manager role");
        }
    }

    static Stream<Object[]> moves() {
        List<Object[]> cells = new ArrayList<>();
        for (String[] move : List.of(new String[] {"prod", "review"}, new String[] {"review", "prod"})) {
            for (Who who : Who.values()) {
                cells.add(new Object[] {move[0], move[1], who});
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "moving a host from {0} to {1} as {2}")
    @MethodSource("moves")
    void movingNeedsTheRightOnBothSides(String from, String to, Who who) {
        Host h = host(from);
        Response response = given().auth().oauth2(who.token()).contentType("application/json")
                .body(body(h.name, h.address, to, List.of("flingerator"))).put("/api/hosts/" + h.id);
        boolean allowed = who.rank >= Math.max(needed(from), needed(to));
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(allowed ? 200 : 403);
        assertThat(stored(h.id).environment).isEqualTo(allowed ? to : from);
    }

    @Test
    void aDeployerCannotMoveAProdHostIntoReviewAndTheRefusalIsAudited() {
        Host h = host("prod");
        long refusalsBefore = QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "action = 'request.refused' and actor = 'alice' and subject = ?1", "PUT /api/hosts/" + h.id));
        JsonPath problem = given().auth().oauth2(Who.alice.token()).contentType("application/json")
                .body(body(h.name, h.address, "review", List.of("flingerator"))).put("/api/hosts/" + h.id)
                .then().statusCode(403).contentType("application/problem+json").extract().jsonPath();
        assertThat(problem.getString("detail")).isEqualTo("Moving " + h.name + " from prod to review needs the release-manager "
                + "role: hosts of prod change only with the role that may roll prod.");
        assertThat(problem.getString("environment")).isEqualTo("prod");
        assertThat(stored(h.id).environment).isEqualTo("prod");
        assertThat(QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "action = 'request.refused' and actor = 'alice' and subject = ?1", "PUT /api/hosts/" + h.id)))
                .isEqualTo(refusalsBefore + 1);
    }

    @Test
    void changingAProdHostsServicesIsAuditedWithBeforeAndAfter() {
        Host h = host("prod");
        given().auth().oauth2(Who.alice.token()).contentType("application/json")
                .body(body(h.name, h.address, "prod", List.of("sshd"))).put("/api/hosts/" + h.id).then().statusCode(403);
        assertThat(stored(h.id).services).isEqualTo("flingerator");
        given().auth().oauth2(Who.bob.token()).contentType("application/json")
                .body(body(h.name, h.address, "prod", List.of("sshd"))).put("/api/hosts/" + h.id).then().statusCode(200);
        AuditEvent event = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                "action = 'host.changed' and subject = ?1 order by id desc", h.name).firstResult());
        assertThat(event.actor).isEqualTo("bob");
        assertThat(event.environment).isEqualTo("prod");
        assertThat(event.details.get("before")).asString().contains("services=[flingerator]");
        assertThat(event.details.get("after")).asString().contains("services=[sshd]");
    }

    @Test
    void deletingAProdHostNeedsAReleaseManagerAndIsAuditedWithWhatWasThere() {
        Host h = host("prod");
        given().auth().oauth2(Who.alice.token()).delete("/api/hosts/" + h.id).then().statusCode(403);
        assertThat(stored(h.id)).isNotNull();
        given().auth().oauth2(Who.bob.token()).delete("/api/hosts/" + h.id).then().statusCode(204);
        assertThat(stored(h.id)).isNull();
        AuditEvent event = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                "action = 'host.removed' and subject = ?1", h.name).firstResult());
        assertThat(event.actor).isEqualTo("bob");
        assertThat(event.details.get("before")).asString().contains("environment=prod");
    }

    @Test
    void anImportTouchingAProdHostIsRefusedWholeAndSaysWhichHostAndWhy() {
        Host prodHost = host("prod");
        int n = SEQUENCE.incrementAndGet();
        String reviewAddress = "10.97.0." + (n % 250 + 1);
        String csv = "address,port,environment,node_type,packages,services\n"
                + reviewAddress + ",22,review,web,flingerator,flingerator\n"
                + prodHost.address + ",22,prod,web,flingerator,sshd\n";
        JsonPath dry = given().auth().oauth2(Who.alice.token()).contentType("text/csv").body(csv)
                .post("/api/hosts/import?dryRun=true").then().statusCode(200).extract().jsonPath();
        assertThat(dry.getList("added.address")).containsExactly(reviewAddress);
        assertThat(dry.getList("refused.host")).containsExactly(prodHost.name);
        assertThat(dry.getBoolean("applied")).isFalse();

        JsonPath refused = given().auth().oauth2(Who.alice.token()).contentType("text/csv").body(csv)
                .post("/api/hosts/import").then().statusCode(422).contentType("application/problem+json").extract().jsonPath();
        assertThat(refused.getString("detail")).startsWith("Nothing was imported: 1 of 2 hosts are refused. line 3 ("
                + prodHost.name + "): Changing " + prodHost.name + " in prod needs the release-manager role");
        assertThat(refused.getInt("refused[0].status")).isEqualTo(403);
        assertThat(QuarkusTransaction.requiringNew().call(() -> Host.at(reviewAddress, 22).isPresent()))
                .as("all or nothing: the review host of the same file is not added").isFalse();
        assertThat(stored(prodHost.id).services).isEqualTo("flingerator");

        JsonPath applied = given().auth().oauth2(Who.bob.token()).contentType("text/csv").body(csv)
                .post("/api/hosts/import").then().statusCode(200).extract().jsonPath();
        assertThat(applied.getBoolean("applied")).isTrue();
        assertThat(applied.getList("changed.after.services")).containsExactly(List.of("sshd"));
        assertThat(applied.getList("changed.before.services")).containsExactly(List.of("flingerator"));
        assertThat(stored(prodHost.id).services).isEqualTo("sshd");
    }

    @Test
    void aLockedEnvironmentTakesNoInventoryChangesUntilUnlocked() {
        Host h = host("review");
        given().auth().oauth2(Who.bob.token()).contentType("application/json").body(Map.of("reason", "incident 42"))
                .put("/api/environments/review/lock").then().statusCode(200);
        try {
            for (Who who : List.of(Who.alice, Who.dave)) {
                given().auth().oauth2(who.token()).delete("/api/hosts/" + h.id).then().statusCode(423)
                        .contentType("application/problem+json")
                        .body("type", org.hamcrest.Matchers.endsWith("/environment-locked"))
                        .body("detail", org.hamcrest.Matchers.startsWith("Removing " + h.name
                                + " from review refused: deploys to review are locked by bob: incident 42"));
            }
            Host prodHost = host("prod");
            given().auth().oauth2(Who.bob.token()).contentType("application/json")
                    .body(body(prodHost.name, prodHost.address, "review", List.of("flingerator"))).put("/api/hosts/" + prodHost.id)
                    .then().statusCode(423).body("detail", org.hamcrest.Matchers.startsWith("Moving " + prodHost.name
                            + " from prod to review refused: deploys to review are locked"));
        } finally {
            given().auth().oauth2(Who.bob.token()).delete("/api/environments/review/lock").then().statusCode(200);
        }
        given().auth().oauth2(Who.alice.token()).delete("/api/hosts/" + h.id).then().statusCode(204);
    }

    @Test
    void aFrozenEnvironmentTakesNoInventoryChangesEvenFromAnAdmin() {
        int n = SEQUENCE.incrementAndGet();
        given().auth().oauth2(Who.dave.token()).contentType("application/json")
                .body(body("authz-frozen-" + n, "10.96.0." + (n % 250 + 1), "staging", List.of("flingerator")))
                .post("/api/hosts").then().statusCode(423).body("type", org.hamcrest.Matchers.endsWith("/environment-frozen"))
                .body("detail", org.hamcrest.Matchers.equalTo("Adding authz-frozen-" + n + " to staging refused: staging is "
                        + "frozen (2000-01-01T00:00-2999-12-31T23:59 UTC)."));
        JsonPath refused = given().auth().oauth2(Who.dave.token()).contentType("text/plain")
                .body("[staging]\nfrozen-" + n + " yardmaster_node_type=web\n").post("/api/hosts/import?format=ansible-ini")
                .then().statusCode(422).extract().jsonPath();
        assertThat(refused.getString("refused[0].type")).isEqualTo("environment-frozen");
        assertThat(refused.getInt("refused[0].line")).isEqualTo(2);
    }

    @Test
    void aHostForAnEnvironmentThatIsNotConfiguredIsUnprocessable() {
        given().auth().oauth2(Who.dave.token()).contentType("application/json")
                .body(body("authz-nowhere", "10.95.0.1", "qa", List.of("flingerator"))).post("/api/hosts")
                .then().statusCode(422).body("type", org.hamcrest.Matchers.endsWith("/unknown-environment"))
                .body("detail", org.hamcrest.Matchers.containsString("there is no environment 'qa'. Known: review, staging, prod."));
    }
}
