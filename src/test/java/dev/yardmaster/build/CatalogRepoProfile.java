package dev.yardmaster.build;

import dev.yardmaster.testing.Rpms;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/** A build/ directory with real RPMs (reviewed and not) for the catalog tests. */
public class CatalogRepoProfile implements QuarkusTestProfile {

    static final Path ROOT = Path.of("target", "catalog-repo", UUID.randomUUID().toString()).toAbsolutePath();
    static final Path BUILD = ROOT.resolve("build");

    static {
        try {
            Files.createDirectories(BUILD);
            Rpms.build(BUILD, "flingerator", "1.0.0", "1", "ab/cd: first flingerator");
            Rpms.build(BUILD, "flingerator", "1.10.0", "1", "ab/cd: teach it to count past nine");
            Rpms.build(BUILD, "flingerator", "1.9.0", "1", "cd/cd: reviewed by its author");
            Rpms.build(BUILD, "gnip-worker", "2.0.0", "1", "ef: hotfix, nobody looked");
            Rpms.settle(BUILD);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("yardmaster.repo.path", ROOT.toString(), "yardmaster.catalog.scan-interval", "off",
                "yardmaster.catalog.watch", "false", "yardmaster.catalog.settle-time", "1s");
    }
}
