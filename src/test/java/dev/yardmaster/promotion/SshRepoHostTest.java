package dev.yardmaster.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.yardmaster.ssh.SshSessions;
import dev.yardmaster.ssh.LoopbackSshd;
import dev.yardmaster.testing.Rpms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promotion effect in SSH mode: the same steps as locally, run through the shared SSH
 * client against a real OpenSSH sshd on the loopback (port 2403 when free), with real
 * createrepo_c, flock and dnf reading the environment repo afterwards.
 */
class SshRepoHostTest {

    static final int PREFERRED_PORT = dev.yardmaster.testing.TestPorts.of(2403);
    static final int CONCURRENT = 8;

    @TempDir
    static Path dir;

    static Path root;
    static LoopbackSshd sshd;
    static SshSessions sessions;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        root = dir.resolve("repo");
        Files.createDirectories(root.resolve("build"));
        for (String env : List.of("review", "staging", "prod")) {
            Files.createDirectories(root.resolve(env));
        }
        for (int i = 0; i < CONCURRENT; i++) {
            Rpms.build(root.resolve("build"), "flingerator", "1." + i + ".0", "1", "ab/cd: release " + i);
        }
        Rpms.build(root.resolve("build"), "gnip-worker", "2.0.0", "1", "ef/gh: worker");
        sshd = LoopbackSshd.start(Files.createDirectories(dir.resolve("sshd")), PREFERRED_PORT);
        port = sshd.port;
        sessions = sshd.sessions();
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    static EnvironmentRepo repo() {
        return new EnvironmentRepo(new SshRepoHost(sessions, "127.0.0.1", port), root.toString(), Duration.ofSeconds(60),
                Duration.ofSeconds(60));
    }

    @Test
    void promotingOverSshReplacesThePackagesLinkAndDnfSeesExactlyTheNewBuild() throws Exception {
        promote("review", "gnip-worker", "2.0.0");
        promote("review", "flingerator", "1.0.0");
        EnvironmentRepo.Outcome outcome = promote("review", "flingerator", "1.1.0");

        assertThat(outcome.removed()).containsExactly("flingerator-1.0.0-1.noarch.rpm");
        assertThat(outcome.metadataNevra()).isEqualTo("flingerator-1.1.0-1.noarch");
        try (EnvironmentRepo repo = repo()) {
            assertThat(repo.links("review")).containsOnly(
                    org.assertj.core.api.Assertions.entry("flingerator-1.1.0-1.noarch.rpm", "../build/flingerator-1.1.0-1.noarch.rpm"),
                    org.assertj.core.api.Assertions.entry("gnip-worker-2.0.0-1.noarch.rpm", "../build/gnip-worker-2.0.0-1.noarch.rpm"));
            assertThat(repo.buildFileExists("flingerator-1.1.0-1.noarch.rpm")).isTrue();
            assertThat(repo.buildFileExists("flingerator-9.9.9-1.noarch.rpm")).isFalse();
        }
        assertThat(Files.readSymbolicLink(root.resolve("review/flingerator-1.1.0-1.noarch.rpm")).toString())
                .isEqualTo("../build/flingerator-1.1.0-1.noarch.rpm");
        assertThat(EnvironmentRepoTest.dnfRepoquery(root.resolve("review"), "flingerator")).isEqualTo("flingerator-1.1.0-1.noarch");
        assertThat(EnvironmentRepoTest.dnfRepoquery(root.resolve("review"), "gnip-worker")).isEqualTo("gnip-worker-2.0.0-1.noarch");
    }

