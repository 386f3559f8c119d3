package dev.yardmaster.build;

import dev.yardmaster.testing.Rpms;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The catalog in ssh mode against a real OpenSSH sshd on 127.0.0.1:2402 whose SFTP subsystem
 * serves a repo root with real RPMs; the app logs in with a key and checks the host key
 * against a known_hosts file written here.
 */
public class SftpRepoProfile implements QuarkusTestProfile {

    static final int PORT = Integer.getInteger("yardmaster.test.catalog-sshd-port", 2402);
    static final Path DIR = Path.of("target", "catalog-sftp", UUID.randomUUID().toString()).toAbsolutePath();
    static final Path ROOT = DIR.resolve("repo");
    static final Path BUILD = ROOT.resolve("build");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("yardmaster.catalog.scan-interval", "off", "yardmaster.catalog.watch", "false",
                "yardmaster.catalog.settle-time", "1s");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Sshd.class));
    }

    /** Starts sshd before the application and hands it the repo settings. */
    public static class Sshd implements QuarkusTestResourceLifecycleManager {
        private Process sshd;

        @Override
        public Map<String, String> start() {
            try {
                Files.createDirectories(BUILD);
                Rpms.build(BUILD, "flingerator", "2.0.0", "1", "ab/cd: over the wire");
                Rpms.build(BUILD, "gnip-worker", "3.0.0", "1", "ef: nobody looked");
                Files.write(BUILD.resolve("cut-1.0-1.noarch.rpm"),
                        java.util.Arrays.copyOf(Files.readAllBytes(BUILD.resolve("flingerator-2.0.0-1.noarch.rpm")), 300));
                Path outside = Files.writeString(DIR.resolve("secret.rpm"), "not yours");
                Files.createSymbolicLink(BUILD.resolve("escape-1.0-1.noarch.rpm"), outside);
                Files.createSymbolicLink(BUILD.resolve("alias-2.0.0-1.noarch.rpm"), Path.of("gnip-worker-3.0.0-1.noarch.rpm"));
                try (var files = Files.list(BUILD)) {
                    for (Path f : files.filter(f -> !Files.isSymbolicLink(f)).toList()) {
                        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
                    }
                }
                Files.setLastModifiedTime(outside, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
                Path key = keygen("deploy");
                Path hostKey = keygen("hostkey");
                Path config = DIR.resolve("sshd_config");
                Files.writeString(config, String.join("\n", "ListenAddress 127.0.0.1:" + PORT, "HostKey " + hostKey,
                        "PidFile " + DIR.resolve("sshd.pid"), "AuthorizedKeysFile " + key + ".pub",
                        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no",
                        "PermitRootLogin prohibit-password", "StrictModes no", "UseDNS no",
                        "KexAlgorithms curve25519-sha256", "Subsystem sftp internal-sftp",
                        // bash started by sshd reads ~/.bashrc at shell level 1 only: keep the machine's dotfiles out (bin/fleet does the same).
                        "SetEnv SHLVL=1", ""));
                Files.createDirectories(Path.of("/run/sshd"));
                sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                        .redirectOutput(DIR.resolve("sshd.log").toFile()).start();
                Path knownHosts = DIR.resolve("known_hosts");
                Files.writeString(knownHosts,
                        "[127.0.0.1]:" + PORT + " " + Files.readString(Path.of(hostKey + ".pub")).strip() + "\n");
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                    if (!sshd.isAlive()) {
                        throw new IllegalStateException("sshd exited: " + Files.readString(DIR.resolve("sshd.log")));
                    }
                    try (Socket socket = new Socket("127.0.0.1", PORT)) {
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
                return Map.of("yardmaster.repo.mode", "ssh", "yardmaster.repo.path", ROOT.toString(),
                        "yardmaster.repo.host", "127.0.0.1", "yardmaster.repo.port", String.valueOf(PORT),
                        "yardmaster.repo.user", System.getProperty("user.name"),
                        "yardmaster.ssh.private-key", key.toString(), "yardmaster.ssh.known-hosts", knownHosts.toString());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (sshd != null) {
                sshd.destroy();
                try {
                    sshd.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * ECDSA, not ed25519: inside a {@code @QuarkusTest} MINA's BouncyCastle EdDSA key classes
         * load twice (app and Quarkus class loaders) and authentication fails with a
         * ClassCastException; the packaged application has one class loader and is unaffected.
         */
        private static Path keygen(String name) throws IOException, InterruptedException {
            Path key = DIR.resolve(name);
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-f", key.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ssh-keygen failed");
            }
            return key;
        }
    }
}
