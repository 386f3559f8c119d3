package dev.yardmaster.build;

import dev.yardmaster.ssh.LoopbackSshd;
import dev.yardmaster.testing.Rpms;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The catalog in ssh mode against a real OpenSSH sshd on 127.0.0.1:2402 whose SFTP subsystem
 * serves a repo root with real RPMs; the app logs in with a key and checks the host key
 * against a known_hosts file written here.
 */
public class SftpRepoProfile implements QuarkusTestProfile {

    static final int PORT = Integer.getInteger("yardmaster.test.catalog-sshd-port", dev.yardmaster.testing.TestPorts.of(2402));
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
                LoopbackSshd.Server server = LoopbackSshd.startSshd(DIR, PORT, hostKey, key);
                sshd = server.process();
                Path knownHosts = server.knownHosts();
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