    @Test
    void theLockOverSshExcludesAPersonRunningFlockByHandAndIsReleasedOnClose() throws Exception {
        try (EnvironmentRepo repo = repo()) {
            try (RepoHost.Held lock = repo.lock("staging")) {
                assertThat(flockNonBlocking("staging")).as("flock -n while Yardmaster holds the lock over SSH").isEqualTo(1);
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> flockNonBlocking("staging") == 0);
        }
        // The holder's child (setpriv … sleep) dies with flock: nothing keeps sleeping on the server.
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !holderStillRunning());
    }

    @Test
    void aPersonHoldingTheLockMakesYardmasterWaitAndThenGiveUpClearly() throws Exception {
        Process person = new ProcessBuilder("flock", "-x", root.resolve("prod/" + EnvironmentRepo.LOCK_FILE).toString(),
                "sleep", "30").start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> flockNonBlocking("prod") == 1);
            EnvironmentRepo impatient = new EnvironmentRepo(new SshRepoHost(sessions, "127.0.0.1", port), root.toString(),
                    Duration.ofSeconds(1), Duration.ofSeconds(30));
            try (impatient) {
                assertThatThrownBy(() -> impatient.lock("prod")).isInstanceOf(RepoException.class)
                        .hasMessageContaining("could not take").hasMessageContaining(".yardmaster.lock");
            }
        } finally {
            person.destroy();
            person.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFailedVerificationOverSshRestoresTheLinksAndTheMetadata() throws Exception {
        Files.createDirectories(root.resolve("fail"));
        try (EnvironmentRepo repo = repo()) {
            try (RepoHost.Held lock = repo.lock("fail")) {
                repo.promote("fail", "flingerator-1.0.0-1.noarch.rpm", "flingerator-1.0.0-1.noarch", "flingerator",
                        name -> name.startsWith("flingerator-"));
            }
            try (RepoHost.Held lock = repo.lock("fail")) {
                assertThatThrownBy(() -> repo.promote("fail", "flingerator-1.2.0-1.noarch.rpm", "flingerator-9.9.9-1.noarch",
                        "flingerator", name -> name.startsWith("flingerator-")))
                        .isInstanceOf(RepoException.class)
                        .hasMessageContaining("instead of exactly flingerator-9.9.9-1.noarch");
            }
            assertThat(repo.links("fail")).containsOnlyKeys("flingerator-1.0.0-1.noarch.rpm");
            assertThat(repo.listed("fail", "flingerator")).containsExactly("flingerator-1.0.0-1.noarch");
        }
        assertThat(root.resolve("fail/.repodata.prev")).doesNotExist();
        assertThat(EnvironmentRepoTest.dnfRepoquery(root.resolve("fail"), "flingerator")).isEqualTo("flingerator-1.0.0-1.noarch");
    }

    @Test
    void concurrentPromotionsOverSshAreSerializedAndTheRepoEndsConsistent() throws Exception {
        Files.createDirectories(root.resolve("race"));
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
        List<Future<EnvironmentRepo.Outcome>> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < CONCURRENT; i++) {
                String version = "1." + i + ".0";
                outcomes.add(pool.submit(() -> promote("race", "flingerator", version)));
            }
            for (Future<EnvironmentRepo.Outcome> outcome : outcomes) {
                assertThat(outcome.get(5, TimeUnit.MINUTES).metadataNevra()).startsWith("flingerator-1.");
            }
        } finally {
            pool.shutdownNow();
        }
        try (EnvironmentRepo repo = repo()) {
            assertThat(repo.links("race")).hasSize(1);
            String live = repo.links("race").keySet().iterator().next();
            String nevra = live.substring(0, live.length() - ".rpm".length());
            assertThat(repo.listed("race", "flingerator")).containsExactly(nevra);
            assertThat(EnvironmentRepoTest.dnfRepoquery(root.resolve("race"), "flingerator")).isEqualTo(nevra);
        }
        // Every promotion after the first removed exactly the link the one before it had made.
        long removedOne = outcomes.stream().map(f -> {
            try {
                return f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(o -> o.removed().size() == 1).count();
        assertThat(removedOne).isEqualTo(CONCURRENT - 1);
    }

    @Test
    void namesThatAreNotPlainTokensNeverReachTheServer() {
        try (EnvironmentRepo repo = repo()) {
            assertThatThrownBy(() -> repo.promote("review", "x;id.rpm", "x", "x", n -> true))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> repo.lock("../etc")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new SshRepoHost(sessions, "-oProxyCommand=id", port)).isInstanceOf(RepoException.class);
    }

    private static EnvironmentRepo.Outcome promote(String env, String pkg, String version) {
        String nevra = pkg + "-" + version + "-1.noarch";
        try (EnvironmentRepo repo = repo(); RepoHost.Held lock = repo.lock(env)) {
            return repo.promote(env, nevra + ".rpm", nevra, pkg, name -> name.startsWith(pkg + "-"));
        }
    }

    private static int flockNonBlocking(String env) throws Exception {
        Process p = new ProcessBuilder("flock", "-n", root.resolve(env + "/" + EnvironmentRepo.LOCK_FILE).toString(), "true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.exitValue();
    }

    private static boolean holderStillRunning() {
        String lockFile = root.resolve("staging/" + EnvironmentRepo.LOCK_FILE).toString();
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().map(c -> c.contains(lockFile)).orElse(false));
    }
}
