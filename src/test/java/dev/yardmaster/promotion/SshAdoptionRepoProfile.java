package dev.yardmaster.promotion;

import dev.yardmaster.ssh.LoopbackSshd;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * SSH mode on the same pre-existing repo server ({@link AdoptionRepo}), behind a real OpenSSH
 * sshd on the loopback: directories are read over SFTP and locked with flock over SSH, the
 * scheduled scan runs every 2 s (the interval within which SSH mode sees a hand change), and
 * promotions keep older links ({@code older-builds=keep}).
 */
public class SshAdoptionRepoProfile implements QuarkusTestProfile {

    static final int PORT = dev.yardmaster.testing.TestPorts.of(2418);
    static final Path DIR = Path.of("target", "adoption-ssh", UUID.randomUUID().toString()).toAbsolutePath();
    static final Path ROOT = DIR.resolve("repo");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("yardmaster.catalog.scan-interval", "2s", "yardmaster.catalog.watch", "false",
                "yardmaster.promotion.older-builds", "keep");
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
                Files.createDirectories(DIR);
                AdoptionRepo.build(ROOT);
                // ECDSA for the reason SftpRepoProfile gives (EdDSA classes load twice in @QuarkusTest).
                Path key = keygen("deploy");
                Path hostKey = keygen("hostkey");
                LoopbackSshd.Server server = LoopbackSshd.startSshd(DIR, PORT, hostKey, key);
                sshd = server.process();
                String user = System.getProperty("user.name");
                return Map.of("yardmaster.repo.mode", "ssh", "yardmaster.repo.path", ROOT.toString(),
                        "yardmaster.repo.host", "127.0.0.1", "yardmaster.repo.port", String.valueOf(PORT),
                        "yardmaster.repo.user", user, "yardmaster.ssh.user", user,
                        "yardmaster.ssh.private-key", key.toString(), "yardmaster.ssh.known-hosts", server.knownHosts().toString());
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
