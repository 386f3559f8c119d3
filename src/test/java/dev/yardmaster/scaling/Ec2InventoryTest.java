package dev.yardmaster.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Auto Scaling instances as roll hosts, and the check a roll makes when an instance's turn comes. */
@QuarkusTest
class Ec2InventoryTest {

    @Inject
    Ec2Inventory inventory;

    ScalingFixture aws;

    @BeforeEach
    void seed() {
        aws = ScalingFixture.standard();
    }

    @Test
    void inServiceInstancesOfAnEnvironmentAreHostsAddressedByPrivateIp() {
        List<Ec2Inventory.Ec2Host> hosts = inventory.hosts("review");
        assertThat(hosts).hasSize(3).allSatisfy(h -> {
            assertThat(h.address()).startsWith("10.0.");
            assertThat(h.environment()).isEqualTo("review");
            assertThat(h.nodeType()).isEqualTo("worker");
            assertThat(h.group()).isEqualTo("review-worker-spot");
        });
        assertThat(inventory.hosts("prod")).hasSize(4);
    }

    @Test
    void anInstanceTerminatedBeforeItsTurnIsSkippedNotFailed() {
        String victim = aws.fake.instanceIds("review-worker-spot").get(1);
        assertThat(inventory.atTurn(victim).proceed()).isTrue();
        aws.fake.interrupt(victim, true);
        Ec2Inventory.TurnCheck check = inventory.atTurn(victim);
        assertThat(check.proceed()).isFalse();
        assertThat(check.skipReason()).isEqualTo("instance terminated");
    }

    @Test
    void instancesLaunchedDuringARollAreListedAfterRefresh() {
        // EC2 reports launch times to the second: the roll starts clearly after the seeded instances.
        OffsetDateTime rollStarted = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2);
        aws.fake.advanceClock(java.time.Duration.ofMinutes(1));
        String victim = aws.fake.instanceIds("review-worker-spot").get(0);
        aws.fake.interrupt(victim, true);
        assertThat(inventory.launchedSince("review", rollStarted.plusHours(1))).isEmpty();
        inventory.refresh("test");
        List<Ec2Inventory.Ec2Host> launched = inventory.launchedSince("review", rollStarted);
        assertThat(launched).extracting(Ec2Inventory.Ec2Host::instanceId)
                .containsExactly(aws.fake.instanceIds("review-worker-spot").get(2));
    }
}
