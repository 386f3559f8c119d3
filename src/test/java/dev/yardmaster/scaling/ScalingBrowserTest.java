package dev.yardmaster.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The scaling pages in Chromium, against groups discovered from the fake AWS endpoint. */
@QuarkusTest
class ScalingBrowserTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    ScalingFixture aws;

    @BeforeEach
    void seed() {
        aws = ScalingFixture.standard();
    }

    @Test
    void spotAndBackupAreShownSideBySideWithTheirInstances() throws Exception {
        Page page = browser.login(base + "scaling", "alice");
        page.waitForSelector("[data-env=review]");
        assertThat(page.locator("[data-env=review] [data-node-type=worker] .group-card .group-name").allTextContents())
                .containsExactly("review-worker-spot", "review-worker-backup");
        assertThat(page.locator("[data-env=review] [data-node-type=worker] .group-pair").getAttribute("class")).contains("is-paired");
        assertThat(page.locator("[data-env=review] [data-node-type=worker] tbody tr").count()).isEqualTo(3);
        assertThat(page.locator("[data-env=review] [data-group=review-worker-spot] .desired dd").textContent()).isEqualTo("3");
        assertThat(page.locator("[data-env=staging] [data-group=staging-api] .kind-badge").textContent()).isEqualTo("on-demand");
        assertThat(page.textContent("[data-discovery]")).contains("5 groups").contains("9 instances");
        // alice is a deployer: no capacity forms on prod.
        assertThat(page.locator("[data-env=prod] .capacity-form").count()).isZero();
        assertThat(page.locator("[data-env=review] .capacity-form").count()).isEqualTo(2);
        assertThat(Files.size(browser.screenshot("scaling-overview"))).isGreaterThan(20_000);
    }

    @Test
    void growingAGroupAsksForConfirmationThenShowsTheAwsActivity() {
        Page page = browser.login(base + "scaling", "alice");
        page.fill("[data-group=review-worker-spot] input[name=desired]", "5");
        page.click("[data-group=review-worker-spot] .capacity-form button");
        page.waitForSelector("[data-confirmation=capacity]");
        assertThat(page.textContent("h1")).isEqualTo("Set review-worker-spot to 5 instances?");
        assertThat(page.textContent("[data-confirmation]")).contains("3 → 5").contains("AWS launches 2 instance(s)");
        browser.screenshot("scaling-confirm");
        assertThat(aws.fake.groupNamed("review-worker-spot").desired).as("nothing changes before confirming").isEqualTo(3);

        page.click("text=Confirm");
        page.waitForSelector(".flash");
        assertThat(page.textContent(".flash")).contains("review-worker-spot: desired capacity 3 → 5")
                .contains("Launching a new EC2 instance: i-");
        assertThat(page.locator("[data-env=review] [data-node-type=worker] tbody tr").count()).isEqualTo(5);
        assertThat(aws.fake.groupNamed("review-worker-spot").desired).isEqualTo(5);
    }

    @Test
    void shiftingToTheBackupIsConfirmedAndDone() {
        Page page = browser.login(base + "scaling", "alice");
        page.fill("[data-group=review-worker-spot] .shift-form input[name=count]", "2");
        page.click("[data-group=review-worker-spot] .shift-form button");
        page.waitForSelector("[data-confirmation=shift]");
        assertThat(page.textContent("h1")).isEqualTo("Shift 2 instances to the on-demand backup?");
        browser.screenshot("scaling-confirm-shift");
        page.click("text=Confirm");
        page.waitForSelector(".flash");
        assertThat(page.textContent(".flash")).contains("Shifted 2 from review-worker-spot (3 → 1) to review-worker-backup (0 → 2)");
        assertThat(page.locator("[data-group=review-worker-backup] .desired dd").textContent()).isEqualTo("2");
        assertThat(page.locator("[data-env=review] tbody .market-on-demand").count()).isEqualTo(2);
    }

    @Test
    void anOutOfRangeChangeIsExplainedAndCannotBeConfirmed() {
        Page page = browser.login(base + "scaling", "alice");
        page.navigate(base + "scaling/groups/review-worker-spot/capacity?desired=11");
        assertThat(page.textContent("[role=alert]")).contains("from 0 to 10; 11 is outside");
        assertThat(page.locator("text=Confirm").count()).isZero();
    }

    @Test
    void aViewerSeesGroupsButNoForms() {
        Page page = browser.login(base + "scaling", "carol");
        page.waitForSelector("[data-env=review]");
        assertThat(page.locator(".capacity-form").count()).isZero();
        assertThat(page.locator("form[action='/scaling/discover']").count()).isZero();
    }

    @Test
    void firstBootShowsTheUserDataAndCreatesALaunchTemplateVersion() {
        Page page = browser.login(base + "scaling", "alice");
        page.click("[data-env=review] [data-node-type=worker] >> text=First boot");
        page.waitForSelector("[data-user-data]");
        assertThat(page.textContent("[data-user-data]")).contains("YARDMASTER_ENVIRONMENT=review")
                .contains("YARDMASTER_NODE_TYPE=worker").contains("baseurl=http://repo.test.internal/review");
        assertThat(page.locator("[data-template] .badge-danger").count()).isEqualTo(2);
        browser.screenshot("scaling-first-boot");
        page.onceDialog(dialog -> dialog.accept());
        page.click("text=Create launch template version");
        page.waitForSelector(".flash");
        assertThat(page.textContent(".flash")).contains("review-worker v2").contains("now the default version");
        assertThat(page.locator("[data-template] .badge-ok").count()).isEqualTo(2);
        assertThat(aws.fake.template(aws.reviewTemplate).defaultVersion).isEqualTo(2);
    }
}
