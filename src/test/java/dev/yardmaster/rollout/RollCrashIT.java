package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardmaster.testing.PackagedRig.Instance;
import dev.yardmaster.testing.PackagedRig;
import dev.yardmaster.testing.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code kill -9} of the only Yardmaster process in the middle of a 50-host roll, again and again
 * at each point of a host's run ({@link KillDrill}), each time a new process on the same database:
 * the roll completes, every host in flight at a kill is checked again on the host and continued,
 * none is restarted twice and none is left behind. Judged by the fleet's own state (installed
 * version, restart counter and time per host), not by Yardmaster's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollCrashIT {

    static final int HOSTS = 50;
    static final int PARALLELISM = 3;
    static final String TARGET = "1.2.0-1";

    static PackagedRig rig;

    @BeforeAll
    static void fleetAndInstance() throws Exception {
        // A short lease so the restarted process need not wait the production 15 s for the
        // dead one's lease to expire.
        rig = PackagedRig.forRolls("crash", Map.of("yardmaster.rolls.lease-duration", "4s", "yardmaster.rolls.heartbeat", "1s"),
                HOSTS, dev.yardmaster.testing.TestPorts.of(2410), true, "first");
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    @Order(1)
    void killedAtEveryPointOfAHostsRunTheRollEndsWithEveryHostRestartedExactlyOnce() throws Exception {
        long began = System.nanoTime();
        String token = Tokens.user("alice");
        KillDrill drill = new KillDrill(rig, "flingerator", TARGET);
        drill.arm();
        JsonNode roll = rig.call(rig.alive(), "POST", "/api/rolls", token, """
                {"package": "flingerator", "environment": "staging", "target": "%s", "canary": 0,
                 "batchSize": "10", "parallelism": %d}""".formatted(TARGET, PARALLELISM));
        long id = roll.path("id").asLong();
        assertThat(roll.path("hosts").asInt()).isEqualTo(HOSTS);

        List<KillDrill.Kill> kills = drill.run(id, k -> rig.start("restarted-" + k, false));
        // A fresh token after the kills: on a loaded machine a 10-kill drill outlasts an access
        // token fetched before it (Tokens renews a cached one 30 s before it expires).
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200)).until(() -> rig.call(rig.alive(), "GET",
                "/api/rolls/" + id, Tokens.user("alice"), null).path("status").asText().equals("SUCCEEDED"));
        JsonNode hosts = rig.call(rig.alive(), "GET", "/api/rolls/" + id + "/hosts", Tokens.user("alice"), null);
        assertThat(hosts).hasSize(HOSTS);
        KillDrill.Result result = drill.judge(hosts, kills);
        System.out.printf("crash: %d kills (%s), %d hosts held at the kills; %d restarted twice, %d left behind; %.1f s%n",
                kills.size(), result.perPoint(), kills.stream().mapToInt(k -> k.held().size()).sum(), result.restartedTwice(),
                result.leftBehind(), (System.nanoTime() - began) / 1e9);
        kills.forEach(k -> System.out.println("  killed " + k.killed() + " at " + k.point() + ": " + k.fleetAtKill()));
        assertThat(result.perPoint().keySet()).as("every kill point hit").containsAll(
                KillDrill.POINTS.subList(0, Math.min(kills.size(), KillDrill.POINTS.size())));
        assertThat(result.restartedTwice()).as("hosts restarted twice").isZero();
        assertThat(result.leftBehind()).as("hosts left behind").isZero();
        rig.assertRolledOnce(hosts, "flingerator", TARGET, Set.of(), Set.of(), System.currentTimeMillis());
        assertThat(PackagedRig.rollReasons(id)).as("the roll says who took it over").anyMatch(r -> r.startsWith("taken over by"));
    }

    /**
     * Where a kill lands is up to chance, so each step a host can have reached is also staged: a
     * roll left by a dead instance (its lease about to lapse) with hosts stored at every step and
     * the fleet hosts in the matching state. The surviving instance takes it over and each host
     * runs exactly what it had not done yet.
     */
    @Test
    @Order(2)
    void eachHostInFlightContinuesFromTheStepItHadReached() throws Exception {
        Instance survivor = rig.alive();
        String next = "1.3.0-1";
        String rpm = rig.fleetDir().resolve("repo/build/flingerator-" + next + ".noarch.rpm").toString();
        String connect = "127.0.1.41", updateDone = "127.0.1.42", updateNotDone = "127.0.1.43", restart = "127.0.1.44",
                health = "127.0.1.45", finished = "127.0.1.46", pending = "127.0.1.47";
        // The fleet as the dead instance left it.
        rig.fleet().ssh(updateDone, "sudo", "-n", "rpm", "-U", rpm);
        rig.fleet().ssh(restart, "sudo", "-n", "rpm", "-U", rpm);
        rig.fleet().ssh(health, "sudo", "-n", "rpm", "-U", rpm);
        rig.fleet().ssh(health, "sudo", "-n", "systemctl", "restart", "flingerator");
        Map<String, String[]> before = rig.fleetState();

        long id;
        try (var db = PackagedRig.database()) {
            db.setAutoCommit(false);
            try (var insert = db.prepareStatement("""
                    insert into roll (package_name, environment, target_evr, status, plan, batch_count, current_batch, created_by,
                                      started_at, lease_owner, lease_until)
                    select package_name, environment, ?, 'RUNNING', plan, 1, 0, created_by, now(), 'gone/1/deadbeef',
                           now() + interval '2 seconds' from roll order by id limit 1 returning id""")) {
                insert.setString(1, next);
                try (var rs = insert.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                }
            }
            Object[][] hosts = {{connect, "RUNNING", "CONNECT"}, {updateDone, "RUNNING", "UPDATE"},
                    {updateNotDone, "RUNNING", "UPDATE"}, {restart, "RUNNING", "RESTART"}, {health, "RUNNING", "HEALTH"},
                    {finished, "SUCCEEDED", "DONE"}, {pending, "PENDING", "QUEUED"}};
            for (int i = 0; i < hosts.length; i++) {
                try (var insert = db.prepareStatement("""
                        insert into roll_host (roll_id, position, batch, name, address, port, source, source_id, service, status,
                                               step, attempts)
                        select ?, ?, 0, name, address, port, source, source_id, service, ?, ?, 1
                        from roll_host where address = ? order by roll_id limit 1""")) {
                    insert.setLong(1, id);
                    insert.setInt(2, i);
                    insert.setString(3, (String) hosts[i][1]);
                    insert.setString(4, (String) hosts[i][2]);
                    insert.setString(5, (String) hosts[i][0]);
                    assertThat(insert.executeUpdate()).as("staged " + hosts[i][0]).isEqualTo(1);
                }
            }
            db.commit();
        }

        String token = Tokens.user("alice");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> rig.call(survivor, "GET", "/api/rolls/" + id, token, null).path("status").asText().equals("SUCCEEDED"));
        assertThat(PackagedRig.hostStatuses(id).values()).containsOnly("SUCCEEDED");

        Map<String, String[]> after = rig.fleetState();
        Map<String, String> logs = PackagedRig.hostLogs(id);
        record Expect(String address, boolean updates, int restarts, String installed) {
        }
        for (Expect e : List.of(new Expect(connect, true, 1, next), new Expect(updateDone, false, 1, next),
                new Expect(updateNotDone, true, 1, next), new Expect(restart, false, 1, next), new Expect(health, false, 0, next),
                new Expect(finished, false, 0, "1.2.0-1"), new Expect(pending, true, 1, next))) {
            String log = logs.get(e.address());
            assertThat(log.contains("$ sudo -n rpm -U")).as("updated " + e.address() + ":\n" + log).isEqualTo(e.updates());
            assertThat(Integer.parseInt(after.get(e.address())[1]) - Integer.parseInt(before.get(e.address())[1]))
                    .as("restarts of " + e.address() + ":\n" + log).isEqualTo(e.restarts());
            assertThat(after.get(e.address())[0]).as("installed on " + e.address()).isEqualTo("flingerator-" + e.installed());
        }
        assertThat(logs.get(finished)).as("the finished host's log: nothing ran").isEmpty();
        // While resumed, a host's stored step never falls back below the one it had reached, or a
        // second crash would take an updated host for one still at its old version.
        Map<String, String> staged = Map.of(connect, "CONNECT", updateDone, "UPDATE", updateNotDone, "UPDATE", restart, "RESTART",
                health, "HEALTH");
        List<String> order = List.of("QUEUED", "CONNECT", "CHECK", "UPDATE", "VERIFY", "RESTART", "HEALTH", "DONE");
        try (var db = PackagedRig.database(); var q = db.prepareStatement(
                "select data::json->>'name', data::json->>'step' from roll_event where roll_id = ? and type = 'HostChanged'")) {
            q.setLong(1, id);
            try (var rs = q.executeQuery()) {
                while (rs.next()) {
                    String from = staged.get(rs.getString(1));
                    if (from != null) {
                        assertThat(order.indexOf(rs.getString(2))).as(rs.getString(1) + " stored " + rs.getString(2) + ", resumed at " + from)
                                .isGreaterThanOrEqualTo(order.indexOf(from));
                    }
                }
            }
        }
    }
}
