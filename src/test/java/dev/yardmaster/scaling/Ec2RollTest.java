package dev.yardmaster.scaling;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.aws.FakeAws;
import dev.yardmaster.testing.aws.FakeAwsResource;
import dev.yardmaster.testing.fleet.LoopbackFleet;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A roll over Auto Scaling instances, one of which a spot interruption terminates mid-roll: it
 * ends "skipped" with "instance terminated" and the roll succeeds. The fake EC2 instances'
 * private IPs are loopback fleet hosts (bin/fleet on port 2404), so the roll really connects
 * over SSH and runs yum and systemctl on them.
 */
@QuarkusTest
@TestProfile(Ec2RollTest.Fleet.class)
class Ec2RollTest {

    static final Path FLEET = Path.of("target", "ec2-roll-fleet").toAbsolutePath();
    static final int FLEET_PORT = dev.yardmaster.testing.TestPorts.of(2404);
    static final List<String> ADDRESSES = List.of("127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4");

    /** Four review workers on the loopback fleet, and the console's SSH settings for them. */
    public static class Fleet implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Workers.class));
        }
    }

    /** The fleet as a test resource, brought up new and taken down with the application. */
    public static class Workers implements QuarkusTestResourceLifecycleManager {
        private LoopbackFleet fleet;

        @Override
        public Map<String, String> start() {
            fleet = LoopbackFleet.fresh(FLEET, FLEET_PORT, ADDRESSES.size(), "review:1", "worker:1");
            return Map.of(
                    "yardmaster.ssh.private-key", fleet.privateKey().toString(),
                    "yardmaster.ssh.known-hosts", fleet.knownHosts().toString(),
                    "yardmaster.ssh.user", fleet.user(),
                    "yardmaster.scaling.ssh-port", String.valueOf(FLEET_PORT),
                    "yardmaster.scaling.node-type-packages.worker", "gnip-worker");
        }

        @Override
        public void stop() {
            if (fleet != null) {
                fleet.close();
            }
        }
    }

    @Inject
    Ec2Inventory inventory;

    @Test
    void aSpotInstanceTerminatedMidRollIsSkippedAndTheRollSucceeds() {
        // BouncyCastle is a JVM-wide security provider. If the application class loader
        // registered it first, its EdDSA keys fail a cast inside Apache MINA SSHD, which runs in
        // Quarkus's class loader: register the instance this class loader sees for this test,
        // and put the original back afterwards for the plain JUnit tests that follow.
        java.security.Provider original = java.security.Security.getProvider("BC");
        java.security.Security.removeProvider("BC");
        java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
        try {
            roll();
        } finally {
            java.security.Security.removeProvider("BC");
            if (original != null) {
                java.security.Security.addProvider(original);
            }
        }
    }

    private void roll() {
        FakeAws fake = FakeAwsResource.fake();
        fake.reset();
        fake.useAddresses(ADDRESSES);
        fake.group("review-worker-spot").environment("review").nodeType("worker")
                .template(fake.launchTemplate("review-worker", true)).sizes(0, 4, 8).create();
        given().auth().oauth2(Tokens.user("bob")).delete("/api/environments/review/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.user("alice")).post("/api/scaling/discover").then().statusCode(200);
        assertThat(inventory.hosts("review")).extracting(Ec2Inventory.Ec2Host::address)
                .containsExactlyInAnyOrderElementsOf(ADDRESSES);

        // One host per batch with a pause between batches: the interruption lands mid-roll.
        JsonPath started = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body(Map.of("package", "gnip-worker", "environment", "review", "target", "2.1.1-1", "canary", 0,
                        "batchSize", "1", "parallelism", 1, "pauseBetweenBatches", "1s"))
                .post("/api/rolls").then().statusCode(201).extract().jsonPath();
        long roll = started.getLong("id");
        List<String> order = given().auth().oauth2(Tokens.user("carol")).get("/api/rolls/" + roll + "/hosts").jsonPath()
                .getList("name", String.class);
        assertThat(order).hasSize(4).allSatisfy(name -> assertThat(name).startsWith("i-"));

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "SUCCEEDED".equals(hostStatus(roll, order.get(0))));
        String victim = order.get(3);
        assertThat(hostStatus(roll, victim)).as("the last host has not had its turn yet").isEqualTo("PENDING");
        OffsetDateTime interruptedAt = OffsetDateTime.now(java.time.ZoneOffset.UTC);
        fake.advanceClock(Duration.ofSeconds(5));
        fake.interrupt(victim, true);

        Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> !List.of("PENDING", "RUNNING")
                .contains(given().auth().oauth2(Tokens.user("carol")).get("/api/rolls/" + roll).jsonPath().getString("status")));
        JsonPath done = given().auth().oauth2(Tokens.user("carol")).get("/api/rolls/" + roll).jsonPath();
        List<Map<String, Object>> hosts = given().auth().oauth2(Tokens.user("carol")).get("/api/rolls/" + roll + "/hosts")
                .jsonPath().getList("$");
        assertThat(done.getString("status")).as(hosts.toString()).isEqualTo("SUCCEEDED");
        assertThat(hosts).filteredOn(h -> h.get("name").equals(victim)).singleElement().satisfies(h -> {
            assertThat(h.get("status")).isEqualTo("SKIPPED");
            assertThat(h.get("reason")).isEqualTo("instance terminated");
        });
        assertThat(hosts).filteredOn(h -> !h.get("name").equals(victim)).hasSize(3)
                .allSatisfy(h -> {
                    assertThat(h.get("status")).isEqualTo("SUCCEEDED");
                    assertThat(h.get("toEvr")).isEqualTo("2.1.1-1");
                });

        // After a refresh the replacement that Auto Scaling launched during the roll is listed.
        inventory.refresh("test");
        String replacement = fake.instanceIds("review-worker-spot").get(3);
        assertThat(inventory.launchedSince("review", interruptedAt.plusSeconds(2)))
                .extracting(Ec2Inventory.Ec2Host::instanceId).containsExactly(replacement);
    }

    private static String hostStatus(long roll, String name) {
        return given().auth().oauth2(Tokens.user("carol")).get("/api/rolls/" + roll + "/hosts").jsonPath()
                .getList("$", Map.class).stream().filter(h -> name.equals(h.get("name"))).map(h -> (String) h.get("status"))
                .findFirst().orElse(null);
    }
}
