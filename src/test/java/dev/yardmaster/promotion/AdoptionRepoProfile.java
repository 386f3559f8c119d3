package dev.yardmaster.promotion;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * Local mode on a repo server that existed before Yardmaster ({@link AdoptionRepo}), with the
 * directory watch on (changes by hand are seen at once), no scheduled scan (tests ask for
 * scans), older links replaced by promotions (the default), and a webhook for repo changes.
 */
public class AdoptionRepoProfile implements QuarkusTestProfile {

    static final Path ROOT = Path.of("target", "adoption-repo", UUID.randomUUID().toString()).toAbsolutePath();

    static {
        AdoptionRepo.build(ROOT);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return overrides(ROOT);
    }

    static Map<String, String> overrides(Path root) {
        return Map.of(
                "yardmaster.repo.mode", "local",
                "yardmaster.repo.path", root.toString(),
                "yardmaster.catalog.scan-interval", "off",
                "yardmaster.catalog.watch", "true",
                "yardmaster.promotion.older-builds", "replace",
                // Nothing listens there: the delivery stays queued, which is what the test looks at.
                "yardmaster.webhooks.endpoints.ops.url", "http://127.0.0.1:9/hook",
                "yardmaster.webhooks.endpoints.ops.events", "repo.*");
    }

    /** The same on a repo server of its own, for the browser test (a fresh application and database). */
    public static class ForBrowser implements QuarkusTestProfile {
        static final Path ROOT = Path.of("target", "adoption-repo", UUID.randomUUID().toString()).toAbsolutePath();

        static {
            AdoptionRepo.build(ROOT);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return overrides(ROOT);
        }
    }
}
