package dev.yardmaster.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.repo.LocalRepoFiles;
import dev.yardmaster.repo.RepoFiles;
import dev.yardmaster.repo.SftpRepoFiles;
import dev.yardmaster.ssh.LoopbackSshd;
import dev.yardmaster.testing.Rpms;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ssh mode: build/ on a real OpenSSH sshd, read over SFTP, gives the catalog exactly what local
 * mode gives for the same directory — the same good builds (header and SHA-256) and the same
 * rejections for every kind of bad file.
 */
class SftpRepoFilesTest {

    @TempDir
    static Path dir;

    static LoopbackSshd sshd;
    static Path root;

    @BeforeAll
    static void repoAndServer() throws Exception {
        root = dir.resolve("repo");
        Path build = Files.createDirectories(root.resolve("build"));
        Path good = Rpms.build(build, "flingerator", "1.10.0", "1", "ab/cd: over the wire");
        Rpms.build(build, "gnip-worker", "2.0.0", "1", "ef: nobody looked");
        byte[] rpm = Files.readAllBytes(good);
        Files.write(build.resolve("truncated-1.0-1.noarch.rpm"), Arrays.copyOf(rpm, 200));
        Files.writeString(build.resolve("notes-1.0-1.noarch.rpm"), "this is not an rpm\n");
        Files.createFile(build.resolve("empty-1.0-1.noarch.rpm"));
        Path outside = Files.createDirectories(dir.resolve("elsewhere")).resolve("outside.rpm");
        Files.write(outside, rpm);
        Files.createSymbolicLink(build.resolve("escape-1.0-1.noarch.rpm"), outside);
        Files.createSymbolicLink(build.resolve("dangling-1.0-1.noarch.rpm"), dir.resolve("nothing-here.rpm"));
        Files.createSymbolicLink(build.resolve("alias-1.10.0-1.noarch.rpm"), good.getFileName());
        Files.write(build.resolve("my build-1.0-1.noarch.rpm"), rpm);
        Files.write(build.resolve("flingerätor-1.0-1.noarch.rpm"), rpm);
        Files.write(build.resolve("x;rm -rf ~-1.0-1.noarch.rpm"), rpm);
        Files.write(build.resolve("$(reboot)-1.0-1.noarch.rpm"), rpm);
        Files.createDirectory(build.resolve("directory-1.0-1.noarch.rpm"));
        try (var files = Files.list(build)) {
            for (Path f : files.toList()) {
                if (!Files.isSymbolicLink(f)) {
                    Files.setLastModifiedTime(f, FileTime.from(Instant.now().minusSeconds(60)));
                }
            }
        }
        sshd = LoopbackSshd.start(Files.createDirectories(dir.resolve("sshd")));
    }

    @AfterAll
    static void stop() throws Exception {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void sftpSeesWhatLocalSeesForEveryGoodAndBadFile() throws Exception {
        Map<String, String> local;
        try (RepoFiles files = new LocalRepoFiles(root)) {
            local = outcomes(files);
        }
        Map<String, String> remote;
        try (RepoFiles files = new SftpRepoFiles(sshd.sessions(), sshd.user(), "127.0.0.1", sshd.port, root.toString())) {
            remote = outcomes(files);
        }
        assertThat(remote).isEqualTo(local);
        assertThat(remote).hasSize(13);
        assertThat(remote.get("flingerator-1.10.0-1.noarch.rpm")).startsWith("indexed flingerator-1.10.0-1.noarch ab/cd ");
        assertThat(remote.get("alias-1.10.0-1.noarch.rpm")).as("a symlink inside build/ is fine")
                .startsWith("indexed flingerator-1.10.0-1.noarch");
        assertThat(remote.get("gnip-worker-2.0.0-1.noarch.rpm")).startsWith("indexed gnip-worker-2.0.0-1.noarch ef/null ");
        assertThat(remote.get("truncated-1.0-1.noarch.rpm")).startsWith("rejected not a readable RPM");
        assertThat(remote.get("notes-1.0-1.noarch.rpm")).startsWith("rejected not a readable RPM");
        assertThat(remote.get("empty-1.0-1.noarch.rpm")).isEqualTo("rejected empty file (0 bytes)");
        assertThat(remote.get("escape-1.0-1.noarch.rpm")).startsWith("rejected symlink pointing outside build/");
        assertThat(remote.get("dangling-1.0-1.noarch.rpm")).startsWith("rejected dangling symlink");
        assertThat(remote.get("directory-1.0-1.noarch.rpm")).isEqualTo("rejected not a regular file");
        for (String odd : List.of("my build-1.0-1.noarch.rpm", "flingerätor-1.0-1.noarch.rpm", "x;rm -rf ~-1.0-1.noarch.rpm",
                "$(reboot)-1.0-1.noarch.rpm")) {
            assertThat(remote.get(odd)).as(odd).contains("spaces, non-ASCII or shell characters");
        }
    }

    @Test
    void aBrokenConnectionIsAnIOExceptionNotACrash() {
        try (RepoFiles files = new SftpRepoFiles(sshd.sessions(), sshd.user(), "127.0.0.1", 1, root.toString())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(files::listBuild).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("127.0.0.1:1");
        }
    }

    /** What the catalog makes of each entry: indexed NEVRA, author/reviewer and hash, or the rejection reason. */
    private static Map<String, String> outcomes(RepoFiles files) throws Exception {
        Instant settled = Instant.now().minusSeconds(2);
        Map<String, String> result = new TreeMap<>();
        for (RepoFiles.Entry entry : files.listBuild().stream().sorted(Comparator.comparing(RepoFiles.Entry::name)).toList()) {
            String refusal = BuildFiles.refusal(entry, settled);
            if (refusal != null) {
                result.put(entry.name(), "rejected " + refusal);
                continue;
            }
            BuildFiles.Outcome outcome = BuildFiles.read(files, entry);
            result.put(entry.name(), switch (outcome) {
                case BuildFiles.Indexed i -> "indexed " + i.header().nevra() + " " + i.header().commitAuthor() + "/"
                        + i.header().commitReviewer() + " " + i.sha256();
                case BuildFiles.Rejected r -> "rejected " + r.reason();
            });
        }
        return result;
    }
}
