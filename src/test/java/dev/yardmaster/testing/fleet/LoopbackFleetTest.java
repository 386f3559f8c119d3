package dev.yardmaster.testing.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the loopback fleet is real: OpenSSH, dnf, rpm and the faults, seen from a plain ssh client. */
class LoopbackFleetTest {

    static LoopbackFleet fleet;

    @BeforeAll
    static void bringUpFleet() {
        fleet = LoopbackFleet.shared();
    }

    @AfterEach
    void clearFaults() {
        fleet.clearFaults();
    }

    @Test
    void aBuildPromotedToReviewReachesTwentyHostsThroughYumOverSsh() throws Exception {
        String release = String.valueOf(System.currentTimeMillis() / 1000); // newer than any earlier run's
        Path rpm = fleet.buildRpm("flingerator", "1.4.0", release, "jd/ap: Fling in constant memory");
        fleet.promote("review", rpm.getFileName().toString());
        List<FleetHost> hosts = fleet.hosts("review", "web").subList(0, 20);
        List<Integer> restartsBefore = hosts.stream().map(h -> fleet.state(h).restarts("flingerator")).toList();

        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Result>> updates = new ArrayList<>();
            for (FleetHost host : hosts) {
                updates.add(pool.submit(() -> ssh(host,
                        "sudo -n yum -y update flingerator && sudo -n systemctl restart flingerator")));
            }
            for (Future<Result> update : updates) {
                Result r = update.get(120, TimeUnit.SECONDS);
                assertThat(r.exit()).as(r.stderr()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }

        for (int i = 0; i < hosts.size(); i++) {
            FleetHost host = hosts.get(i);
            Result q = ssh(host, "rpm -q --qf '%{EPOCH}:%{VERSION}-%{RELEASE}' flingerator");
            assertThat(q.stdout()).as(host.address()).isEqualTo("(none):1.4.0-" + release);
            HostState state = fleet.state(host);
            assertThat(state.installedVersion("flingerator")).isEqualTo("1.4.0-" + release);
            assertThat(state.restarts("flingerator")).isEqualTo(restartsBefore.get(i) + 1);
            assertThat(state.active("flingerator")).isTrue();
        }
    }

    @Test
    void yumWithoutAssumeYesAbortsAsOnARealServer() throws Exception {
        Result r = ssh(host(0), "sudo -n yum update flingerator");
        Result noSudo = ssh(host(0), "yum -y update flingerator");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout() + r.stderr()).contains("Operation aborted");
        assertThat(noSudo.exit()).isEqualTo(1);
        assertThat(noSudo.stderr()).contains("superuser privileges");
    }

    @Test
    void aRefusedHostFailsAtConnectWithConnectionRefused() throws Exception {
        fleet.fault(host(1), Fault.REFUSED, true);
        Result r = ssh(host(1), "true");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("Connection refused");
        assertThat(ssh(host(2), "true").exit()).as("its neighbour still answers").isZero();

        fleet.fault(host(1), Fault.REFUSED, false);
        assertThat(ssh(host(1), "true").exit()).isZero();
    }

    @Test
    void aChangedHostKeyFailsVerification() throws Exception {
        fleet.fault(host(1), Fault.HOSTKEY, true);
        Result r = ssh(host(1), "touch /tmp/never-run");
        assertThat(r.exit()).isEqualTo(255);
        assertThat(r.stderr()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED", "Host key verification failed");
    }

    @Test
    void aFailingYumExitsNonZeroWithItsMessage() throws Exception {
        fleet.fault(host(1), Fault.YUM_FAIL, true);
        Result r = ssh(host(1), "sudo -n yum -y update flingerator");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).contains("Failed to download metadata for repo 'yardmaster-staging'");
        assertThat(ssh(host(1), "rpm -q flingerator").exit()).as("other commands still work").isZero();
    }

