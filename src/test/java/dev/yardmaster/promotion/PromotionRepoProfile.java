package dev.yardmaster.promotion;

import dev.yardmaster.testing.Rpms;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real repo server layout for promotion tests: build/ with flingerator 1.0.0 … 1.3.0, an
 * unreviewed 1.4.0, sextant 1.0.0 … 1.3.0 for FourEyesTest, twenty 2.0.x builds for the concurrency test, and empty environment repos.
 */
public class PromotionRepoProfile implements QuarkusTestProfile {

    static final Path ROOT = Path.of("target", "promotion-repo", UUID.randomUUID().toString()).toAbsolutePath();
    static final int CONCURRENT = 20;
    /** Builds of marina, one per approve-against-reject race (PromotionDecisionRaceTest). */
    static final List<String> RACED = List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0");

    static {
        try {
            Path build = Files.createDirectories(ROOT.resolve("build"));
            for (String env : List.of("review", "staging", "prod")) {
                Files.createDirectories(ROOT.resolve(env));
            }
            for (String version : List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0")) {
                Rpms.build(build, "flingerator", version, "1", "ab/cd: flingerator " + version);
            }
            Rpms.build(build, "flingerator", "1.4.0", "1", "ab: hotfix without review");
            for (String version : List.of("1.0.0", "1.1.0")) {
                Rpms.build(build, "tidewater", version, "1", "ab/cd: tidewater " + version);
            }
            for (String version : List.of("1.0.0", "1.1.0")) {
                Rpms.build(build, "quayside", version, "1", "ab/cd: quayside " + version);
            }
            for (String version : List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0")) {
                Rpms.build(build, "sextant", version, "1", "ab/cd: sextant " + version);
            }
            for (String version : RACED) {
                Rpms.build(build, "marina", version, "1", "ij/kl: marina " + version);
            }
            for (int i = 0; i < CONCURRENT; i++) {
                Rpms.build(build, "gnip-worker", "2.0." + i, "1", "ef/gh: worker 2.0." + i);
            }
            Rpms.settle(build);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not build the test repo server", e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "yardmaster.repo.mode", "local",
                "yardmaster.repo.path", ROOT.toString(),
                "yardmaster.promotion.block-unreviewed-in-protected", "true",
                "yardmaster.catalog.scan-interval", "off",
                "yardmaster.catalog.watch", "false");
    }
}
