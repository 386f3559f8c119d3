package dev.yardmaster.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.yardmaster.testing.Rpms;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Local mode: a build CI drops into build/ shows up without a rescan request or a schedule. */
@QuarkusTest
@TestProfile(BuildWatchTest.Watching.class)
class BuildWatchTest {

    static final Path ROOT = Path.of("target", "catalog-watch", UUID.randomUUID().toString()).toAbsolutePath();

    /** An empty build/, no scheduled scan, change notification on. */
    public static class Watching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(ROOT.resolve("build"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("yardmaster.repo.path", ROOT.toString(), "yardmaster.catalog.scan-interval", "off",
                    "yardmaster.catalog.watch", "true", "yardmaster.catalog.settle-time", "1s");
        }
    }

    @Test
    void aNewFileInBuildIsIndexedByChangeNotificationAlone() throws Exception {
        Path staging = Files.createTempDirectory("ci");
        Path built = Rpms.build(staging, "watched", "3.1.4", "1", "ab/cd: noticed without asking");
        // CI's usual copy: a fresh mtime, so the first look sees a file "still being copied".
        Files.copy(built, ROOT.resolve("build").resolve(built.getFileName()));
        await().atMost(Duration.ofSeconds(30)).until(() -> nevras().contains("watched-3.1.4-1.noarch"));
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/builds/rejected").jsonPath().getList("fileName"))
                .doesNotContain("watched-3.1.4-1.noarch.rpm");
    }

    private static List<String> nevras() {
        return given().auth().oauth2(Tokens.user("carol")).get("/api/builds").jsonPath().getList("builds.nevra");
    }
}
