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

    /** Starts sshd with its files under {@code dir}; returns once it accepts connections. */
    public static LoopbackSshd start(Path dir) throws IOException, InterruptedException {
        Path key = keygen(dir, "deploy");
        Path hostKey = keygen(dir, "hostkey");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path sshdConfig = dir.resolve("sshd_config");
        Files.writeString(sshdConfig, String.join("\n",
                "ListenAddress 127.0.0.1:" + port, "HostKey " + hostKey, "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + key + ".pub", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "UsePAM no", "PermitRootLogin prohibit-password", "StrictModes no", "UseDNS no",
                "Subsystem sftp internal-sftp", ""));
        Files.createDirectories(Path.of("/run/sshd"));
        Process sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", sshdConfig.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts,
                "[127.0.0.1]:" + port + " " + Files.readString(Path.of(hostKey + ".pub")).strip() + "\n");
        int p = port;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket socket = new Socket("127.0.0.1", p)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
        SshSessions sessions = new SshSessions(SshSessionsTest.config(key, knownHosts));
        sessions.start();
        return new LoopbackSshd(sshd, sessions, port, knownHosts, key);
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

    private static Path keygen(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        if (keygen.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + new String(keygen.getInputStream().readAllBytes()));
        }
        return key;
    }
}