    @Test
    void aSlowHostAnswersTwoSecondsLate() throws Exception {
        fleet.fault(host(1), Fault.SLOW, true);
        long start = System.nanoTime();
        Result r = ssh(host(1), "true");
        long slowMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.exit()).isZero();
        assertThat(slowMillis).isGreaterThanOrEqualTo(2000);
    }

    @Test
    void aServiceWithFailingHealthIsNotActiveAfterRestart() throws Exception {
        fleet.fault(host(1), Fault.HEALTH_FAIL, true);
        assertThat(ssh(host(1), "sudo -n systemctl restart flingerator").exit()).isZero();
        Result r = ssh(host(1), "systemctl is-active flingerator");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.stdout().strip()).isEqualTo("failed");
        assertThat(fleet.state(host(1)).active("flingerator")).isFalse();

        fleet.fault(host(1), Fault.HEALTH_FAIL, false);
        assertThat(ssh(host(1), "systemctl is-active flingerator").exit()).isZero();
    }

    @Test
    void eachHostAnswersHttpFromItsOwnStateAndHttp500StartsAtTheNextRestart() throws Exception {
        FleetHost host = host(2);
        FleetHost other = host(3);
        assertThat(http(host, "/healthz")).startsWith("200 ok flingerator ");
        fleet.fault(host, Fault.HTTP_500, true);
        assertThat(http(host, "/healthz")).as("not before a restart").startsWith("200 ");
        assertThat(ssh(host, "sudo -n systemctl restart flingerator").exit()).isZero();
        assertThat(http(host, "/healthz")).startsWith("500 error flingerator ").contains("internal server error");
        assertThat(ssh(host, "systemctl is-active flingerator").exit()).as("the unit is active all the same").isZero();
        assertThat(http(other, "/healthz")).startsWith("200 ok flingerator ");
        assertThat(http(host, "/metrics")).contains("fleet_http_errors_total{service=\"flingerator\"}",
                "fleet_service_up{service=\"flingerator\",version=\"" + fleet.state(host).installedVersion("flingerator") + "\"} 1");
        fleet.fault(host, Fault.HTTP_500, false);
        assertThat(http(host, "/healthz")).startsWith("200 ok flingerator ");
    }

    /** Status and body of a GET to the host's service port. */
    private static String http(FleetHost host, String path) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + host.address() + ":" + fleet.httpPort() + path)).timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Test
    void aHungCommandEndsWhenTheChannelCloses() throws Exception {
        FleetHost host = host(1);
        fleet.fault(host, Fault.HANG, true);
        Process ssh = start(host, "echo answered");
        assertThat(ssh.waitFor(2, TimeUnit.SECONDS)).as("the command must not answer").isFalse();
        Path run = fleet.dir().resolve("hosts").resolve(host.address()).resolve("run");
        assertThat(hangMarkers(run)).hasSize(1);

        ssh.destroy(); // the client goes away: sshd closes the channel
        await().atMost(Duration.ofSeconds(10)).until(() -> hangMarkers(run).isEmpty());
        assertThat(ssh.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Staging web hosts for the faults, so they never meet the review roll above. */
    private static FleetHost host(int i) {
        return fleet.hosts("staging", "web").get(i);
    }

    private static List<Path> hangMarkers(Path run) throws IOException {
        try (var files = Files.list(run)) {
            return files.filter(p -> p.getFileName().toString().startsWith("hang.")).toList();
        }
    }

    record Result(int exit, String stdout, String stderr) {
    }

    private static Process start(FleetHost host, String command) throws IOException {
        return new ProcessBuilder("ssh", "-i", fleet.privateKey().toString(),
                "-o", "UserKnownHostsFile=" + fleet.knownHosts(), "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", String.valueOf(host.port()),
                fleet.user() + "@" + host.address(), command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    private static Result ssh(FleetHost host, String command) throws Exception {
        Process p = start(host, command);
        ExecutorService stderr = Executors.newSingleThreadExecutor();
        try {
            Future<String> errText = stderr.submit(() -> new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ssh " + host.address() + " " + command).isTrue();
            return new Result(p.exitValue(), out, errText.get(10, TimeUnit.SECONDS));
        } finally {
            stderr.shutdown();
        }
    }
}
