package dev.yardmaster.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.TestTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Builds pages as a deployer sees them, over the real RPMs of {@link CatalogRepoProfile}. */
@QuarkusTest
@TestProfile(CatalogRepoProfile.class)
class BuildBrowserTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void scanned() throws Exception {
        Path bad = CatalogRepoProfile.BUILD.resolve("README-1.0-1.noarch.rpm");
        if (!Files.exists(bad)) {
            Files.writeString(bad, "CI wrote a text file with an .rpm name\n");
            Files.setLastModifiedTime(bad, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        }
        BuildCatalogTest.rescan();
    }

    @Test
    void theBuildsPageFiltersSortsAndFlagsUnreviewedBuilds() throws Exception {
        Page page = browser.login(base + "builds", "alice");
        page.waitForSelector("table.builds-table");
        assertThat(page.locator("tr:has-text('gnip-worker') .badge-danger").first().textContent()).isEqualTo("unreviewed");
        assertThat(page.locator("tr:has-text('1.10.0-1')").textContent()).contains("ab").contains("cd")
                .contains("teach it to count past nine").doesNotContain("unreviewed");
        assertThat(page.textContent("section.rejected")).contains("README-1.0-1.noarch.rpm").contains("not a readable RPM");

        page.selectOption("select[name=package]", "flingerator");
        page.selectOption("select[name=sort]", "version");
        page.click("form.toolbar button[type=submit]:has-text('Show')");
        page.waitForURL("**/builds?package=flingerator*");
        List<String> versions = page.locator("table.builds-table tbody tr td:first-child code").allTextContents();
        assertThat(versions).first().isEqualTo("1.10.0-1");
        assertThat(versions).allMatch(v -> !v.isEmpty()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(page.textContent("table.builds-table")).doesNotContain("gnip-worker");
        assertThat(Files.size(browser.screenshot("builds-list"))).isGreaterThan(20_000);

        page.fill("input[name=q]", "count past");
        page.click("form.toolbar button[type=submit]:has-text('Show')");
        page.waitForURL("**q=count+past*");
        assertThat(page.locator("table.builds-table tbody tr").count()).isEqualTo(1);

        page.click("button:has-text('Rescan build/')");
        page.waitForSelector(".flash");
    }

    @Test
    void theDetailPageShowsEveryHeaderField() throws Exception {
        long id = ((Number) BuildCatalogTest.build("flingerator-1.10.0-1.noarch").get("id")).longValue();
        Page page = browser.login(base + "builds/" + id, "carol");
        assertThat(page.textContent("h1")).isEqualTo("flingerator-1.10.0-1.noarch");
        String facts = page.textContent("dl.facts");
        assertThat(facts).contains("1.10.0-1").contains("noarch").contains("Test package flingerator")
                .contains("Apache-2.0").contains("flingerator-1.10.0-1.src.rpm").contains("teach it to count past nine")
                .contains("flingerator-1.10.0-1.noarch.rpm");
        String sha = given().auth().oauth2(Tokens.user("carol")).get("/api/builds/" + id).jsonPath().getString("sha256");
        assertThat(page.textContent("code.hash")).isEqualTo(sha).hasSize(64);
        assertThat(page.locator("a:has-text('Promote')").count()).as("carol is a viewer").isZero();
        assertThat(Files.size(browser.screenshot("build-detail"))).isGreaterThan(20_000);
    }

    @Inject
    BuildCatalog catalog;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void requestsDuringAScanAllShareTheOneScanThatFollowsIt() throws Exception {
        CompletableFuture<BuildCatalog.ScanResult> running;
        List<CompletableFuture<BuildCatalog.ScanResult>> waiting = new java.util.ArrayList<>();
        // Hold the build table so the first scan cannot finish while the others ask.
        try (Connection hold = dataSource.getConnection()) {
            hold.setAutoCommit(false);
            hold.createStatement().execute("LOCK TABLE build IN ACCESS EXCLUSIVE MODE");
            running = catalog.requestScan();
            for (int i = 0; i < 8; i++) {
                waiting.add(CompletableFuture.supplyAsync(catalog::requestScan).join());
            }
            assertThat(running).isNotDone();
            hold.rollback();
        }
        assertThat(waiting).allMatch(f -> f == waiting.get(0)).noneMatch(f -> f == running);
        assertThat(running.get(60, TimeUnit.SECONDS).ran()).isTrue();
        assertThat(waiting.get(0).get(60, TimeUnit.SECONDS).ran()).as("one follow-up scan for all eight").isTrue();
    }

    @Test
    @TestTransaction
    void latestOfFollowsRpmVersionOrderNotFileOrder() {
        assertThat(Build.latestOf("flingerator")).get().extracting(b -> b.version).isEqualTo("1.10.0");
        assertThat(Build.latestOf("no-such-package")).isEmpty();
        assertThat(Build.packages()).contains("flingerator", "gnip-worker");
    }
}
