package dev.yardmaster.testing.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rig is real: OpenSSH's own client, a promotion done the way the team did it by hand
 * (symlink + createrepo_c --update), dnf inside each host's installroot, and one distinct
 * symptom per fault.
 */
class LoopbackFleetTest {

    static LoopbackFleet fleet;

    record Ssh(int exit, String out, String err, long millis, boolean finished) {
    }

    @BeforeAll
    static void up() {
        fleet = LoopbackFleet.up("fleet-test", Integer.getInteger("yardmaster.test.fleet-port", 2322), 20, "review:1", "web:1");
    }

    @AfterEach
    void clear() {
        fleet.clearFaults();
    }

    @Test
    void aPromotedBuildReachesTwentyHostsOverSsh() throws Exception {
        String file = fleet.buildRpm("flingerator", "1.4.0", "1", "jd/mk: fleet acceptance build");
        fleet.promote("review", file);
        List<LoopbackFleet.Host> hosts = fleet.hosts("review", "flingerator");
        assertThat(hosts).hasSize(20);

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Ssh>> updates = new ArrayList<>();
            for (LoopbackFleet.Host host : hosts) {
                updates.add(pool.submit(() -> ssh(host.address(),
                        "sudo -n yum -y --refresh update flingerator && sudo -n systemctl restart flingerator", 120)));
            }
            for (Future<Ssh> update : updates) {
                assertThat(update.get().exit()).as(update.get().err()).isZero();
            }
        } finally {
            pool.shutdown();
        }
        for (LoopbackFleet.Host host : hosts) {
            Ssh rpm = ssh(host.address(), "rpm -q flingerator", 30);
            assertThat(rpm.out().strip()).isEqualTo("flingerator-1.4.0-1.noarch");
            LoopbackFleet.State state = fleet.state(host.address());
            assertThat(state.installed()).isEqualTo("flingerator-1.4.0-1");
            assertThat(state.restarts()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void eachFaultHasItsOwnSymptom() throws Exception {
        List<LoopbackFleet.Host> hosts = fleet.hosts();

        fleet.fault(hosts.get(0).address(), "refused", true);
        Ssh refused = ssh(hosts.get(0).address(), "true", 10);
        assertThat(refused.exit()).isEqualTo(255);
        assertThat(refused.err()).contains("Connection refused");

        fleet.fault(hosts.get(1).address(), "hostkey", true);
        Ssh hostkey = ssh(hosts.get(1).address(), "true", 10);
        assertThat(hostkey.exit()).isEqualTo(255);
        assertThat(hostkey.err()).contains("REMOTE HOST IDENTIFICATION HAS CHANGED");

        fleet.fault(hosts.get(2).address(), "yum-fail", true);
        Ssh yum = ssh(hosts.get(2).address(), "sudo -n yum -y --refresh update flingerator", 30);
        assertThat(yum.exit()).isEqualTo(1);
        assertThat(yum.err()).contains("Failed to download metadata");

        fleet.fault(hosts.get(3).address(), "health-fail", true);
        Ssh restart = ssh(hosts.get(3).address(), "sudo -n systemctl restart flingerator; systemctl is-active flingerator", 30);
        assertThat(restart.exit()).isNotZero();
        assertThat(restart.out()).contains("failed");

        fleet.fault(hosts.get(4).address(), "slow", true);
        Ssh slow = ssh(hosts.get(4).address(), "true", 30);
        assertThat(slow.exit()).isZero();
        assertThat(slow.millis()).isGreaterThanOrEqualTo(1_900);

        fleet.fault(hosts.get(5).address(), "hang", true);
        Ssh hang = ssh(hosts.get(5).address(), "rpm -q flingerator", 3);
        assertThat(hang.finished()).as("a hung command does not answer").isFalse();

        Ssh healthy = ssh(hosts.get(6).address(), "systemctl is-active flingerator", 10);
        assertThat(healthy.exit()).isZero();
        assertThat(healthy.out().strip()).isEqualTo("active");
    }

    @Test
    void yumWithoutYesAbortsAsOnARealServer() throws Exception {
        // A downgrade always has something to do here (the repo keeps older builds), so it must ask.
        Ssh yum = ssh(fleet.hosts().get(7).address(), "sudo -n yum downgrade flingerator", 60);
        assertThat(yum.exit()).isNotZero();
        assertThat(yum.out() + yum.err()).contains("Operation aborted");
    }

    /** OpenSSH's client with the fleet's key and known_hosts, host keys checked strictly. */
    static Ssh ssh(String address, String command, int timeoutSeconds) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process process = new ProcessBuilder("ssh", "-p", Integer.toString(fleet.port()), "-i", fleet.privateKey().toString(),
                "-o", "UserKnownHostsFile=" + fleet.knownHosts(), "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
                "-o", "ConnectTimeout=5", fleet.user() + "@" + address, command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var out = process.getInputStream();
        var err = process.getErrorStream();
        var outText = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(out));
        var errText = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(err));
        boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Ssh(finished ? process.exitValue() : -1, outText.join(), errText.join(), millis, finished);
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
