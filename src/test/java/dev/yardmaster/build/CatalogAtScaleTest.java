package dev.yardmaster.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.yardmaster.testing.Rpms;
import dev.yardmaster.testing.SchemaOwner;
import dev.yardmaster.testing.Tokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The catalog at the sizes of issue 20: tens of thousands of files that are not RPMs, 100,000
 * catalog rows, and more builds vanishing in one scan than an IN list can hold (32,768). Only
 * correctness is asserted; bench/catalog.sh measures the times.
 */
@QuarkusTest
@TestProfile(CatalogAtScaleTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CatalogAtScaleTest {

    /** An empty build/ of its own, so the other catalog tests' builds do not mix in. */
    public static class Profile implements QuarkusTestProfile {
        static final Path ROOT = Path.of("target", "catalog-scale", UUID.randomUUID().toString()).toAbsolutePath();

        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(ROOT.resolve("build"));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return Map.of("yardmaster.repo.path", ROOT.toString(), "yardmaster.catalog.scan-interval", "off",
                    "yardmaster.catalog.watch", "false", "yardmaster.catalog.settle-time", "1s");
        }
    }

    static final Path BUILD = Profile.ROOT.resolve("build");
    /** Files that are not RPMs: JUNK named *.rpm (rejected, each with its reason), the rest not. */
    static final int JUNK = 50_000;
    static final int OTHER = 20_000;
    static final int ROWS = 100_000;
    static final int PACKAGES = 1_000;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    BuildCatalog catalog;

    @Test
    @Order(1)
    void seventyThousandFilesThatAreNotRpmsAreRejectedAndFortyThousandOfThemLeaveInOneScan() throws Exception {
        for (int i = 0; i < JUNK; i++) {
            Files.writeString(BUILD.resolve("junk-" + i + "-1.0-1.noarch.rpm"), "not an rpm " + i);
        }
        for (int i = 0; i < OTHER; i++) {
            Files.writeString(BUILD.resolve("notes-" + i + ".txt"), "not an rpm, not even by name");
        }
        Rpms.settle(BUILD);

        BuildCatalog.ScanResult first = scan();
        assertThat(first.rejected()).isEqualTo(JUNK);
        assertThat(count("SELECT count(*) FROM rejected_file WHERE reason LIKE 'not a readable RPM%'")).isEqualTo(JUNK);

        // The list is paged by name; the Link header leads on, and the next page starts after the last name.
        Response page = given().auth().oauth2(Tokens.user("carol")).queryParam("limit", 1000).get("/api/builds/rejected");
        List<String> names = page.jsonPath().getList("fileName", String.class);
        assertThat(names).hasSize(1000).isSorted();
        String next = nextLink(page);
        assertThat(next).contains("after=" + names.get(999));
        List<String> second = given().auth().oauth2(Tokens.user("carol")).get(next).jsonPath().getList("fileName", String.class);
        assertThat(second).hasSize(1000).isSorted();
        assertThat(second.get(0)).isGreaterThan(names.get(999));

        // Nothing changed: the same files are rejected without a row being rewritten.
        long stamp = count("SELECT (extract(epoch FROM max(last_seen_at)) * 1000000)::bigint FROM rejected_file");
        BuildCatalog.ScanResult again = scan();
        assertThat(again.rejected()).isEqualTo(JUNK);
        assertThat(again.indexed()).isZero();
        assertThat(count("SELECT (extract(epoch FROM max(last_seen_at)) * 1000000)::bigint FROM rejected_file"))
                .isEqualTo(stamp);

        for (int i = 0; i < 40_000; i++) {
            Files.delete(BUILD.resolve("junk-" + i + "-1.0-1.noarch.rpm"));
        }
        BuildCatalog.ScanResult after = scan();
        assertThat(after.rejected()).isEqualTo(JUNK - 40_000);
        assertThat(count("SELECT count(*) FROM rejected_file")).isEqualTo(JUNK - 40_000);
        assertThat(count("SELECT count(*) FROM rejected_file WHERE file_name = 'junk-39999-1.0-1.noarch.rpm'")).isZero();
        assertThat(count("SELECT count(*) FROM rejected_file WHERE file_name = 'junk-40000-1.0-1.noarch.rpm'")).isOne();

        try (var files = Files.list(BUILD)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        assertThat(scan().rejected()).isZero();
        assertThat(count("SELECT count(*) FROM rejected_file")).isZero();
    }

    @Test
    @Order(2)
    void aHundredThousandRowsAnswerPackagesSearchAndPagesAndAllVanishInOneScan() throws Exception {
        // Package genK has 100 builds, 1.1 to 1.100: the newest by rpm order (1.100) is neither
        // the newest id nor the greatest string.
        sql("INSERT INTO build (file_name, package, version, release, arch, nevra, file_size, file_mtime, commit_message, "
                + "commit_author) SELECT format('gen%s-1.%s-1.noarch.rpm', g % " + PACKAGES + ", g / " + PACKAGES + " + 1), "
                + "'gen' || (g % " + PACKAGES + "), '1.' || (100 - g / " + PACKAGES + "), '1', 'noarch', "
                + "format('gen%s-1.%s-1.noarch', g % " + PACKAGES + ", 100 - g / " + PACKAGES + "), 1000, now(), "
                + "'change number ' || g, CASE WHEN g = 4242 THEN 'zq' ELSE 'ab' END "
                + "FROM generate_series(0, " + (ROWS - 1) + ") g");
        QuarkusTransaction.requiringNew().run(CatalogTable::fillSortKeys);
        assertThat(count("SELECT count(*) FROM build WHERE evr_key = '\\x'")).isZero();

        // Every package once, by name, over pages linked by the Link header; counts and newest
        // versions from package_summary.
        List<Map<String, Object>> packages = new ArrayList<>();
        String url = "/api/packages?limit=300";
        while (url != null) {
            Response page = given().auth().oauth2(Tokens.bot()).get(url);
            assertThat(page.statusCode()).isEqualTo(200);
            packages.addAll(page.jsonPath().getList(""));
            url = nextLink(page);
        }
        assertThat(packages).hasSize(PACKAGES);
        assertThat(packages.stream().map(p -> (String) p.get("name")).toList()).isSorted().doesNotHaveDuplicates();
        assertThat(packages).allSatisfy(p -> {
            assertThat(((Number) p.get("builds")).intValue()).isEqualTo(ROWS / PACKAGES);
            assertThat(p.get("latest")).isEqualTo("1.100-1");
        });

        // Search: a substring of the commit line, and exact initials, served by V95's indexes.
        assertThat(given().auth().oauth2(Tokens.bot()).queryParam("q", "change number 99999").get("/api/builds")
                .jsonPath().getList("builds.nevra", String.class)).containsExactly("gen999-1.1-1.noarch");
        assertThat(given().auth().oauth2(Tokens.bot()).queryParam("q", "ZQ").get("/api/builds")
                .jsonPath().getList("builds.nevra", String.class)).containsExactly("gen242-1.96-1.noarch");
        String plan = explain("SELECT id FROM build WHERE state = 'present' AND (lower(file_name) LIKE '%number 99999%' "
                + "OR lower(commit_message) LIKE '%number 99999%' OR lower(commit_author) = 'number 99999' "
                + "OR lower(commit_reviewer) = 'number 99999') ORDER BY id DESC LIMIT 51");
        assertThat(plan).contains("build_commit_message_trgm").contains("build_file_name_trgm");

        // The page, by version within a package: 50 rows, highest first, and a cursor to the rest.
        String html = given().auth().oauth2(Tokens.user("carol")).queryParam("package", "gen7").queryParam("sort", "version")
                .get("/builds").then().statusCode(200).extract().asString();
        List<String> versions = versions(html);
        assertThat(versions).hasSize(BuildPages.PAGE_SIZE).startsWith("1.100-1", "1.99-1", "1.98-1");
        Matcher next = Pattern.compile("href=\"(/builds\\?[^\"]*after=[0-9]+)\"").matcher(html);
        assertThat(next.find()).as("a link to the next page").isTrue();
        List<String> rest = versions(given().auth().oauth2(Tokens.user("carol")).get(next.group(1).replace("&amp;", "&"))
                .then().statusCode(200).extract().asString());
        assertThat(rest).hasSize(BuildPages.PAGE_SIZE).startsWith("1.50-1").endsWith("1.1-1");

        // None of the 100,000 files is in build/: one scan marks them all missing in one statement.
        BuildCatalog.ScanResult scan = scan();
        assertThat(scan.missing()).isEqualTo(ROWS);
        assertThat(count("SELECT count(*) FROM build WHERE state = 'missing'")).isEqualTo(ROWS);
        assertThat(count("SELECT count(*) FROM package_summary")).isZero();
        assertThat(given().auth().oauth2(Tokens.bot()).get("/api/packages").jsonPath().getList("")).isEmpty();
        assertThat(given().auth().oauth2(Tokens.bot()).get("/api/builds").jsonPath().getList("builds")).isEmpty();
        assertThat(scan().missing()).as("an unchanged directory").isZero();
    }

    /**
     * A scan, awaited here rather than through POST /api/builds/rescan: on a machine shared by
     * several suites, 100,000 rows changing state outlast the HTTP client's read timeout.
     */
    private BuildCatalog.ScanResult scan() {
        BuildCatalog.ScanResult result = catalog.scanNow(java.time.Duration.ofMinutes(10));
        assertThat(result.ran()).as(String.valueOf(result.error())).isTrue();
        return result;
    }

    private static List<String> versions(String html) {
        List<String> versions = new ArrayList<>();
        Matcher m = Pattern.compile("<strong>gen7</strong> <code>([^<]+)</code>").matcher(html);
        while (m.find()) {
            versions.add(m.group(1));
        }
        return versions;
    }

    private static String nextLink(Response page) {
        String link = page.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"").matcher(link);
        return m.find() ? m.group(1) : null;
    }

    private long count(String query) throws SQLException {
        try (var connection = dataSource.getConnection(); var s = connection.createStatement(); var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String explain(String query) throws SQLException {
        StringBuilder plan = new StringBuilder();
        // ANALYZE needs the table's owner: as the console's runtime role PostgreSQL only warns and
        // skips it, and the planner keeps the statistics from before the rows were inserted.
        try (var owner = SchemaOwner.connect(); var s = owner.createStatement()) {
            s.execute("ANALYZE build");
        }
        try (var connection = dataSource.getConnection(); var s = connection.createStatement()) {
            try (var rs = s.executeQuery("EXPLAIN " + query)) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }

    private void sql(String statement) throws SQLException {
        try (var connection = dataSource.getConnection(); var s = connection.createStatement()) {
            s.executeUpdate(statement);
        }
    }
}
