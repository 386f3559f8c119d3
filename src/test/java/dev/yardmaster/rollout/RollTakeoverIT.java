package dev.yardmaster.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.PackagedRig.Instance;
import dev.yardmaster.testing.PackagedRig;
import dev.yardmaster.testing.Tokens;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two packaged replicas on one database; {@code kill -9} of the one holding a 50-host roll's
 * lease. The other takes the roll over when the lease expires and finishes it, and a person
 * watching the roll page on the survivor (Chromium, signed in through Keycloak) sees it all
 * live: events from before the kill (relayed by LISTEN/NOTIFY) and after (its own).
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class RollTakeoverIT {

    static final int HOSTS = 50;
    static final int PARALLELISM = 5;
    static final String TARGET = "1.2.0-1";

    /** Records every roll event the page's own EventSource receives, with the time it arrived. */
    static final String EVENT_LOG = """
            window.__rollEvents = [];
            const Native = window.EventSource;
            window.EventSource = class extends Native {
              constructor(url, options) {
                super(url, options);
                for (const type of ["HostChanged", "RollChanged"]) {
                  this.addEventListener(type, (e) => window.__rollEvents.push(
                    { type, id: e.lastEventId, at: Date.now(), data: JSON.parse(e.data) }));
                }
              }
            };""";

    @RegisterExtension
    static Browser browser = new Browser();

    static PackagedRig rig;

    @BeforeAll
    static void fleetAndTwoInstances() throws Exception {
        // A 5 s lease (production: 15 s) keeps the test short; the takeover logic is the same.
        rig = PackagedRig.forRolls("takeover", Map.of("yardmaster.rolls.lease-duration", "5s", "yardmaster.rolls.heartbeat", "1s"),
                HOSTS, dev.yardmaster.testing.TestPorts.of(2411), true, "a", "b");
    }

    @AfterAll
    static void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Order(1)
    void theSurvivorFinishesTheRollOfAKilledLeaseHolderAndItsBrowserSeesItAll() throws Exception {
        long began = System.nanoTime();
        String token = Tokens.user("alice");
        Instance a = rig.instances().get(0);
        // A canary that waits for a person: the browser connects before the rest of the roll runs.
        JsonNode roll = rig.call(a, "POST", "/api/rolls", token, """
                {"package": "flingerator", "environment": "staging", "target": "%s", "canary": 1,
                 "batchSize": "10", "parallelism": %d}""".formatted(TARGET, PARALLELISM));
        long id = roll.path("id").asLong();
        assertThat(roll.path("hosts").asInt()).isEqualTo(HOSTS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> rig.call(a, "GET", "/api/rolls/" + id, token, null).path("status").asText().equals("WAITING"));
        String leaseOwner = rig.call(a, "GET", "/api/rolls/" + id, token, null).path("leaseOwner").asText();
        Instance holder = rig.instances().stream().filter(i -> i.owns(leaseOwner)).findFirst()
                .orElseThrow(() -> new AssertionError("lease owner " + leaseOwner + " is neither instance"));
        Instance survivor = rig.instances().stream().filter(i -> i != holder).findFirst().orElseThrow();

        Page page = browser.page();
        page.addInitScript(EVENT_LOG);
        browser.login(survivor.url("/rolls/" + id), "alice");
        page.waitForSelector("#roll-live:has-text('live')");
        rig.call(survivor, "POST", "/api/rolls/" + id + "/continue", token, null);

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Map<String, Integer> counts = PackagedRig.hostCounts(id);
            return counts.getOrDefault("SUCCEEDED", 0) >= 12 && counts.getOrDefault("RUNNING", 0) >= 2;
        });
        long killStart = System.currentTimeMillis();
        rig.kill(holder);
        long killedAt = System.currentTimeMillis();
        Map<String, String> atKill = PackagedRig.hostStatuses(id);
        Set<String> inFlight = PackagedRig.hostsIn(atKill, "RUNNING");
        Set<String> finished = PackagedRig.hostsIn(atKill, "SUCCEEDED");
        assertThat(inFlight).as("hosts in flight at the kill").isNotEmpty().hasSizeLessThanOrEqualTo(PARALLELISM);
        assertThat(PackagedRig.hostsIn(atKill, "PENDING")).as("hosts not started at the kill").isNotEmpty();

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> survivor.owns(rig.call(survivor, "GET", "/api/rolls/" + id, token, null).path("leaseOwner").asText()));
        double takeover = (System.currentTimeMillis() - killedAt) / 1e3;
        String survivorId = rig.call(survivor, "GET", "/api/rolls/" + id, token, null).path("leaseOwner").asText();

        // The page, still loaded since before the kill, ends with the whole roll done.
        page.waitForFunction("() => document.getElementById('roll-status').dataset.status === 'SUCCEEDED'", null,
                new Page.WaitForFunctionOptions().setTimeout(180_000));
        page.waitForFunction("n => document.querySelector('#roll-counts [data-state=SUCCEEDED] .n').textContent === String(n)", HOSTS);
        page.waitForFunction("() => document.getElementById('roll-eta').textContent === 'done'");
        browser.screenshot("roll-takeover");
        double total = (System.nanoTime() - began) / 1e9;

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) page.evaluate("() => window.__rollEvents");
        List<Map<String, Object>> before = events.stream().filter(e -> ((Number) e.get("at")).longValue() < killStart).toList();
        List<Map<String, Object>> after = events.stream().filter(e -> ((Number) e.get("at")).longValue() > killedAt).toList();
        assertThat(before).as("events the page received before the kill (from the holder, via the survivor)")
                .anyMatch(e -> e.get("type").equals("HostChanged"));
        assertThat(after).as("events the page received after the kill (the survivor's own)")
                .anyMatch(e -> e.get("type").equals("HostChanged"));
        assertThat(after).as("the takeover, live").anyMatch(e -> e.get("type").equals("RollChanged")
                && String.valueOf(((Map<?, ?>) e.get("data")).get("reason"))
                        .startsWith("taken over by " + survivorId + " after the lease of " + leaseOwner + " lapsed"));
        assertThat(after).as("the roll's end, live").anyMatch(e -> e.get("type").equals("RollChanged")
                && ((Map<?, ?>) e.get("data")).get("status").equals("SUCCEEDED"));

        JsonNode hosts = rig.call(survivor, "GET", "/api/rolls/" + id + "/hosts", token, null);
        assertThat(hosts).hasSize(HOSTS);
        // Every host after the canary (done before the page opened) reached SUCCEEDED on the page, live.
        Set<String> seenSucceeded = events.stream().filter(e -> e.get("type").equals("HostChanged"))
                .map(e -> (Map<?, ?>) e.get("data")).filter(d -> d.get("status").equals("SUCCEEDED"))
                .map(d -> (String) d.get("name")).collect(Collectors.toSet());
        Set<String> expected = new HashSet<>();
        hosts.forEach(h -> {
            if (h.path("batch").asInt() > 0) {
                expected.add(h.path("name").asText());
            }
        });
        assertThat(seenSucceeded).as("hosts the page saw succeed").containsAll(expected);

        int twice = rig.assertRolledOnce(hosts, "flingerator", TARGET, inFlight, finished, killStart);
        assertThat(twice).as("hosts restarted twice").isZero();
        System.out.printf("takeover: %d hosts, %d done and %d in flight at the kill, %d restarted twice; survivor held the "
                + "lease %.1f s after the kill; the page got %d events (%d before the kill, %d after); whole test %.1f s%n",
                HOSTS, finished.size(), inFlight.size(), twice, takeover, events.size(), before.size(), after.size(), total);
    }

    /**
     * The survivor of each kill is the next holder and is killed in turn, at each point of a
     * host's run ({@link KillDrill}), a new replica joining after every kill: a roll to the next
     * build ends with every host restarted exactly once more.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void replicasKilledAtEveryPointOfAHostsRunLeaveNoHostRestartedTwiceOrBehind() throws Exception {
        String next = "1.3.0-1";
        String token = Tokens.user("alice");
        if (rig.instances().stream().filter(i -> i.process().isAlive()).count() < 2) {
            rig.start("b-again", false);
        }
        KillDrill drill = new KillDrill(rig, "flingerator", next);
        drill.arm();
        JsonNode roll = rig.call(rig.alive(), "POST", "/api/rolls", token, """
                {"package": "flingerator", "environment": "staging", "target": "%s", "canary": 0,
                 "batchSize": "10", "parallelism": 3}""".formatted(next));
        long id = roll.path("id").asLong();
        List<KillDrill.Kill> kills = drill.run(id, k -> rig.start("replica-" + k, false));
        // A fresh token after the kills: on a loaded machine a 10-kill drill outlasts an access
        // token fetched before it (Tokens renews a cached one 30 s before it expires).
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200)).until(() -> rig.call(rig.alive(), "GET",
                "/api/rolls/" + id, Tokens.user("alice"), null).path("status").asText().equals("SUCCEEDED"));
        JsonNode hosts = rig.call(rig.alive(), "GET", "/api/rolls/" + id + "/hosts", Tokens.user("alice"), null);
        KillDrill.Result result = drill.judge(hosts, kills);
        System.out.printf("takeover drill: %d kills (%s), %d hosts held at the kills; %d restarted twice, %d left behind%n",
                kills.size(), result.perPoint(), kills.stream().mapToInt(k -> k.held().size()).sum(), result.restartedTwice(),
                result.leftBehind());
        kills.forEach(k -> System.out.println("  killed " + k.killed() + " at " + k.point() + ": " + k.fleetAtKill()));
        assertThat(result.perPoint().keySet()).as("every kill point hit").containsAll(
                KillDrill.POINTS.subList(0, Math.min(kills.size(), KillDrill.POINTS.size())));
        assertThat(result.restartedTwice()).as("hosts restarted twice").isZero();
        assertThat(result.leftBehind()).as("hosts left behind").isZero();
    }
}
