package dev.yardmaster.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** yardmaster.repo.mode=ssh: the same catalog, read over SFTP from a real sshd. */
@QuarkusTest
@TestProfile(SftpRepoProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SftpCatalogTest {

    @Test
    @Order(1)
    void headersAreReadOverSftpAndBadFilesRejected() {
        Response scan = BuildCatalogTest.rescan();
        assertThat(scan.jsonPath().getInt("indexed")).as(scan.asString()).isEqualTo(2);

        Map<String, Object> build = BuildCatalogTest.build("flingerator-2.0.0-1.noarch");
        assertThat(build).isNotNull();
        assertThat(build.get("commitAuthor")).isEqualTo("ab");
        assertThat(build.get("commitReviewer")).isEqualTo("cd");
        assertThat((String) build.get("sha256")).hasSize(64);
        assertThat(BuildCatalogTest.build("gnip-worker-3.0.0-1.noarch").get("unreviewed")).isEqualTo(true);

        Map<String, String> reasons = BuildCatalogTest.rejected();
        assertThat(reasons.get("cut-1.0-1.noarch.rpm")).startsWith("not a readable RPM");
        assertThat(reasons.get("escape-1.0-1.noarch.rpm")).contains("outside build/");
        assertThat(reasons.get("alias-2.0.0-1.noarch.rpm")).as("a second file with the same NEVRA, and the scan went on")
                .contains("gnip-worker-3.0.0-1.noarch.rpm").contains("same NEVRA");
    }

    @Test
    @Order(2)
    void anUnchangedRemoteDirectoryIsNotReadAgainAndVanishedFilesGoMissing() throws Exception {
        Response scan = BuildCatalogTest.rescan();
        assertThat(scan.jsonPath().getInt("indexed")).isZero();
        assertThat(scan.jsonPath().getInt("unchanged")).isEqualTo(2);

        long id = ((Number) BuildCatalogTest.build("flingerator-2.0.0-1.noarch").get("id")).longValue();
        Files.delete(SftpRepoProfile.BUILD.resolve("flingerator-2.0.0-1.noarch.rpm"));
        Files.delete(SftpRepoProfile.BUILD.resolve("cut-1.0-1.noarch.rpm"));
        scan = BuildCatalogTest.rescan();
        assertThat(scan.jsonPath().getInt("missing")).isEqualTo(1);
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/builds/" + id).jsonPath().getString("state"))
                .isEqualTo("missing");
        assertThat(BuildCatalogTest.rejected()).doesNotContainKey("cut-1.0-1.noarch.rpm");
        assertThat(Path.of(SftpRepoProfile.ROOT.toString())).exists();
    }
}
