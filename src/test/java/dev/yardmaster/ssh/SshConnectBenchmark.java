package dev.yardmaster.ssh;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One host's SSH round trip as a roll pays it, against OpenSSH's client on the same sshd in
 * the same run: connect + key exchange + authentication, then exec {@code true} and close,
 * one connection after another. Prints p50/p90 of both and the ratio; asserts nothing about
 * time. This is what showed MINA's default of TCP_NODELAY off costing ~47 ms per connection.
 * Run alone: {@code ./mvnw test -Dfrontend.skip -Dtest=SshConnectBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false} (needs /usr/sbin/sshd and ssh).
 */
class SshConnectBenchmark {

    static final int CONNECTIONS = Integer.getInteger("bench.connections", 100);
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    @TempDir
    Path dir;

    @Test
    void minaAgainstOpenSsh() throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (LoopbackSshd sshd = LoopbackSshd.start(dir)) {
            mina(sshd, CONNECTIONS / 2); // JIT and class loading, not measured
            openSsh(sshd, 5);
            for (int round = 1; round <= ROUNDS; round++) {
                long cpu = os.getProcessCpuTime();
                Samples mina = mina(sshd, CONNECTIONS);
                long cpuPerConnection = (os.getProcessCpuTime() - cpu) / CONNECTIONS / 1_000;
                Samples openSsh = openSsh(sshd, CONNECTIONS);
                System.out.printf("round %d: Yardmaster (MINA) p50 %.1f ms, p90 %.1f ms (connect + auth p50 %.1f ms; "
                        + "JVM %.1f CPU-ms per connection) | OpenSSH ssh p50 %.1f ms, p90 %.1f ms | ratio p50 %.2f%n",
                        round, mina.total.p(50), mina.total.p(90), mina.connect.p(50), cpuPerConnection / 1000.0,
                        openSsh.total.p(50), openSsh.total.p(90), mina.total.p(50) / openSsh.total.p(50));
            }
        }
    }

    private static Samples mina(LoopbackSshd sshd, int n) throws SshFailure, IOException {
        Samples samples = new Samples();
        SshSessions sessions = sshd.sessions();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            long connected;
            try (SshConnection ssh = sessions.connect("127.0.0.1", sshd.port)) {
                connected = System.nanoTime();
                ExecResult result = ssh.exec(RemoteCommand.of("true"), Duration.ofSeconds(30), OutputListener.IGNORE);
                if (!result.succeeded()) {
                    throw new IllegalStateException("true failed over MINA: " + result);
                }
            }
            samples.connect.add(connected - start);
            samples.total.add(System.nanoTime() - start);
        }
        return samples;
    }

    private static Samples openSsh(LoopbackSshd sshd, int n) throws IOException, InterruptedException {
        Samples samples = new Samples();
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            Process ssh = new ProcessBuilder("ssh", "-i", sshd.key.toString(), "-p", String.valueOf(sshd.port),
                    "-o", "UserKnownHostsFile=" + sshd.knownHosts, "-o", "StrictHostKeyChecking=yes",
                    "-o", "BatchMode=yes", "-o", "KexAlgorithms=curve25519-sha256", sshd.user() + "@127.0.0.1", "true")
                    .redirectErrorStream(true).start();
            String output = new String(ssh.getInputStream().readAllBytes());
            if (ssh.waitFor() != 0) {
                throw new IllegalStateException("true failed over OpenSSH: " + output);
            }
            samples.total.add(System.nanoTime() - start);
        }
        return samples;
    }

    private static final class Samples {
        final Nanos connect = new Nanos();
        final Nanos total = new Nanos();
    }

    private static final class Nanos {
        final List<Long> values = new ArrayList<>();

        void add(long nanos) {
            values.add(nanos);
        }

        double p(int percent) {
            List<Long> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100)) / 1e6;
        }
    }
}
