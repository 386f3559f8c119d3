package dev.yardmaster.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import io.quarkus.narayana.jta.QuarkusTransaction;
import org.junit.jupiter.api.AfterEach;
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

    @AfterEach
    void forgetPromotions() {
        QuarkusTransaction.requiringNew().run(() -> {
            var em = ScalingGroup.getEntityManager();
            em.createNativeQuery("DELETE FROM promotion WHERE package = 'scaling-probe'").executeUpdate();
            em.createNativeQuery("DELETE FROM build WHERE package = 'scaling-probe'").executeUpdate();
        });
    }

    @Test
    void anInstanceLaunchedAfterAPromotionBootedWithThePromotedVersion() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        promote("1.0", now.minusHours(1), now.plusSeconds(30));
        promote("1.1", now.plusSeconds(30), null);
        aws.fake.advanceClock(java.time.Duration.ofMinutes(1));
        String old = aws.fake.instanceIds("review-worker-spot").get(0);
        aws.fake.interrupt(old, true);
        String fresh = aws.fake.instanceIds("review-worker-spot").get(2);
        inventory.refresh("test");

        Ec2Inventory.Ec2Host survivor = inventory.hosts("review").stream()
                .filter(h -> h.instanceId().equals(aws.fake.instanceIds("review-worker-spot").get(0))).findFirst().orElseThrow();
        assertThat(inventory.bootedWith("review", survivor.launchedAt())).extracting(Ec2Inventory.BootVersion::toString)
                .containsExactly("scaling-probe 1.0-1");
        Ec2Inventory.Ec2Host launched = inventory.launchedSince("review", now.plusSeconds(2)).get(0);
        assertThat(launched.instanceId()).isEqualTo(fresh);
        assertThat(inventory.bootedWith("review", launched.launchedAt())).extracting(Ec2Inventory.BootVersion::toString)
                .containsExactly("scaling-probe 1.1-1");
        assertThat(inventory.bootedWith("staging", launched.launchedAt())).isEmpty();

        io.restassured.path.json.JsonPath group = io.restassured.RestAssured.given()
                .auth().oauth2(dev.yardmaster.testing.Tokens.user("carol")).get("/api/scaling/groups/review-worker-spot").jsonPath();
        assertThat(group.getList("instances.find { it.instanceId == '" + fresh + "' }.bootedWith", String.class))
                .containsExactly("scaling-probe-1.1-1.noarch");
    }

    private static void promote(String version, OffsetDateTime applied, OffsetDateTime superseded) {
        QuarkusTransaction.requiringNew().run(() -> {
            var em = ScalingGroup.getEntityManager();
            Number build = (Number) em.createNativeQuery("INSERT INTO build (file_name, package, version, release, arch, nevra,"
                    + " file_size, file_mtime) VALUES (?1, 'scaling-probe', ?2, '1', 'noarch', ?3, 1, now()) RETURNING id")
                    .setParameter(1, "scaling-probe-" + version + "-1.noarch.rpm").setParameter(2, version)
                    .setParameter(3, "scaling-probe-" + version + "-1.noarch").getSingleResult();
            em.createNativeQuery("INSERT INTO promotion (build_id, environment_id, package, state, reason, requested_by,"
                    + " applied_at, superseded_at) VALUES (?1, (SELECT id FROM environment WHERE name = 'review'), 'scaling-probe',"
                    + " ?2, 'test', 'alice', ?3, ?4)")
                    .setParameter(1, build.longValue()).setParameter(2, superseded == null ? "applied" : "superseded")
                    .setParameter(3, applied).setParameter(4, superseded).executeUpdate();
        });
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
