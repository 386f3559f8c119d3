package dev.yardmaster.ssh;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A real OpenSSH sshd on 127.0.0.1 (free port, own host key, SFTP subsystem) and an
 * {@link SshSessions} that trusts only it, for tests of features that reach a server over SSH.
 */
public final class LoopbackSshd implements AutoCloseable {

    private final Process sshd;
    private final SshSessions sessions;
    public final int port;
    public final Path knownHosts;
    public final Path key;

    private LoopbackSshd(Process sshd, SshSessions sessions, int port, Path knownHosts, Path key) {
        this.sshd = sshd;
        this.sessions = sessions;
        this.port = port;
        this.knownHosts = knownHosts;
        this.key = key;
    }

    /** Starts sshd on a free port with its files under {@code dir}; returns once it accepts connections. */
    public static LoopbackSshd start(Path dir) throws IOException, InterruptedException {
        return start(dir, 0);
    }

    /**
     * Starts sshd on {@code preferredPort} when it is free (a fixed port makes a failing run easy
     * to poke at by hand), on any free port otherwise.
     */
    public static LoopbackSshd start(Path dir, int preferredPort) throws IOException, InterruptedException {
        Path key = keygen(dir, "deploy");
        Path hostKey = keygen(dir, "hostkey");
        int port = portToUse(preferredPort);
        Server server = startSshd(dir, port, hostKey, key);
        Process sshd = server.process();
        Path knownHosts = server.knownHosts();
        SshSessions sessions = new SshSessions(config(key, knownHosts));
        sessions.start();
        return new LoopbackSshd(sshd, sessions, port, knownHosts, key);
    }

    /** A running sshd and the known_hosts file that trusts its host key. */
    public record Server(Process process, Path knownHosts) {
    }

    /**
     * Starts OpenSSH's sshd alone on 127.0.0.1:{@code port} with {@code hostKey}, letting in the
     * test's user with {@code clientKey} (its {@code .pub} is the authorized key); writes
     * {@code dir/sshd_config} and {@code dir/known_hosts} and returns once it accepts connections.
     */
    public static Server startSshd(Path dir, int port, Path hostKey, Path clientKey) throws IOException {
        Path sshdConfig = dir.resolve("sshd_config");
        Files.writeString(sshdConfig, String.join("\n",
                "ListenAddress 127.0.0.1:" + port, "HostKey " + hostKey, "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + clientKey + ".pub", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "UsePAM no", "PermitRootLogin prohibit-password", "StrictModes no", "UseDNS no", "MaxStartups 100",
                "MaxSessions 100",
                // curve25519 only: the post-quantum default costs ~60 ms of CPU per connection here.
                "KexAlgorithms curve25519-sha256", "Subsystem sftp internal-sftp",
                // bash started by sshd reads ~/.bashrc at shell level 1 only: keep the machine's dotfiles out (bin/fleet does the same).
                "SetEnv SHLVL=1", ""));
        Files.createDirectories(Path.of("/run/sshd"));
        Path log = dir.resolve("sshd.log");
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", sshdConfig.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts,
                "[127.0.0.1]:" + port + " " + Files.readString(Path.of(hostKey + ".pub")).strip() + "\n");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (!sshd.isAlive()) {
                throw new IllegalStateException("sshd exited: " + Files.readString(log));
            }
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        return new Server(sshd, knownHosts);
    }

    private static int portToUse(int preferred) throws IOException {
        if (preferred > 0) {
            try (ServerSocket socket = new ServerSocket(preferred, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                return preferred;
            } catch (IOException busy) {
                // taken: any free port will do
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A client configuration that trusts {@code knownHosts} and logs in with {@code key} as the test's user. */
    public static SshConfig config(Path key, Path knownHosts) {
        return config(key, knownHosts, 200);
    }

    /** As {@link #config(Path, Path)}, holding at most {@code maxSessions} sessions open. */
    public static SshConfig config(Path key, Path knownHosts, int maxSessions) {
        return new SshConfig() {
            public java.util.Optional<String> privateKey() { return java.util.Optional.of(key.toString()); }
            public java.util.Optional<String> knownHosts() { return java.util.Optional.of(knownHosts.toString()); }
            public String user() { return System.getProperty("user.name"); }
            public int port() { return 22; }
            public Duration connectTimeout() { return Duration.ofSeconds(10); }
            public Duration authTimeout() { return Duration.ofSeconds(10); }
            public Duration execTimeout() { return Duration.ofSeconds(60); }
            public Duration idleTimeout() { return Duration.ofMinutes(5); }
            public int maxSessions() { return maxSessions; }
        };
    }

    public SshSessions sessions() {
        return sessions;
    }

    /** The user sshd lets in (the one running the tests). */
    public String user() {
        return System.getProperty("user.name");
    }

    @Override
    public void close() throws InterruptedException {
        sessions.stop();
        sshd.destroy();
        sshd.waitFor(10, TimeUnit.SECONDS);
    }

    /** A new passphrase-less ed25519 key pair {@code dir/name} and {@code dir/name.pub}. */
    public static Path keygen(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        if (keygen.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + new String(keygen.getInputStream().readAllBytes()));
        }
        return key;
    }
}
