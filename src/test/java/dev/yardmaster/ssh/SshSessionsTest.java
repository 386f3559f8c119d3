package dev.yardmaster.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH layer against a real OpenSSH sshd: known_hosts
 * is enforced, output streams line by line, a timed-out command is ended by closing its
 * channel, and command tokens cannot smuggle shell syntax.
 */
class SshSessionsTest {

    @TempDir
    Path dir;

    Process sshd;
    int port;
    SshSessions sessions;
    Path knownHosts;

    @BeforeEach
    void start() throws Exception {
        Path key = keygen("deploy");
        Path hostKey = keygen("hostkey");
        port = freePort();
        Path sshdConfig = dir.resolve("sshd_config");
        Files.writeString(sshdConfig, String.join("\n",
                "ListenAddress 127.0.0.1:" + port,
                "HostKey " + hostKey,
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + key + ".pub",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",
                "UseDNS no",
                "KexAlgorithms curve25519-sha256",
                "Subsystem sftp internal-sftp",
                "") );
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", sshdConfig.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + Files.readString(Path.of(hostKey + ".pub")).strip() + "\n");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        sessions = new SshSessions(config(key, knownHosts));
        sessions.start();
    }

    @AfterEach
    void stop() throws Exception {
        sessions.stop();
        sshd.destroy();
        sshd.waitFor();
    }

