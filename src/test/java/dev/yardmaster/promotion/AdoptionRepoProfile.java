package dev.yardmaster.promotion;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * Local mode on a repo server that existed before Yardmaster ({@link AdoptionRepo}), with the
 * directory watch on (changes by hand are seen at once), no scheduled scan (tests ask for
 * scans), older links replaced by promotions (the default), and a webhook for repo changes.
 * AdoptionBrowserTest and RepoAdoptionTest share the application (one augmentation and start,
 * ~45 s on 2 cores, instead of two): the browser test sorts first and sees the repo server as
 * adopted, then leaves one acknowledged hand change in staging behind.
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
}
