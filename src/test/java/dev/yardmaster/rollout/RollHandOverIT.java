package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardmaster.testing.PackagedRig.Instance;
import dev.yardmaster.testing.PackagedRig;
import dev.yardmaster.testing.Tokens;
import dev.yardmaster.testing.fleet.Fault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packaged Yardmaster processes on one database, as two Kubernetes replicas: SIGTERM to the
 * process that holds a roll's lease lets its running host finish, releases the lease, and the
 * other process continues at once; every host ends on the target, restarted exactly once.
 * Runs after {@code package} (failsafe) against the loopback fleet ({@code bin/fleet}).
 */
class RollHandOverIT {

    static final int HOSTS = 3;
    static final String SLOW_HOST = "127.0.1.2";

    static PackagedRig rig;

    @BeforeAll
    static void fleetAndTwoInstances() throws Exception {
        rig = PackagedRig.forRolls("handover", Map.of(), HOSTS,
                Integer.getInteger("yardmaster.test.handover-fleet-port", dev.yardmaster.testing.TestPorts.of(2405)), false, "a", "b");
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void sigtermToTheRollOwnerHandsTheRollOverWithoutLosingOrRepeatingAHost() throws Exception {
        String token = Tokens.user("alice");
        Instance a = rig.instances().get(0);
        // One host at a time and a slow second host, so SIGTERM lands while that host runs.
        rig.fleet().fault(rig.fleet().host(SLOW_HOST), Fault.SLOW, true);
        JsonNode roll = rig.call(a, "POST", "/api/rolls", token, """
                {"package": "flingerator", "environment": "staging", "target": "1.2.0-1", "canary": 0,
                 "batchSize": "1", "parallelism": 1}""");
        long id = roll.path("id").asLong();
        assertThat(roll.path("hosts").asInt()).isEqualTo(HOSTS);

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                .until(() -> "RUNNING".equals(PackagedRig.hostStatuses(id).get(SLOW_HOST)));
        String firstOwner = rig.call(a, "GET", "/api/rolls/" + id, token, null).path("leaseOwner").asText();
        Instance owner = rig.instances().stream().filter(i -> i.owns(firstOwner)).findFirst()
                .orElseThrow(() -> new AssertionError("lease owner " + firstOwner + " is neither instance"));
        Instance other = rig.instances().stream().filter(i -> i != owner).findFirst().orElseThrow();

        long sigterm = System.nanoTime();
        owner.process().destroy(); // SIGTERM
        assertThat(owner.process().waitFor(60, TimeUnit.SECONDS)).as("the owner exits within the grace period").isTrue();
        double exitSeconds = (System.nanoTime() - sigterm) / 1e9;

        // The other replica takes the released lease at its next heartbeat, long before the lease (15s) would expire.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> other.owns(rig.call(other, "GET",
                "/api/rolls/" + id, token, null).path("leaseOwner").asText()));
        double handOverSeconds = (System.nanoTime() - sigterm) / 1e9;
        await().atMost(Duration.ofSeconds(240)).until(() -> rig.call(other, "GET", "/api/rolls/" + id, token, null)
                .path("status").asText().equals("SUCCEEDED"));

        JsonNode hosts = rig.call(other, "GET", "/api/rolls/" + id + "/hosts", token, null);
        Map<String, String[]> fleetState = rig.fleetState();
        assertThat(fleetState).hasSize(HOSTS);
        for (JsonNode host : hosts) {
            String address = host.path("address").asText();
            assertThat(host.path("status").asText()).as(address).isEqualTo("SUCCEEDED");
            assertThat(host.path("restarts").asInt()).as("restarts recorded for " + address).isEqualTo(1);
            assertThat(fleetState.get(address)[0]).as("installed on " + address).isEqualTo("flingerator-1.2.0-1");
            assertThat(fleetState.get(address)[1]).as("service restarts on " + address).isEqualTo("1");
        }
        System.out.printf("hand-over: owner exited %.1f s after SIGTERM, other replica held the lease %.1f s after SIGTERM%n",
                exitSeconds, handOverSeconds);

        // Every log line the instances wrote about the roll carries its id (JSON logs, MDC roll.id);
        // the roll engine logs only problems, so a clean hand-over may write none.
        List<JsonNode> rollLines = new ArrayList<>();
        for (Instance instance : rig.instances()) {
            rig.jsonLog(instance).stream().filter(line -> line.path("loggerName").asText().startsWith("dev.yardmaster.rollout"))
                    .forEach(rollLines::add);
        }
        assertThat(rollLines).allSatisfy(line -> assertThat(line.at("/mdc/roll.id").asText())
                .as(line.path("message").asText()).isEqualTo("roll=" + id + " "));
    }
}
