package dev.yardmaster.promotion;

import dev.yardmaster.build.Build;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Indexes the test repo's build/ directory with {@code rpm -qp}, so promotion tests have
 * Build rows to promote; the catalog's own scanner has tests of its own.
 */
final class CatalogForTests {

    private CatalogForTests() {
    }

    static synchronized void rescan() {
        try (Stream<Path> files = Files.list(PromotionRepoProfile.ROOT.resolve("build"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".rpm")).sorted().toList()) {
                String name = file.getFileName().toString();
                boolean known = QuarkusTransaction.requiringNew().call(() -> Build.byFileName(name).isPresent());
                if (!known) {
                    index(file);
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void index(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of("rpm", "-qp", "--qf",
                "%{NAME}\\n%{EPOCHNUM}\\n%{VERSION}\\n%{RELEASE}\\n%{ARCH}\\n%{CHANGELOGTEXT}\\n", file.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String[] fields = new String(p.getInputStream().readAllBytes()).split("\n");
        p.waitFor(30, TimeUnit.SECONDS);
        String changelog = fields.length > 5 ? fields[5].replaceFirst("^- ", "") : "";
        String[] people = changelog.contains(":") ? changelog.substring(0, changelog.indexOf(':')).split("/") : new String[0];
        long size = Files.size(file);
        QuarkusTransaction.requiringNew().run(() -> {
            Build build = new Build();
            build.fileName = file.getFileName().toString();
            build.packageName = fields[0];
            build.epoch = Integer.parseInt(fields[1]);
            build.version = fields[2];
            build.release = fields[3];
            build.arch = fields[4];
            build.nevra = fields[0] + "-" + fields[2] + "-" + fields[3] + "." + fields[4];
            build.fileSize = size;
            build.changelogText = changelog;
            build.commitAuthor = people.length > 0 ? people[0] : null;
            build.commitReviewer = people.length > 1 ? people[1] : null;
            build.unreviewed = people.length < 2 || people[0].equals(people[1]);
            build.fileMtime = OffsetDateTime.now(ZoneOffset.UTC);
            build.lastSeenAt = build.fileMtime;
            build.persist();
        });
    }
}