    @Test
    void outputArrivesLineByLineWithTheExitStatus() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (SshConnection ssh = sessions.connect("127.0.0.1", port)) {
            Path script = script("lines.sh", "echo one; echo two >&2; echo three");
            ExecResult result = ssh.exec(RemoteCommand.of("sh", script.toString()),
                    Duration.ofSeconds(10), (stream, line) -> lines.add(stream + ":" + line));
            assertThat(result.exitStatus()).isZero();
            assertThat(lines).contains("STDOUT:one", "STDERR:two", "STDOUT:three");
            ExecResult failed = ssh.exec(RemoteCommand.of("false"), Duration.ofSeconds(10), OutputListener.IGNORE);
            assertThat(failed.exitStatus()).isEqualTo(1);
            assertThat(failed.succeeded()).isFalse();
        }
    }

    @Test
    void aCommandThatRunsOutOfTimeIsEndedByClosingItsChannel() throws Exception {
        Path marker = dir.resolve("finished");
        List<String> pids = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (SshConnection ssh = sessions.connect("127.0.0.1", port)) {
            // The script prints its own pid, then would touch the marker after 6 s. The timeout leaves
            // room for a loaded machine to start the script at all (300 ms did not, under load).
            Path script = script("slow.sh", "echo $$; sleep 6 && touch " + marker);
            ExecResult result = ssh.exec(RemoteCommand.of("sh", script.toString()),
                    Duration.ofMillis(1500), (stream, line) -> pids.add(line.strip()));
            assertThat(result.timedOut()).isTrue();
            assertThat(result.exitStatus()).isNull();
            assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(6));
            // The connection is still usable for the next step.
            assertThat(ssh.exec(RemoteCommand.of("true"), Duration.ofSeconds(5), OutputListener.IGNORE).succeeded()).isTrue();
        }
        // Instead of sleeping past the 6 s: the shell that would touch the marker must be gone,
        // well before its sleep ends. Once it is, the marker can never appear.
        assertThat(pids).as("the script started and printed its pid").hasSize(1);
        Path proc = Path.of("/proc", pids.get(0));
        Awaitility.await().atMost(Duration.ofMillis(4000)).until(() -> !Files.exists(proc));
        assertThat(marker).doesNotExist();
    }

    @Test
    void aSequenceRunsItsCommandsInOneExecAndStopsAtTheFirstFailure() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        try (SshConnection ssh = sessions.connect("127.0.0.1", port)) {
            ExecResult both = ssh.exec(RemoteCommand.sequence(RemoteCommand.of("echo", "first"), RemoteCommand.of("echo", "second")),
                    Duration.ofSeconds(10), (stream, line) -> lines.add(line));
            assertThat(both.exitStatus()).isZero();
            assertThat(lines).containsExactly("first", RemoteCommand.NEXT, "second");
            lines.clear();
            ExecResult stopped = ssh.exec(RemoteCommand.sequence(RemoteCommand.of("false"), RemoteCommand.of("echo", "never")),
                    Duration.ofSeconds(10), (stream, line) -> lines.add(line));
            assertThat(stopped.exitStatus()).isEqualTo(1);
            assertThat(lines).isEmpty();
        }
    }

    @Test
    void aSequenceThatRunsOutOfTimeEndsTheCommandThatRuns() throws Exception {
        Path marker = dir.resolve("sequence-finished");
        List<String> pids = new CopyOnWriteArrayList<>();
        try (SshConnection ssh = sessions.connect("127.0.0.1", port)) {
            Path script = script("slow-step.sh", "echo $$; sleep 6 && touch " + marker);
            ExecResult result = ssh.exec(RemoteCommand.sequence(RemoteCommand.of("sh", script.toString()), RemoteCommand.of("true")),
                    Duration.ofMillis(1500), (stream, line) -> pids.add(line.strip()));
            assertThat(result.timedOut()).isTrue();
        }
        assertThat(pids).hasSize(1);
        Path proc = Path.of("/proc", pids.get(0));
        Awaitility.await().atMost(Duration.ofMillis(4000)).until(() -> !Files.exists(proc));
        assertThat(marker).doesNotExist();
    }

    @Test
    void aChangedHostKeyIsRefusedAndNamedAsSuch() throws Exception {
        Path other = keygen("other");
        String otherKey = Files.readString(Path.of(other + ".pub")).strip();
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + otherKey + "\n");
        sessions.stop();
        sessions.start();
        assertThatThrownBy(() -> sessions.connect("127.0.0.1", port))
                .isInstanceOfSatisfying(SshFailure.class, e -> {
                    assertThat(e.kind()).isEqualTo(SshFailure.Kind.HOST_KEY_CHANGED);
                    assertThat(e.getMessage()).contains("CHANGED");
                });
    }

    @Test
    void anUnknownHostIsRefused() throws Exception {
        Files.writeString(knownHosts, "");
        sessions.stop();
        sessions.start();
        assertThatThrownBy(() -> sessions.connect("127.0.0.1", port))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.kind()).isEqualTo(SshFailure.Kind.HOST_KEY_UNKNOWN));
    }

    @Test
    void aClosedPortIsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        assertThatThrownBy(() -> sessions.connect("127.0.0.1", port))
                .isInstanceOfSatisfying(SshFailure.class, e -> assertThat(e.kind()).isEqualTo(SshFailure.Kind.UNREACHABLE));
    }

    @Test
    void sftpReadsRemoteFiles() throws Exception {
        Path file = dir.resolve("hello.txt");
        Files.writeString(file, "hello");
        try (SshConnection ssh = sessions.connect("127.0.0.1", port); var sftp = ssh.sftp()) {
            assertThat(sftp.stat(file.toString()).getSize()).isEqualTo(5);
        }
    }

    @Test
    void commandTokensCannotCarryShellSyntax() {
        assertThatThrownBy(() -> RemoteCommand.of("yum", "update", "pkg; rm -rf /")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteCommand.of("rpm", "-q", "$(id)")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteCommand.fromTemplate("sudo -n yum -y install {package}-{evr}",
                Map.of("package", "a b", "evr", "1"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(RemoteCommand.fromTemplate("sudo -n yum -y install {package}-{evr}",
                Map.of("package", "flingerator", "evr", "1.2.0-1")).commandLine())
                .endsWith("' yardmaster 'sudo' '-n' 'yum' '-y' 'install' 'flingerator-1.2.0-1'");
    }

    private Path script(String name, String body) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, body + "\n");
        return script;
    }

    private Path keygen(String name) throws Exception {
        Path key = dir.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertThat(keygen.waitFor()).isZero();
        return key;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static SshConfig config(Path key, Path knownHosts) {
        return new SshConfig() {
            public Optional<String> privateKey() { return Optional.of(key.toString()); }
            public Optional<String> knownHosts() { return Optional.of(knownHosts.toString()); }
            public String user() { return System.getProperty("user.name"); }
            public int port() { return 22; }
            public Duration connectTimeout() { return Duration.ofSeconds(5); }
            public Duration authTimeout() { return Duration.ofSeconds(5); }
            public Duration execTimeout() { return Duration.ofSeconds(30); }
            public Duration idleTimeout() { return Duration.ofMinutes(5); }
        };
    }
}
