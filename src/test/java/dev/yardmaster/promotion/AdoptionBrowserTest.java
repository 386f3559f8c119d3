package dev.yardmaster.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The first screen after adopting a repo server, in Chromium: live builds in every environment
 * (with the builds also served), then a hand change shows as a banner on the environments and
 * drift pages until a deployer acknowledges it.
 */
@QuarkusTest
@TestProfile(AdoptionRepoProfile.class)
class AdoptionBrowserTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Test
    void theEnvironmentsPageShowsAdoptedBuildsEverywhereAndABannerForAHandChange() {
        RepoAdoptionTest.rescan();
        Page page = browser.login(base + "environments", "alice");
        for (String env : List.of("review", "staging", "prod")) {
            assertThat(page.locator("li.env-card[data-env=" + env + "] .live-list li code").count())
                    .as("live builds in " + env).isGreaterThanOrEqualTo(2);
        }
        assertThat(page.textContent("li.env-card[data-env=review] [data-package=gnip-worker]"))
                .contains("gnip-worker-2.1.1-1.noarch").contains("also served").contains("gnip-worker-2.1.0-1.noarch");
        assertThat(page.locator(".repo-change").count()).isZero();

        AdoptionRepo.byHand(AdoptionRepoProfile.ROOT, "staging", "createrepo_c --quiet --update .");
        RepoAdoptionTest.awaitChange("staging");
        page.navigate(base + "environments");
        page.waitForSelector(".repo-change[data-env=staging]");
        assertThat(page.textContent(".repo-change[data-env=staging]")).contains("staging/ was changed outside Yardmaster")
                .contains("metadata refreshed");
        browser.screenshot("adoption-environments");

        page.navigate(base + "drift");
        page.waitForSelector(".repo-change[data-env=staging]");

        page.click(".repo-change[data-env=staging] button:has-text('Acknowledge')");
        page.waitForSelector(".flash");
        assertThat(page.textContent(".flash")).contains("Acknowledged the change to staging/");
        assertThat(page.url()).endsWith("/drift");
        assertThat(page.locator(".repo-change").count()).isZero();
        assertThat(RepoAdoptionTest.openChanges("staging")).isEmpty();
    }
}
