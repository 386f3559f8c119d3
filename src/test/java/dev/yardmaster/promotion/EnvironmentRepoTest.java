package dev.yardmaster.promotion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.yardmaster.testing.Rpms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repo-server effect against real files, real createrepo_c, flock and dnf. */
class EnvironmentRepoTest {

    @TempDir
    static Path root;

    static EnvironmentRepo repo;

    @BeforeAll
    static void layout() throws Exception {
        Files.createDirectories(root.resolve("build"));
        Files.createDirectories(root.resolve("review"));
        for (String version : List.of("1.0.0", "1.1.0")) {
            Rpms.build(root.resolve("build"), "flingerator", version, "1", "ab/cd: release " + version);
        }
        Rpms.build(root.resolve("build"), "gnip-worker", "2.0.0", "1", "ef/gh: worker");
        repo = new EnvironmentRepo(new LocalRepoHost(), root.toString(), Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    @Test
    void promotingReplacesThePackagesLinkAndDnfSeesExactlyTheNewBuild() throws Exception {
        promote("gnip-worker-2.0.0-1.noarch.rpm", "gnip-worker-2.0.0-1.noarch", "gnip-worker");
        promote("flingerator-1.0.0-1.noarch.rpm", "flingerator-1.0.0-1.noarch", "flingerator");
        var outcome = promote("flingerator-1.1.0-1.noarch.rpm", "flingerator-1.1.0-1.noarch", "flingerator");

        assertThat(outcome.removed()).containsExactly("flingerator-1.0.0-1.noarch.rpm");
        assertThat(repo.links("review")).containsOnlyKeys("flingerator-1.1.0-1.noarch.rpm", "gnip-worker-2.0.0-1.noarch.rpm");
        assertThat(Files.readSymbolicLink(root.resolve("review/flingerator-1.1.0-1.noarch.rpm")).toString())
                .isEqualTo("../build/flingerator-1.1.0-1.noarch.rpm");
        assertThat(dnfRepoquery(root.resolve("review"), "flingerator")).isEqualTo("flingerator-1.1.0-1.noarch");
        assertThat(dnfRepoquery(root.resolve("review"), "gnip-worker")).isEqualTo("gnip-worker-2.0.0-1.noarch");
    }

    @Test
    void aFailedVerificationRestoresTheLinksAndTheMetadata() throws Exception {
        promote("flingerator-1.0.0-1.noarch.rpm", "flingerator-1.0.0-1.noarch", "flingerator");
        try (var lock = repo.lock("review")) {
            assertThatThrownBy(() -> repo.promote("review", "flingerator-1.1.0-1.noarch.rpm", "flingerator-9.9.9-1.noarch",
                    "flingerator", name -> name.startsWith("flingerator-")))
                    .isInstanceOf(RepoException.class)
                    .hasMessageContaining("instead of exactly flingerator-9.9.9-1.noarch");
        }
        assertThat(repo.links("review")).containsKey("flingerator-1.0.0-1.noarch.rpm")
                .doesNotContainKey("flingerator-1.1.0-1.noarch.rpm");
        assertThat(repo.listed("review", "flingerator")).containsExactly("flingerator-1.0.0-1.noarch");
        assertThat(root.resolve("review/.repodata.prev")).doesNotExist();
    }

    @Test
    void theLockIsTheSameOneAPersonTakesWithFlock() throws Exception {
        Files.createDirectories(root.resolve("staging"));
        try (var lock = repo.lock("staging")) {
            assertThat(flockNonBlocking("staging")).as("flock -n while Yardmaster holds the lock").isEqualTo(1);
        }
        assertThat(flockNonBlocking("staging")).as("flock -n after release").isZero();
    }

    @Test
    void unsafeNamesNeverReachACommand() {
        assertThatThrownBy(() -> repo.promote("review", "x;rm -rf ~.rpm", "x", "x", n -> true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> repo.promote("../etc", "a.rpm", "a", "a", n -> true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static EnvironmentRepo.Outcome promote(String file, String nevra, String pkg) {
        try (var lock = repo.lock("review")) {
            return repo.promote("review", file, nevra, pkg, name -> name.startsWith(pkg + "-"));
        }
    }

    private static int flockNonBlocking(String env) throws Exception {
        Process p = new ProcessBuilder("flock", "-n", root.resolve(env + "/" + EnvironmentRepo.LOCK_FILE).toString(), "true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.exitValue();
    }

    static String dnfRepoquery(Path repo, String pkg) throws Exception {
        Path cache = Files.createTempDirectory("dnfcache");
        Process p = new ProcessBuilder("dnf", "-q", "--releasever=1", "--setopt=cachedir=" + cache, "--setopt=reposdir=/nonexistent",
                "--repofrompath=env," + repo.toUri(), "--repo=env", "--setopt=env.gpgcheck=0",
                "repoquery", "--qf", "%{name}-%{version}-%{release}.%{arch}", pkg)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
