package dev.yardmaster.drift;

import static org.awaitility.Awaitility.await;

import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.testing.fleet.LoopbackFleet;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first host check of a 200-host loopback fleet (issue 18.3): the start-up check as the
 * console does it (cold JVM, right after start), then warm rounds, against OpenSSH's client
 * running the same {@code rpm -q} with the same parallelism ({@code xargs -P}). Prints times
 * and the ratio; asserts nothing about time. Run alone:
 * {@code ./mvnw test -Dfrontend.skip -Dtest=HostCheckBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * ({@code -Dbench.fleet-port=2903}, {@code -Dbench.hosts=200}).
 */
@QuarkusTest
@TestProfile(HostCheckBenchmark.Profile.class)
@QuarkusTestResource(value = HostCheckBenchmark.Fleet.class, restrictToAnnotatedClass = true)
class HostCheckBenchmark {

    static final int HOSTS = Integer.getInteger("bench.hosts", 200);
    static final int PORT = Integer.getInteger("bench.fleet-port", 2903);
    static final Path DIR = Path.of("target/bench-fleet").toAbsolutePath();

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("yardmaster.drift.ask-hosts", "true");
        }
    }

    public static class Fleet implements QuarkusTestResourceLifecycleManager {
        private LoopbackFleet fleet;

        @Override
        public Map<String, String> start() {
            long started = System.nanoTime();
            fleet = LoopbackFleet.fresh(DIR, PORT, HOSTS, "review:1,staging:1,prod:1", "web:3,worker:1");
            System.out.printf("bin/fleet up --hosts %d: %.1f s%n", HOSTS, (System.nanoTime() - started) / 1e9);
            return Map.of("yardmaster.ssh.private-key", fleet.privateKey().toString(),
                    "yardmaster.ssh.known-hosts", fleet.knownHosts().toString(),
                    "yardmaster.ssh.user", fleet.user(),
                    "yardmaster.inventory.import-file", fleet.inventoryCsv().toString());
        }

        @Override
        public void stop() {
            fleet.close();
        }
    }

    @Inject
    HostCheck hostCheck;

    @Inject
    DriftConfig config;

    @Test
    void firstCheckOfTheFleetAgainstOpenSsh() throws Exception {
        AuditEvent first = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(250))
                .until(() -> QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>find(
                        "action = 'drift.checked' and subject = 'start'").firstResult()), e -> e != null);
        System.out.printf("start-up check (cold JVM, right after start): %s hosts in %s ms, %s could not be asked%n",
                first.details.get("hosts"), first.details.get("millis"), first.details.get("unanswered"));
        for (int round = 1; round <= 3; round++) {
            Drift.Asked asked = hostCheck.checkAtStart();
            double peer = openSsh();
            System.out.printf("round %d: Yardmaster %d hosts in %d ms (%d failed) | OpenSSH ssh, xargs -P %d: %.0f ms | ratio %.2f%n",
                    round, asked.hosts(), asked.millis(), asked.failed(), config.parallelism(), peer, asked.millis() / peer);
        }
    }

    /** The same question with OpenSSH's client: {@code rpm -q flingerator gnip-worker} on every host, P at a time. */
    double openSsh() throws IOException, InterruptedException {
        List<String> addresses = Files.readAllLines(DIR.resolve("addresses"));
        String script = "xargs -P " + config.parallelism() + " -I{} ssh -q -i " + DIR.resolve("keys/deploy")
                + " -o UserKnownHostsFile=" + DIR.resolve("known_hosts") + " -o BatchMode=yes -p " + PORT
                + " " + System.getProperty("user.name") + "@{} rpm -q --qf '%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n' flingerator gnip-worker";
        long started = System.nanoTime();
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = p.getOutputStream()) {
            in.write((String.join("\n", addresses) + "\n").getBytes());
        }
        p.waitFor(5, TimeUnit.MINUTES);
        return (System.nanoTime() - started) / 1e6;
    }
}
