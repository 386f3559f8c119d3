package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.yardmaster.testing.PackagedRig.Instance;
import dev.yardmaster.testing.PackagedRig;
import dev.yardmaster.testing.fleet.LoopbackFleet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code kill -9} of a roll's lease holder while every host in flight is held at a chosen point of
 * its run (bin/fleet's pause fault): before its update, between its update and its restart, after
 * its restart but before the runner stored it. The points take turns, so each is hit on purpose,
 * and a host resumed after one kill is often held and killed again at the next point. Shared by
 * RollCrashIT (one process, restarted) and RollTakeoverIT (replicas, the survivor takes over).
 */
final class KillDrill {

    static final List<String> POINTS = LoopbackFleet.HOLD_POINTS;

    /** Kills per drill: 3 by default (each point once), 10 with -Pkills (-Dyardmaster.test.kills=10). */
    static int kills() {
        return Integer.getInteger("yardmaster.test.kills", 3);
    }

    /** One kill: where, which hosts were held there, and what the fleet said of them at the kill. */
    record Kill(String point, String killed, Set<String> held, Map<String, String> fleetAtKill) {
    }

    /** How a drill ended: the kills, and the fleet's verdict. */
    record Result(List<Kill> kills, int restartedTwice, int leftBehind, Map<String, Integer> perPoint) {
    }

    private final PackagedRig rig;
    private final String packageName;
    private final String target;
    private final Map<String, Integer> baseline = new TreeMap<>();

    KillDrill(PackagedRig rig, String packageName, String target) throws Exception {
        this.rig = rig;
        this.packageName = packageName;
        this.target = target;
        rig.fleetState().forEach((address, state) -> baseline.put(address, Integer.parseInt(state[1])));
    }

    /** Holds hosts at the first point; call before the roll starts, so none gets past it unheld. */
    void arm() throws Exception {
        rig.fleet().holdAt(POINTS.get(0));
    }

    /**
     * Runs the kills on roll {@code rollId}. {@code replace} starts what takes the dead holder's
     * place (a restarted process, or a new replica beside the survivor) and returns once it runs.
     */
    List<Kill> run(long rollId, Replacement replace) throws Exception {
        List<Kill> kills = new ArrayList<>();
        for (int k = 0; k < kills(); k++) {
            String point = POINTS.get(k % POINTS.size());
            Set<String> held = awaitInFlightHeld(rollId, point);
            Instance holder = awaitHolder(rollId);
            Map<String, String[]> fleet = rig.fleetState();
            Map<String, String> atKill = new LinkedHashMap<>();
            for (String address : held) {
                String installed = fleet.get(address)[0];
                int restarts = Integer.parseInt(fleet.get(address)[1]) - baseline.get(address);
                atKill.put(address, installed + " restarted " + restarts);
                // Deliberate, not by chance: each held host is exactly where the point says.
                switch (point) {
                    case "before-update" -> assertThat(installed).as(address + " held before its update").isNotEqualTo(packageName + "-" + target);
                    case "after-update" -> {
                        assertThat(installed).as(address + " held after its update").isEqualTo(packageName + "-" + target);
                        assertThat(restarts).as(address + " held before its restart").isZero();
                    }
                    default -> {
                        assertThat(installed).as(address + " held after its restart").isEqualTo(packageName + "-" + target);
                        assertThat(restarts).as(address + " held after its restart").isEqualTo(1);
                    }
                }
            }
            rig.kill(holder);
            // The dead holder's scripts end on the hosts (sshd closes their channels): none goes on past its point.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> rig.fleet().held().isEmpty());
            kills.add(new Kill(point, holder.name(), held, atKill));
            if (k + 1 < kills()) {
                rig.fleet().holdAt(POINTS.get((k + 1) % POINTS.size()));
            } else {
                rig.fleet().releaseHolds();
            }
            replace.start(k);
        }
        return kills;
    }

    /** Waits until some host is held at {@code point} and every host the database has in flight is held. */
    private Set<String> awaitInFlightHeld(long rollId, String point) {
        Set<String> held = new TreeSet<>();
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100)).until(() -> {
            Set<String> now = rig.fleet().held();
            Set<String> running = PackagedRig.hostsIn(PackagedRig.hostStatuses(rollId), "RUNNING");
            held.clear();
            held.addAll(now);
            return !now.isEmpty() && now.equals(running);
        });
        return held;
    }

    /** The live instance holding the roll's lease. */
    private Instance awaitHolder(long rollId) {
        Instance[] holder = new Instance[1];
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            String owner = PackagedRig.leaseOwner(rollId);
            holder[0] = rig.instances().stream().filter(i -> i.process().isAlive() && i.owns(owner)).findFirst().orElse(null);
            return holder[0] != null;
        });
        return holder[0];
    }

    /**
     * The verdict of the fleet on the finished roll: every host restarted exactly once more than
     * before the drill, running the target, SUCCEEDED.
     */
    Result judge(JsonNode hosts, List<Kill> kills) throws Exception {
        Map<String, String[]> fleet = rig.fleetState();
        int twice = 0;
        List<String> behind = new ArrayList<>();
        for (JsonNode host : hosts) {
            String address = host.path("address").asText();
            int restarts = Integer.parseInt(fleet.get(address)[1]) - baseline.get(address);
            twice += Math.max(0, restarts - 1);
            if (!host.path("status").asText().equals("SUCCEEDED") || !fleet.get(address)[0].equals(packageName + "-" + target)
                    || restarts < 1) {
                behind.add(address + ": " + host.path("status").asText() + ", " + fleet.get(address)[0] + ", restarted " + restarts);
            }
        }
        Map<String, Integer> perPoint = new TreeMap<>();
        kills.forEach(k -> perPoint.merge(k.point(), 1, Integer::sum));
        return new Result(kills, twice, behind.size(), perPoint);
    }

    /** What replaces a killed holder. */
    interface Replacement {
        void start(int kill) throws Exception;
    }
}
