package dev.yardmaster.promotion;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The promotion pages in Chromium as people use them: promote from a build, see it live on the
 * environment page, roll it back, and approve a prod request from the inbox. Uses the package
 * quayside only.
 */
@QuarkusTest
@TestProfile(PromotionRepoProfile.class)
class PromotionBrowserTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @BeforeEach
    void indexed() {
        given().auth().oauth2(Tokens.user("alice")).post("/api/builds/rescan").then().statusCode(200);
    }

    @Test
    void aDeployerPromotesFromTheBuildPageThenRollsBack() throws Exception {
        Page page = browser.login(base + "builds/" + PromotionTest.buildId("quayside-1.0.0-1.noarch") + "/promote", "alice");
        page.waitForSelector("form.stack-form");
        page.check("input[name=environment][value=review]");
        page.fill("textarea[name=reason]", "first quayside build");
        browser.screenshot("promotion-form");
        page.click("form.stack-form button[type=submit]");
        page.waitForSelector(".flash");
        assertThat(page.textContent(".flash")).contains("quayside-1.0.0-1.noarch is live in review");
        assertThat(page.url()).endsWith("/environments/review");

        page.navigate(base + "builds/" + PromotionTest.buildId("quayside-1.1.0-1.noarch") + "/promote");
        page.check("input[name=environment][value=review]");
        page.fill("textarea[name=reason]", "second quayside build");
        page.click("form.stack-form button[type=submit]");
        page.waitForSelector(".flash");
        assertThat(page.locator("[data-package=quayside] tr.is-live code").textContent()).isEqualTo("quayside-1.1.0-1.noarch");
        assertThat(page.locator("[data-package=quayside] tbody tr").count()).isEqualTo(2);
        browser.screenshot("promotion-environment");

        page.onDialog(dialog -> dialog.accept());
        page.fill("[data-package=quayside] input[name=reason]", "1.1.0 breaks login");
        page.click("[data-package=quayside] button:has-text('Roll back')");
        page.waitForSelector(".flash:has-text('back at')");
        assertThat(page.textContent(".flash")).contains("quayside is back at quayside-1.0.0-1.noarch in review");
        assertThat(page.locator("[data-package=quayside] tr.is-live code").textContent()).isEqualTo("quayside-1.0.0-1.noarch");
        assertThat(EnvironmentRepoTest.dnfRepoquery(PromotionRepoProfile.ROOT.resolve("review"), "quayside"))
                .isEqualTo("quayside-1.0.0-1.noarch");
    }

    @Test
    void aSecondReleaseManagerApprovesFromTheInbox() throws Exception {
        Response requested = given().auth().oauth2(Tokens.user("dave")).contentType("application/json")
                .body(Map.of("package", "quayside", "version", "1.1.0", "environment", "prod", "reason", "quayside to prod",
                        "force", true))
                .post("/api/promotions");
        assertThat(requested.statusCode()).as(requested.asString()).isEqualTo(202);
        long id = requested.jsonPath().getLong("id");

        Page page = browser.login(base + "promotions/approvals", "bob");
        page.waitForSelector("[data-promotion='" + id + "']");
        assertThat(page.textContent("[data-promotion='" + id + "']")).contains("Requested by dave").contains("quayside to prod");
        browser.screenshot("promotion-approvals");
        page.fill("[data-promotion='" + id + "'] input[name=note]", "looks good");
        page.click("[data-promotion='" + id + "'] button:has-text('Approve')");
        page.waitForSelector(".flash");
        assertThat(given().auth().oauth2(Tokens.user("carol")).get("/api/promotions/" + id).jsonPath().getString("state"))
                .isEqualTo("applied");
        assertThat(EnvironmentRepoTest.dnfRepoquery(PromotionRepoProfile.ROOT.resolve("prod"), "quayside"))
                .isEqualTo("quayside-1.1.0-1.noarch");

        page.navigate(base.toString());
        page.waitForSelector("body");
        assertThat(page.textContent("main")).contains("quayside");
        browser.screenshot("promotion-dashboard");
    }
}
