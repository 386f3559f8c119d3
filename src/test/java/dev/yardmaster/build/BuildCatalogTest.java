package dev.yardmaster.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.yardmaster.testing.Rpms;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The catalog against a real build/ directory: headers, commit lines, incremental scans, bad files. */
@QuarkusTest
@TestProfile(CatalogRepoProfile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BuildCatalogTest {

    static final Path BUILD = CatalogRepoProfile.BUILD;

    @Test
    @Order(1)
    void aScanIndexesHeadersAndWhoWroteAndReviewedEachBuild() {
        Response scan = rescan();
        // Indexed by this scan or by an earlier one of another class of the profile (BuildBrowserTest):
        // four builds, none read twice.
        assertThat(scan.jsonPath().getInt("indexed") + scan.jsonPath().getInt("unchanged")).as(scan.asString()).isEqualTo(4);

        Map<String, Object> latest = build("flingerator-1.10.0-1.noarch");
        assertThat(latest.get("package")).isEqualTo("flingerator");
        assertThat(latest.get("commitAuthor")).isEqualTo("ab");
        assertThat(latest.get("commitReviewer")).isEqualTo("cd");
        assertThat(latest.get("commitMessage")).isEqualTo("teach it to count past nine");
        assertThat(latest.get("unreviewed")).isEqualTo(false);
        assertThat((String) latest.get("sha256")).hasSize(64);
        assertThat(latest.get("license")).isEqualTo("Apache-2.0");
        assertThat(latest.get("buildTime")).isNotNull();
        assertThat((String) latest.get("sourceRpm")).startsWith("flingerator-1.10.0-1.src.rpm");

        assertThat(build("gnip-worker-2.0.0-1.noarch").get("unreviewed")).as("no reviewer").isEqualTo(true);
        assertThat(build("flingerator-1.9.0-1.noarch").get("unreviewed")).as("author reviewed it").isEqualTo(true);

        assertThat(io.quarkus.narayana.jta.QuarkusTransaction.requiringNew()
                .call(() -> Build.latestOf("flingerator").map(b -> b.nevra).orElse(null)))
                .as("latestOf uses rpm version order").isEqualTo("flingerator-1.10.0-1.noarch");

        Response packages = given().auth().oauth2(Tokens.user("carol")).get("/api/packages");
        assertThat(packages.jsonPath().getString("find { it.name == 'flingerator' }.latest"))
                .as("rpm version order, not string order").isEqualTo("1.10.0-1");
    }

    @Test
    @Order(2)
    void anUnchangedDirectoryIsNotReadAgain() {
        Response scan = rescan();
        assertThat(scan.jsonPath().getInt("indexed")).isZero();
        assertThat(scan.jsonPath().getInt("unchanged")).isEqualTo(4);
    }

    @Test
    @Order(3)
    void everyKindOfBadFileIsRejectedWithAReasonAndBlocksNothing() throws Exception {
        byte[] rpm = Files.readAllBytes(BUILD.resolve("flingerator-1.0.0-1.noarch.rpm"));
        Files.write(BUILD.resolve("truncated-1.0-1.noarch.rpm"), java.util.Arrays.copyOf(rpm, 200));
        Files.writeString(BUILD.resolve("notes-1.0-1.noarch.rpm"), "this is not an rpm\n");
        Files.createFile(BUILD.resolve("empty-1.0-1.noarch.rpm"));
        Path outside = Files.createTempFile("outside", ".rpm");
        Files.write(outside, rpm);
        Files.createSymbolicLink(BUILD.resolve("escape-1.0-1.noarch.rpm"), outside);
        Files.write(BUILD.resolve("my build-1.0-1.noarch.rpm"), rpm);
        Files.write(BUILD.resolve("flingerätor-1.0-1.noarch.rpm"), rpm);
        Files.write(BUILD.resolve("x;rm -rf ~-1.0-1.noarch.rpm"), rpm);
        Files.write(BUILD.resolve("flingerator-copy-1.0.0-1.noarch.rpm"), rpm);
        Files.createSymbolicLink(BUILD.resolve("dangling-1.0-1.noarch.rpm"), BUILD.resolve("gone.rpm"));
        Files.createDirectory(BUILD.resolve("directory-1.0-1.noarch.rpm"));
        for (String name : List.of("truncated-1.0-1.noarch.rpm", "notes-1.0-1.noarch.rpm", "empty-1.0-1.noarch.rpm",
                "my build-1.0-1.noarch.rpm", "flingerätor-1.0-1.noarch.rpm", "x;rm -rf ~-1.0-1.noarch.rpm",
                "flingerator-copy-1.0.0-1.noarch.rpm", "directory-1.0-1.noarch.rpm")) {
            Files.setLastModifiedTime(BUILD.resolve(name), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        }
        Rpms.build(BUILD, "gnip-worker", "2.1.0", "1", "ef/ab: a good build next to the bad ones");
        Files.setLastModifiedTime(BUILD.resolve("gnip-worker-2.1.0-1.noarch.rpm"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));

        Response scan = rescan();
        assertThat(scan.jsonPath().getInt("indexed")).as("the good build still gets in").isEqualTo(1);

        Map<String, String> reasons = rejected();
        assertThat(reasons.get("truncated-1.0-1.noarch.rpm")).startsWith("not a readable RPM");
        assertThat(reasons.get("notes-1.0-1.noarch.rpm")).startsWith("not a readable RPM");
        assertThat(reasons.get("empty-1.0-1.noarch.rpm")).contains("empty file");
        assertThat(reasons.get("escape-1.0-1.noarch.rpm")).contains("outside build/");
        assertThat(reasons.get("my build-1.0-1.noarch.rpm")).contains("spaces, non-ASCII or shell characters");
        assertThat(reasons.get("flingerätor-1.0-1.noarch.rpm")).contains("non-ASCII");
        assertThat(reasons.get("x;rm -rf ~-1.0-1.noarch.rpm")).contains("shell characters");
        assertThat(reasons.get("flingerator-copy-1.0.0-1.noarch.rpm"))
                .isEqualTo("same NEVRA (flingerator-1.0.0-1.noarch) as flingerator-1.0.0-1.noarch.rpm, which is already in the catalog");
        assertThat(reasons.get("dangling-1.0-1.noarch.rpm")).startsWith("dangling symlink");
        assertThat(reasons.get("directory-1.0-1.noarch.rpm")).isEqualTo("not a regular file");
        assertThat(build("gnip-worker-2.1.0-1.noarch")).isNotNull();
        // The Builds page lists them too, a page at a time.
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/builds").then().statusCode(200).extract().asString())
                .contains("files in build/ could not be indexed").contains("truncated-1.0-1.noarch.rpm");

        // Fixing a file takes it off the list.
        Files.delete(BUILD.resolve("notes-1.0-1.noarch.rpm"));
        rescan();
        assertThat(rejected()).doesNotContainKey("notes-1.0-1.noarch.rpm");
    }

    @Test
    @Order(4)
    void aFileStillBeingCopiedIsReadOnceItSettles() throws Exception {
        Path partial = BUILD.resolve("flingerator-1.2.0-1.noarch.rpm");
        Path built = Rpms.build(Files.createTempDirectory("rpm"), "flingerator", "1.2.0", "1", "ab/cd: arrives slowly");
        byte[] bytes = Files.readAllBytes(built);
        try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW)) {
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            rescan();
            assertThat(rejected().get("flingerator-1.2.0-1.noarch.rpm")).startsWith("still being copied");
            out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
        }
        // The catalog looks again by itself once the file has settled.
        await().atMost(Duration.ofSeconds(20)).until(() -> build("flingerator-1.2.0-1.noarch") != null);
        assertThat(rejected()).doesNotContainKey("flingerator-1.2.0-1.noarch.rpm");
    }

    @Test
    @Order(5)
    void aVanishedFileIsMarkedMissingNotDeleted() throws Exception {
        Path file = BUILD.resolve("flingerator-1.9.0-1.noarch.rpm");
        Path aside = BUILD.getParent().resolve("aside.rpm");
        long id = ((Number) build("flingerator-1.9.0-1.noarch").get("id")).longValue();
        Files.move(file, aside);
        rescan();
        assertThat(build("flingerator-1.9.0-1.noarch")).as("missing builds leave the list").isNull();
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/builds/" + id).jsonPath().getString("state"))
                .isEqualTo("missing");
        Files.move(aside, file);
        rescan();
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/builds/" + id).jsonPath().getString("state"))
                .isEqualTo("present");
    }

    @Test
    @Order(6)
    void cursorPagesWalkEveryBuildOnceInAStableOrder() {
        List<Long> seen = new java.util.ArrayList<>();
        Long cursor = null;
        do {
            var request = given().auth().oauth2(Tokens.bot()).queryParam("limit", 2);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/builds");
            seen.addAll(page.jsonPath().getList("builds.id", Long.class));
            cursor = page.jsonPath().getObject("nextCursor", Long.class);
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates().isSortedAccordingTo(java.util.Comparator.reverseOrder());
        Response all = given().auth().oauth2(Tokens.bot()).queryParam("limit", 500).get("/api/builds");
        assertThat(seen).containsExactlyElementsOf(all.jsonPath().getList("builds.id", Long.class));
        assertThat(given().auth().oauth2(Tokens.bot()).queryParam("q", "count past").get("/api/builds")
                .jsonPath().getList("builds.nevra", String.class)).containsExactly("flingerator-1.10.0-1.noarch");
        given().auth().oauth2(Tokens.bot()).queryParam("limit", 0).get("/api/builds").then().statusCode(400);
        given().auth().oauth2(Tokens.bot()).queryParam("q", "count\u0007past").get("/api/builds").then().statusCode(400)
                .contentType(org.hamcrest.Matchers.containsString("application/problem+json"))
                .body("type", org.hamcrest.Matchers.containsString("invalid-query"));
        given().auth().oauth2(Tokens.bot()).queryParam("package", "x".repeat(201)).get("/api/builds").then().statusCode(400);
        given().auth().oauth2(Tokens.user("carol")).queryParam("q", "count\u0007past").get("/builds").then().statusCode(400);
    }

    @Test
    @Order(7)
    void sharedAnswersFollowEveryChangeToTheDatabaseAndAnswer304ToTheirOwnTag() throws Exception {
        Response first = given().auth().oauth2(Tokens.user("carol")).queryParam("limit", 500).get("/api/builds");
        String tag = first.header("ETag");
        assertThat(tag).as("the answer carries a tag").isNotBlank();
        given().auth().oauth2(Tokens.bot()).queryParam("limit", 500).header("If-None-Match", tag).get("/api/builds")
                .then().statusCode(304);
        assertThat(given().auth().oauth2(Tokens.bot()).queryParam("limit", 500).queryParam("q", "null").get("/api/builds")
                .jsonPath().getList("builds")).as("a search for the text 'null' is not the unfiltered list").isEmpty();
        Map<String, Object> target = build("flingerator-1.10.0-1.noarch");
        long id = ((Number) target.get("id")).longValue();

        // Written behind the application's back, as another replica or a person in psql would.
        sql("UPDATE build SET summary = 'edited in psql' WHERE id = " + id);
        Response edited = given().auth().oauth2(Tokens.user("carol")).queryParam("limit", 500).get("/api/builds");
        assertThat(edited.header("ETag")).isNotEqualTo(tag);
        assertThat(build("flingerator-1.10.0-1.noarch").get("summary")).isEqualTo("edited in psql");
        given().auth().oauth2(Tokens.bot()).queryParam("limit", 500).header("If-None-Match", tag).get("/api/builds")
                .then().statusCode(200);

        sql("INSERT INTO promotion (build_id, environment_id, package, state, reason, requested_by, applied_at) "
                + "SELECT " + id + ", id, 'flingerator', 'applied', 'cache test', 'carol', now() FROM environment WHERE name = 'staging'");
        try {
            assertThat(build("flingerator-1.10.0-1.noarch").get("liveIn")).isEqualTo(List.of("staging"));
        } finally {
            sql("DELETE FROM promotion WHERE reason = 'cache test'");
            sql("UPDATE build SET summary = '" + target.get("summary") + "' WHERE id = " + id);
        }
        assertThat(build("flingerator-1.10.0-1.noarch").get("liveIn")).isEqualTo(List.of());
        assertThat(build("flingerator-1.10.0-1.noarch").get("summary")).isEqualTo(target.get("summary"));

        String packages = given().auth().oauth2(Tokens.user("carol")).get("/api/packages").header("ETag");
        rescan();
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/packages").header("ETag"))
                .as("a scan that changed nothing leaves the version alone").isEqualTo(packages);
    }

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource dataSource;

    void sql(String statement) throws java.sql.SQLException {
        try (var connection = dataSource.getConnection(); var s = connection.createStatement()) {
            s.executeUpdate(statement);
        }
    }

    static Response rescan() {
        Response response = given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan");
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(200);
        assertThat(response.jsonPath().getBoolean("ran")).as(response.asString()).isTrue();
        return response;
    }

    static Map<String, Object> build(String nevra) {
        List<Map<String, Object>> builds = given().auth().oauth2(Tokens.user("carol")).queryParam("limit", 500)
                .get("/api/builds").jsonPath().getList("builds");
        return builds.stream().filter(b -> nevra.equals(b.get("nevra"))).findFirst().orElse(null);
    }

    static Map<String, String> rejected() {
        List<Map<String, Object>> rows = given().auth().oauth2(Tokens.user("carol")).get("/api/builds/rejected")
                .jsonPath().getList("");
        Map<String, String> reasons = new java.util.HashMap<>();
        rows.forEach(r -> reasons.put((String) r.get("fileName"), (String) r.get("reason")));
        return reasons;
    }
}
