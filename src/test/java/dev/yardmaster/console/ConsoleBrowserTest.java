package dev.yardmaster.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.LoadState;
import dev.yardmaster.rollout.RollFleet;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.fleet.Fault;
import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console as a release engineer uses it every day, in Chromium at a desktop (1440×900) and
 * a phone (390×844): every page fits the screen, times and counts read the same everywhere.
 * Runs over the 20-host loopback fleet with one finished roll and one prod request waiting. Also
 * triage on the roll page: the failed and unreachable hosts listed worst first with the step and
 * the last error line, filtered by state, followed live; the host log wrapped and streamed; a
 * plan form that keeps its input and names every wrong field; a re-sent form that says which
 * roll it already started; a 2,000-host roll page measured (in this class, not a new one: each
 * class over the fleet is one more Quarkus start in the suite).
 */
@QuarkusTest
@QuarkusTestResource(value = RollFleet.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final String ALICE = Tokens.user("alice");
    static final int[][] VIEWPORTS = { { 1440, 900 }, { 390, 844 } };

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Inject
    EntityManager em;

    static long rollId;
    static long auditId;

    /** One finished roll over the fleet and a prod promotion waiting for approval, made once. */
    @BeforeEach
    void fleetWithHistory() {
        if (rollId != 0) {
            return;
        }
        Map<String, Object> plan = new HashMap<>(Map.of("package", "flingerator", "environment", "staging", "target", "1.2.0-1",
                "canary", 0, "batchSize", "10", "parallelism", 5));
        rollId = given().auth().oauth2(ALICE).contentType("application/json").body(plan).post("/api/rolls")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(300)).until(() -> List.of("SUCCEEDED", "FAILED")
                .contains(given().auth().oauth2(ALICE).get("/api/rolls/" + rollId).jsonPath().getString("status")));
        QuarkusTransaction.requiringNew().run(() -> {
            for (String evr : List.of("1.2.0-1", "1.3.0-1")) {
                em.createNativeQuery("""
                        insert into build (file_name, package, version, release, arch, nevra, file_size, file_mtime)
                        values (?1, 'flingerator', ?2, ?3, 'noarch', ?4, 1, now()) on conflict (file_name) do nothing""")
                        .setParameter(1, "flingerator-" + evr + ".noarch.rpm").setParameter(2, evr.split("-")[0])
                        .setParameter(3, evr.split("-")[1]).setParameter(4, "flingerator-" + evr + ".noarch").executeUpdate();
            }
            em.createNativeQuery("""
                    insert into promotion (build_id, environment_id, package, state, reason, requested_by, applied_at)
                    select b.id, e.id, 'flingerator', 'applied', 'console test', 'bob', now()
                    from build b, environment e where b.file_name = 'flingerator-1.2.0-1.noarch.rpm' and e.name = 'staging'""")
                    .executeUpdate();
            em.createNativeQuery("""
                    insert into promotion (build_id, environment_id, package, state, reason, requested_by, applied_at)
                    select b.id, e.id, 'flingerator', 'applied', 'console test', 'dave', now()
                    from build b, environment e where b.file_name = 'flingerator-1.2.0-1.noarch.rpm' and e.name = 'prod'""")
                    .executeUpdate();
            em.createNativeQuery("""
                    insert into promotion (build_id, environment_id, package, state, reason, requested_by, expires_at)
                    select b.id, e.id, 'flingerator', 'requested', 'flingerator 1.3 to prod', 'bob', now() + interval '1 day'
                    from build b, environment e where b.file_name = 'flingerator-1.3.0-1.noarch.rpm' and e.name = 'prod'""")
                    .executeUpdate();
        });
        // Two prod hosts, never reached by these tests: prod previews need them; one is removed on the way.
        for (int i = 1; i <= 2; i++) {
            given().auth().oauth2(Tokens.user("bob")).contentType("application/json")
                    .body(Map.of("name", "prod-web-" + i, "address", "127.0.1." + (249 + i), "environment", "prod", "nodeType", "web",
                            "packages", List.of("flingerator"), "services", List.of("flingerator")))
                    .post("/api/hosts").then().statusCode(201);
        }
        auditId = ((Number) QuarkusTransaction.requiringNew()
                .call(() -> em.createNativeQuery("select max(id) from audit_event").getSingleResult())).longValue();
    }

    List<String> pages() {
        return List.of("", "environments", "environments/staging", "environments/prod", "promotions/approvals", "rolls",
                "rolls/" + rollId, "drift", "fleet", "audit", "audit/" + auditId, "audit/verify", "builds", "scaling");
    }

    static String size(int[] viewport) {
        return viewport[0] + "x" + viewport[1];
    }

    @Test
    @Order(1)
    void everyPageFitsThePhoneAndTheDesktopWithoutWideningThePage() {
        Page page = browser.login(base.toString(), "alice");
        List<String> tooWide = new ArrayList<>();
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            for (String path : pages()) {
                page.navigate(base + path);
                page.waitForLoadState();
                int scrollWidth = ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue();
                if (scrollWidth > viewport[0]) {
                    tooWide.add("/" + path + " at " + size(viewport) + ": " + scrollWidth + " px");
                }
                // The navigation has a line of its own on a phone, never squeezed beside the brand.
                double navWidth = ((Number) page.evaluate("() => document.querySelector('.mainnav').getBoundingClientRect().width"))
                        .doubleValue();
                assertThat(navWidth).as("nav width on /" + path + " at " + size(viewport)).isGreaterThan(300);
            }
            page.navigate(base + "rolls");
            browser.screenshot("console-rolls-" + size(viewport));
            page.navigate(base + "audit");
            browser.screenshot("console-audit-" + size(viewport));
            page.navigate(base + "drift");
            browser.screenshot("console-drift-" + size(viewport));
        }
        assertThat(tooWide).isEmpty();
    }

    @Test
    @Order(2)
    void timesReadAbsoluteWithTheirZoneAndThePickedZoneIsRemembered() {
        Page page = browser.login(base + "rolls", "alice");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            for (String path : List.of("rolls", "drift", "audit", "environments/staging", "promotions/approvals")) {
                page.navigate(base + path);
                String main = page.textContent("main");
                // No raw timestamps with fractions of a second or a bare offset, anywhere.
                assertThat(main).as("/" + path).doesNotContainPattern("\\d\\d:\\d\\d:\\d\\d\\.\\d+")
                        .doesNotContainPattern("T\\d\\d:\\d\\d");
                for (String text : page.locator("main time").allTextContents()) {
                    assertThat(text).as("a time on /" + path).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\S+");
                }
            }
        }
        page.navigate(base + "rolls");
        page.selectOption("#time-zone", "Asia/Tokyo");
        String first = page.locator("#rolls time").first().textContent();
        assertThat(first).endsWith("GMT+9");
        assertThat(page.locator("#rolls time").first().getAttribute("title")).matches(".*(ago|now)");
        page.reload();
        assertThat(page.locator("#rolls time").first().textContent()).isEqualTo(first);
        assertThat(page.inputValue("#time-zone")).isEqualTo("Asia/Tokyo");
        browser.screenshot("console-times-tokyo");

        // Counts agree with their nouns; finished rolls are not "live"; no runner ids on the page.
        page.navigate(base + "rolls");
        page.fill("input[name=package]", "flingerator");
        page.selectOption("select[name=environment]", "staging");
        page.fill("input[name=names]", "127.0.1.3");
        page.fill("input[name=canary]", "0");
        page.click("button:has-text('Preview')");
        assertThat(page.textContent(".lead")).startsWith("1 host in 1 batch,");
        assertThat(page.textContent(".batches")).contains("(1 host)");
        page.navigate(base + "rolls/" + rollId);
        page.waitForFunction("() => document.getElementById('roll-status').dataset.status === 'SUCCEEDED'");
        assertThat(page.evaluate("() => getComputedStyle(document.getElementById('roll-live')).display")).isEqualTo("none");
        assertThat(page.textContent("main")).doesNotContain("run by").doesNotContainPattern("vm/\\d+/");
    }

    /** Opens the typed-confirmation dialog from a form's button and checks it guards the word. */
    static void typedDialogGuards(Page page, String button, String word) {
        page.click(button);
        page.waitForSelector("dialog.confirm-dialog[open]");
        assertThat(page.textContent("dialog.confirm-dialog .confirm-word")).isEqualTo(word);
        assertThat(page.isDisabled("dialog.confirm-dialog .confirm-ok")).isTrue();
        page.fill("dialog.confirm-dialog .confirm-input", word.toUpperCase() + "x");
        assertThat(page.isDisabled("dialog.confirm-dialog .confirm-ok")).isTrue();
    }

    @Test
    @Order(5)
    void dangerousActionsWantTheNameTypedAndImpossibleButtonsAreHidden() {
        Page page = browser.login(base + "rolls/" + rollId, "bob");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            // A finished roll offers no controls that can only fail.
            page.navigate(base + "rolls/" + rollId);
            assertThat(page.locator("#roll-controls form:visible").count()).isZero();
            assertThat(page.innerText("#roll-controls")).doesNotContain("Pause").contains("has finished");

            // The requester sees why there is no Approve; the nav counts what waits for a release manager.
            page.navigate(base + "promotions/approvals");
            assertThat(page.locator("button:has-text('Approve')").count()).isZero();
            assertThat(page.textContent(".approval")).contains("You asked for this promotion");
            assertThat(page.textContent("#nav-approvals")).isEqualTo("1");

            // A prod preview is marked as such, and Start wants "prod" typed.
            page.navigate(base + "rolls");
            page.fill("input[name=package]", "flingerator");
            page.selectOption("select[name=environment]", "prod");
            page.fill("input[name=canary]", "0");
            page.click("button:has-text('Preview')");
            assertThat(page.textContent(".prod-banner")).contains("PROD").contains("production hosts");
            typedDialogGuards(page, "button:has-text('Start the roll')", "prod");
            browser.screenshot("console-prod-confirm-" + size(viewport));
            page.click("dialog.confirm-dialog button:has-text('Keep it')");
            assertThat(page.url()).endsWith("/rolls/preview");
            assertThat(page.isVisible("dialog.confirm-dialog")).isFalse();
        }
        page.setViewportSize(1440, 900);

        // Removing a host wants its name; "Keep it" keeps it, the name removes it.
        page.navigate(base + "fleet");
        typedDialogGuards(page, "button[aria-label='Remove prod-web-2']", "prod-web-2");
        page.click("dialog.confirm-dialog button:has-text('Keep it')");
        assertThat(page.locator("button[aria-label='Remove prod-web-2']").count()).isOne();
        page.click("button[aria-label='Remove prod-web-2']");
        page.fill("dialog.confirm-dialog .confirm-input", "prod-web-2");
        page.click("dialog.confirm-dialog .confirm-ok");
        page.waitForSelector(".flash:has-text('Removed prod-web-2')");
        assertThat(page.locator("button[aria-label='Remove prod-web-2']").count()).isZero();

        // Another release manager may decide; rejecting wants the environment's name.
        page.context().clearCookies();
        Page dave = browser.login(base + "promotions/approvals", "dave");
        assertThat(dave.locator("button:has-text('Approve and apply')").count()).isOne();
        typedDialogGuards(dave, "button:has-text('Reject')", "prod");
        dave.click("dialog.confirm-dialog button:has-text('Keep it')");
        assertThat(dave.locator(".approval").count()).isOne();
    }

    @Test
    @Order(4)
    void cancelingARunningRollWantsTheEnvironmentsName() {
        long id = waitingRoll();
        Page page = browser.login(base + "rolls/" + id, "alice");
        page.waitForSelector("#roll-controls[data-status=WAITING]");
        assertThat(page.isVisible("button[data-action=continue]")).isTrue();
        assertThat(page.isVisible("button[data-action=resume]")).isFalse();
        assertThat(page.isVisible("button[data-action=retry]")).isFalse();
        typedDialogGuards(page, "button[data-action=interrupt]", "staging");
        page.click("dialog.confirm-dialog button:has-text('Keep it')");
        assertThat(given().auth().oauth2(ALICE).get("/api/rolls/" + id).jsonPath().getString("status")).isEqualTo("WAITING");
        page.click("button[data-action=cancel]");
        page.fill("dialog.confirm-dialog .confirm-input", "staging");
        page.click("dialog.confirm-dialog .confirm-ok");
        page.waitForSelector(".flash");
        assertThat(given().auth().oauth2(ALICE).get("/api/rolls/" + id).jsonPath().getString("status")).isEqualTo("CANCELED");
        page.waitForSelector("#roll-controls[data-status=CANCELED]");
        // Its hosts were canceled, none failed: "Retry failed" could only be refused (409 nothing-to-retry).
        assertThat(page.isVisible("button[data-action=retry]")).isFalse();
        assertThat(page.innerText("#roll-controls")).contains("has finished");
        assertThat(page.isVisible("button[data-action=cancel]")).isFalse();
    }

    static long waitingRollId;

    /** A roll that ran its canary and waits for a person: active, 1 of 20 hosts done. */
    static long waitingRoll() {
        if (waitingRollId == 0) {
            Map<String, Object> plan = new HashMap<>(Map.of("package", "flingerator", "environment", "staging",
                    "target", "1.2.0-1", "canary", 1, "parallelism", 2));
            waitingRollId = given().auth().oauth2(ALICE).contentType("application/json").body(plan).post("/api/rolls")
                    .then().statusCode(201).extract().jsonPath().getLong("id");
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> "WAITING"
                .equals(given().auth().oauth2(ALICE).get("/api/rolls/" + waitingRollId).jsonPath().getString("status")));
        return waitingRollId;
    }

    @Test
    @Order(3)
    void theDashboardSaysWhatRunsWhereWhatRollsWhatDriftsAndWhatWaitsAndLeadsToTheRollForm() throws Exception {
        long id = waitingRoll();
        Page page = browser.login(base.toString(), "dave");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            page.navigate(base.toString());
            assertThat(page.textContent("#dash-matrix tr[data-package=flingerator] td[data-env=staging]")).contains("1.2.0-1");
            assertThat(page.textContent("#dash-matrix tr[data-package=flingerator] td[data-env=prod]")).contains("1.2.0-1");
            assertThat(page.textContent("#dash-matrix tr[data-package=flingerator] td[data-env=review]")).contains("—");
            String roll = "#dash-rolling li[data-roll='" + id + "']";
            assertThat(page.textContent(roll)).contains("WAITING").contains("1 of 20 hosts done");
            assertThat(page.getAttribute(roll + " [role=progressbar]", "aria-valuenow")).isEqualTo("1");
            assertThat(page.getAttribute(roll + " [role=progressbar]", "aria-valuemax")).isEqualTo("20");
            assertThat(page.textContent("#dash-drift")).contains("flingerator in prod").contains("2 unknown");
            assertThat(page.textContent("#dash-waits h2")).isEqualTo("Waits for you");
            assertThat(page.textContent("#dash-waits")).contains("flingerator-1.3.0-1.noarch").contains("prod");
            assertThat(page.textContent("#nav-approvals")).isEqualTo("1");
            browser.screenshot("console-dashboard-" + size(viewport));
            if (viewport[0] == 1440) {
                java.nio.file.Files.createDirectories(java.nio.file.Path.of("docs/screenshots"));
                page.screenshot(new Page.ScreenshotOptions().setPath(java.nio.file.Path.of("docs/screenshots/dashboard.png")));
            }
            // "Roll it out" opens the plan form filled in; the package field offers the catalog's packages.
            page.click("#dash-matrix td[data-env=staging] a:has-text('Roll it out')");
            page.waitForURL(url -> url.contains("/rolls?"));
            assertThat(page.inputValue("input[name=package]")).isEqualTo("flingerator");
            assertThat(page.inputValue("select[name=environment]")).isEqualTo("staging");
            assertThat(page.getAttribute("input[name=package]", "list")).isEqualTo("catalog-packages");
            assertThat(page.locator("#catalog-packages option").evaluateAll("os => os.map(o => o.value)").toString())
                    .contains("flingerator");
        }
        // After a promotion the environment page offers the same next step.
        page.navigate(base + "environments/staging");
        assertThat(page.getAttribute("[data-package=flingerator] a.roll-it", "href"))
                .isEqualTo("/rolls?package=flingerator&environment=staging");
    }

    /** axe-core's serious and critical violations on the page as loaded, one line each. */
    @SuppressWarnings("unchecked")
    static List<String> axeViolations(Page page) {
        page.addScriptTag(new Page.AddScriptTagOptions().setPath(java.nio.file.Path.of("frontend/node_modules/axe-core/axe.min.js")));
        return (List<String>) page.evaluate("""
                async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""");
    }

    @Test
    @Order(6)
    void everyPageHasNoSeriousOrCriticalAccessibilityViolations() {
        Page page = browser.login(base.toString(), "bob");
        List<String> found = new ArrayList<>();
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            for (String path : pages()) {
                page.navigate(base + path);
                if (path.startsWith("rolls/")) {
                    page.waitForFunction("() => document.querySelectorAll('.cell').length === 20");
                }
                axeViolations(page).forEach(v -> found.add("/" + path + " at " + size(viewport) + ": " + v));
            }
            page.navigate(base + "rolls");
            page.fill("input[name=package]", "flingerator");
            page.selectOption("select[name=environment]", "prod");
            page.click("button:has-text('Preview')");
            axeViolations(page).forEach(v -> found.add("prod preview at " + size(viewport) + ": " + v));
            page.click("button:has-text('Start the roll')");
            page.waitForSelector("dialog.confirm-dialog[open]");
            axeViolations(page).forEach(v -> found.add("typed confirmation at " + size(viewport) + ": " + v));
        }
        assertThat(found).isEmpty();
    }

    @Test
    @Order(7)
    void theRollPageTellsScreenReadersItsProgressAndEachHostsState() {
        Page page = browser.login(base + "rolls/" + rollId, "carol");
        page.waitForFunction("() => document.querySelectorAll('.cell[aria-label]').length === 20");
        assertThat(page.getAttribute("#roll [role=progressbar]", "aria-valuenow")).isEqualTo("20");
        assertThat(page.getAttribute("#roll [role=progressbar]", "aria-valuetext")).isEqualTo("20 of 20 hosts done");
        assertThat(page.getAttribute(".cell >> nth=0", "aria-label")).matches("127\\.0\\.1\\.\\d+: (succeeded|at target).*");
        page.keyboard().press("Tab");
        assertThat(page.evaluate("() => document.activeElement.textContent")).isEqualTo("Skip to content");
        assertThat(page.isVisible(".skip-link")).isTrue();
    }

    @Test
    @Order(8)
    void aRefusedHostKeepsWhatWasTypedAndSaysWhy() {
        Page page = browser.login(base + "fleet", "alice");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            page.navigate(base + "fleet");
            page.fill("input[name=address]", "10.9.9.9");
            page.fill("input[name=port]", "22x");
            page.fill("input[name=nodeType]", "web");
            page.fill("input[name=packages]", "flingerator");
            page.fill("input[name=tags]", "eu-west canary");
            page.selectOption("form[action='/fleet/hosts'] select[name=environment]", "staging");
            page.click("form[action='/fleet/hosts'] button:has-text('Add')");
            assertThat(page.textContent(".form-errors")).contains("Port must be a number");
            assertThat(page.inputValue("input[name=address]")).isEqualTo("10.9.9.9");
            assertThat(page.inputValue("input[name=port]")).isEqualTo("22x");
            assertThat(page.inputValue("input[name=tags]")).isEqualTo("eu-west canary");
            assertThat(page.inputValue("form[action='/fleet/hosts'] select[name=environment]")).isEqualTo("staging");
            // A name that exists already: refused by the inventory, the form still filled in.
            page.fill("input[name=port]", "22");
            page.fill("input[name=name]", "127.0.1.3");
            page.click("form[action='/fleet/hosts'] button:has-text('Add')");
            assertThat(page.textContent(".form-errors")).contains("already exists");
            assertThat(page.inputValue("input[name=name]")).isEqualTo("127.0.1.3");
            assertThat(page.inputValue("input[name=packages]")).isEqualTo("flingerator");
            browser.screenshot("console-fleet-refused-" + size(viewport));
        }
    }

    @Test
    @Order(9)
    void openListsFollowTheServerWithoutReloadingAndAReconnectLearnsWhatItMissed() {
        Page page = browser.login(base.toString(), "alice");
        page.waitForFunction("() => document.body.dataset.live === 'open'");
        Page rolls = page.context().newPage();
        rolls.navigate(base + "rolls");
        rolls.waitForFunction("() => document.body.dataset.live === 'open'");
        rolls.fill("input[name=names]", "typed before the change");
        java.util.concurrent.atomic.AtomicInteger loads = new java.util.concurrent.atomic.AtomicInteger();
        page.onRequest(r -> {
            if (r.isNavigationRequest()) {
                loads.incrementAndGet();
            }
        });

        // A lock made elsewhere shows on the open dashboard.
        given().auth().oauth2(Tokens.user("bob")).contentType("application/json").body(Map.of("reason", "incident 42"))
                .put("/api/environments/review/lock").then().statusCode(200);
        page.waitForSelector("#dash-matrix th:has-text('review') .badge:has-text('locked')");

        // A roll started elsewhere appears on the open rolls list and the dashboard, with its progress.
        given().auth().oauth2(Tokens.user("bob")).delete("/api/environments/review/lock").then().statusCode(200);
        Map<String, Object> plan = new HashMap<>(Map.of("package", "flingerator", "environment", "staging", "target", "1.2.0-1",
                "canary", 1, "parallelism", 2));
        long id = given().auth().oauth2(ALICE).contentType("application/json").body(plan).post("/api/rolls")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        rolls.waitForSelector("#rolls a[href='/rolls/" + id + "']");
        page.waitForSelector("#dash-rolling li[data-roll='" + id + "']:has-text('WAITING')");
        assertThat(rolls.inputValue("input[name=names]")).as("the plan form keeps its input").isEqualTo("typed before the change");
        assertThat(loads.get()).as("no reloads").isZero();
        browser.screenshot("console-dashboard-live");
        given().auth().oauth2(ALICE).post("/api/rolls/" + id + "/cancel").then().statusCode(200);
        page.waitForSelector("#dash-rolling:has-text('No roll is running')");

        // A browser that reconnects with Last-Event-ID one behind hears at once that it missed a change.
        long newest = ((Number) QuarkusTransaction.requiringNew().call(
                () -> em.createNativeQuery("select max(id) from audit_event where outcome = 'succeeded'").getSingleResult())).longValue();
        Object heard = page.evaluate("""
                async last => {
                  const controller = new AbortController();
                  const r = await fetch('/events', { headers: { 'Last-Event-ID': String(last) }, signal: controller.signal });
                  const reader = r.body.getReader();
                  let text = '';
                  while (!text.includes('event:changed') && !text.includes('event: changed')) {
                    const { value, done } = await reader.read();
                    if (done) break;
                    text += new TextDecoder().decode(value);
                  }
                  controller.abort();
                  return text;
                }""", String.valueOf(newest - 1));
        assertThat(heard.toString()).contains("changed").contains(String.valueOf(newest));
    }

    /**
     * Scrolls the page from top to bottom in steps of 400 px, one animation frame each: how many
     * steps, how long, and the longest frame (what a person feels as a stutter).
     */
    static String scrolled(Page page) {
        return page.evaluate("""
                async () => {
                  const start = performance.now();
                  let steps = 0, longest = 0, last = start;
                  for (let y = 0; y <= document.documentElement.scrollHeight; y += 400) {
                    window.scrollTo(0, y);
                    await new Promise(done => requestAnimationFrame(() => done()));
                    const now = performance.now();
                    longest = Math.max(longest, now - last);
                    last = now;
                    steps++;
                  }
                  window.scrollTo(0, 0);
                  return steps + ' scroll steps in ' + Math.round(performance.now() - start) + ' ms, longest frame '
                    + Math.round(longest) + ' ms';
                }""").toString();
    }

    /** Bytes the page loaded (document and assets, uncompressed) and its first contentful paint, in ms. */
    static String weightAndPaint(Page page) {
        return page.evaluate("""
                () => {
                  const nav = performance.getEntriesByType('navigation')[0];
                  const assets = performance.getEntriesByType('resource').reduce((sum, r) => sum + r.decodedBodySize, 0);
                  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                  return Math.round((nav.decodedBodySize + assets) / 1024) + ' kB, first paint '
                    + (fcp ? Math.round(fcp.startTime) : '?') + ' ms';
                }""").toString();
    }

    @Test
    @Order(10)
    void aThousandHostFleetAndItsDriftArePaged() {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("""
                insert into host (name, address, port, environment, node_type, packages, services)
                select 'review-' || n, '10.20.' || (n / 250) || '.' || (n % 250 + 1), 22, 'review', 'web', 'flingerator', 'flingerator'
                from generate_series(1, 1000) n""").executeUpdate());
        Page page = browser.login(base + "fleet", "alice");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            page.navigate(base + "fleet?environment=review");
            assertThat(page.locator("#hosts tbody tr").count()).isEqualTo(100);
            assertThat(page.textContent(".pager")).contains("Hosts 1–100 of 1000").contains("Page 1 of 10");
            System.out.println("fleet, 1,000 hosts, page 1 at " + size(viewport) + ": " + weightAndPaint(page) + ", "
                    + scrolled(page));
            page.click(".pager a[rel=next]");
            assertThat(page.textContent(".pager")).contains("Hosts 101–200 of 1000");
            page.navigate(base + "fleet?environment=review&page=10");
            assertThat(page.locator("#hosts tbody tr").count()).isEqualTo(100);
            assertThat(page.textContent(".pager")).contains("Page 10 of 10");
            assertThat(page.locator(".pager a[rel=next]").count()).isZero();
            int scrollWidth = ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue();
            assertThat(scrollWidth).isLessThanOrEqualTo(viewport[0]);

            page.navigate(base + "drift?environment=review");
            String card = "section.drift-card[data-environment=review][data-package=flingerator]";
            assertThat(page.locator(card + " tbody tr").count()).isEqualTo(50);
            assertThat(page.textContent(card + " .more-hosts")).contains("50 of 1000 hosts");
            System.out.println("drift, 1,000 unknown hosts at " + size(viewport) + ": " + weightAndPaint(page));
            browser.screenshot("console-drift-1000-" + size(viewport));
        }
        page.click("section.drift-card[data-environment=review] a:has-text('Show all')");
        page.waitForURL(url -> url.contains("show=all"));
        page.waitForLoadState(com.microsoft.playwright.options.LoadState.LOAD);
        assertThat(page.locator("section.drift-card[data-environment=review] tbody tr").count()).isEqualTo(1000);
        System.out.println("drift, all 1,000 rows: " + weightAndPaint(page));
    }

    // Failure triage on the roll page (issue 21): hosts 15-18 of the fleet, left without faults.

    @AfterEach
    void clearFaults() {
        RollFleet.fault(16, Fault.SLOW, false);
        RollFleet.fault(17, Fault.REFUSED, false);
        RollFleet.fault(18, Fault.HOSTKEY, false);
    }

    /** The build a roll of flingerator to staging goes to: the promoted one if any, else 1.2.0-1. */
    static String target() {
        Response r = given().auth().oauth2(ALICE).contentType("application/json")
                .body(Map.of("package", "flingerator", "environment", "staging", "canary", 0)).post("/api/rolls/preview");
        return r.statusCode() == 200 ? r.jsonPath().getString("target") : "1.2.0-1";
    }

    static long startRoll(Map<String, Object> extra) {
        Map<String, Object> plan = new HashMap<>(Map.of("package", "flingerator", "environment", "staging", "target", target(),
                "canary", 0, "connectTimeout", "5s"));
        plan.putAll(extra);
        return given().auth().oauth2(ALICE).contentType("application/json").body(plan).post("/api/rolls")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static String rollStatus(long id) {
        return given().auth().oauth2(ALICE).get("/api/rolls/" + id).jsonPath().getString("status");
    }

    static void awaitComplete(long id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> List.of("SUCCEEDED", "FAILED", "CANCELED").contains(rollStatus(id)));
    }

    static long failedRoll;

    @Test
    @Order(11)
    void aFailedRollListsItsFailedAndUnreachableHostsWorstFirstWithStepAndLastErrorLine() throws Exception {
        RollFleet.fault(17, Fault.REFUSED, true);
        RollFleet.fault(18, Fault.HOSTKEY, true);
        failedRoll = startRoll(Map.of("names", "127.0.1.17,127.0.1.18", "batchSize", "2", "parallelism", 2,
                "failureBudget", "0", "unreachableBudget", "0"));
        awaitComplete(failedRoll);
        Page page = browser.login(base + "rolls/" + failedRoll, "alice");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            page.navigate(base + "rolls/" + failedRoll);
            page.waitForSelector("#triage-table tbody tr[data-host]");
            // Worst first: the host-key failure before the unreachable host.
            List<String> kinds = page.locator("#triage-table tbody tr").evaluateAll("rs => rs.map(r => r.dataset.kind)")
                    instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
            assertThat(kinds).containsExactly("failure", "unreachable");
            String first = page.textContent("#triage-table tbody tr:nth-child(1)");
            assertThat(first).contains("127.0.1.18", "Host key changed", "connect");
            String second = page.textContent("#triage-table tbody tr:nth-child(2)");
            assertThat(second).contains("127.0.1.17", "Unreachable", "connect").containsPattern("refused|reset|closed|connect");
            assertThat(page.textContent("#triage-table tbody tr:nth-child(2) td.when")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d \\S+.*");
            // The state is in words and a sign, not only a colour: in the table and on each cell.
            assertThat(page.getAttribute(".cell[data-kind=unreachable]", "aria-label")).startsWith("127.0.1.17: unreachable");
            assertThat(page.textContent(".cell[data-kind=unreachable]")).isEqualTo("⚠");
            // Filter by state: only the unreachable host; every state: both.
            page.selectOption("#triage-state", "UNREACHABLE");
            assertThat(page.locator("#triage-table tbody tr").count()).isOne();
            assertThat(page.textContent("#triage-count")).isEqualTo("1 host unreachable.");
            page.selectOption("#triage-state", "SUCCEEDED");
            assertThat(page.locator("#triage-table tbody tr").count()).isZero();
            page.selectOption("#triage-state", "attention");
            page.selectOption("#triage-step", "CONNECT");
            assertThat(page.locator("#triage-table tbody tr").count()).isEqualTo(2);
            page.selectOption("#triage-step", "");
            // Words: the status and its reason as one sentence, no internal ids, not "live" when finished.
            String lead = page.textContent("#roll .lead");
            assertThat(lead).contains("Failed").contains("started by alice").doesNotContain("FAILED").doesNotContainPattern("vm/\\d+/");
            assertThat(page.isVisible("#roll-live")).isFalse();
            assertThat(page.getAttribute("#roll [role=progressbar]", "aria-valuenow")).isEqualTo("2");
            assertThat(page.getAttribute("#roll [role=progressbar]", "aria-valuetext")).isEqualTo("2 of 2 hosts done");
            assertThat(page.locator("#roll-controls form:visible").count()).isOne();
            assertThat(page.isVisible("button[data-action=retry]")).isTrue();
            browser.screenshot("roll-triage-" + viewport[0] + "x" + viewport[1]);
            if (viewport[0] == 1440) {
                java.nio.file.Files.createDirectories(java.nio.file.Path.of("docs/screenshots"));
                page.screenshot(new Page.ScreenshotOptions().setPath(java.nio.file.Path.of("docs/screenshots/roll-triage.png")));
            }
            assertThat(axeViolations(page)).as("axe on the failed roll at " + viewport[0]).isEmpty();
        }

        // Live: a retry runs the hosts again while the page stays open; the table follows the stream.
        page.setViewportSize(1440, 900);
        page.navigate(base + "rolls/" + failedRoll);
        page.waitForSelector("#triage-table tbody tr[data-host]");
        page.evaluate("""
                () => { window.seen = []; new MutationObserver(() => window.seen.push(document.getElementById('roll-status').dataset.status))
                  .observe(document.getElementById('roll-status'), { attributes: true, characterData: true, childList: true }); }""");
        List<String> navigations = new ArrayList<>();
        page.onFrameNavigated(f -> navigations.add(f.url()));
        given().auth().oauth2(ALICE).post("/api/rolls/" + failedRoll + "/retry").then().statusCode(200);
        awaitComplete(failedRoll);
        page.waitForFunction("() => window.seen.includes('RUNNING') && document.getElementById('roll-status').dataset.status === 'FAILED'");
        page.waitForFunction("() => document.querySelectorAll('#triage-table tbody tr').length === 2");
        assertThat(navigations).as("no reload").isEmpty();
    }

    @Test
    @Order(12)
    void theHostLogWrapsLongLinesAndFollowsARunningHost() {
        RollFleet.fault(16, Fault.SLOW, true);
        long id = startRoll(Map.of("names", "127.0.1.16"));
        Page page = browser.login(base + "rolls/" + id, "alice");
        page.setViewportSize(1440, 900);
        page.waitForSelector(".cell.s-RUNNING", new Page.WaitForSelectorOptions().setTimeout(60_000));
        page.click(".cell.s-RUNNING");
        page.waitForSelector("#host-log[open][data-live=true]");
        assertThat(page.textContent("#host-log-note")).contains("Live");
        String before = page.textContent("#host-log-text");
        // Without opening it again, the log grows until the host is done.
        page.waitForSelector("#host-log[open][data-live=false]", new Page.WaitForSelectorOptions().setTimeout(60_000));
        String after = page.textContent("#host-log-text");
        assertThat(after).contains("(exit").isNotEqualTo(before);
        assertThat(page.textContent("#host-log-title")).contains("127.0.1.16:").doesNotContain("Running");
        // Find in log.
        page.fill("#host-log-find", "exit");
        assertThat(page.textContent("#host-log-note")).containsPattern("\\d+ of \\d+ lines contain “exit”");
        page.fill("#host-log-find", "");
        // A long line wraps inside a dialog wider than 900 px, instead of being cut.
        double width = ((Number) page.evaluate("() => document.getElementById('host-log').getBoundingClientRect().width")).doubleValue();
        assertThat(width).isGreaterThan(900);
        Object overflow = page.evaluate("""
                () => { const pre = document.getElementById('host-log-text');
                  pre.textContent += "\\ncurl: (7) Failed to connect to repo.example.com port 443 after 3 ms: " + "x".repeat(600) + " Couldn't connect to server";
                  return [getComputedStyle(pre).whiteSpace, pre.scrollWidth <= pre.clientWidth]; }""");
        assertThat(overflow.toString()).isEqualTo("[pre-wrap, true]");
        browser.screenshot("roll-host-log");
        page.click("#host-log button:has-text('Close')");
        awaitComplete(id);
    }

    @Test
    @Order(13)
    void aRefusedPlanKeepsWhatWasTypedAndNamesEveryWrongField() {
        Page page = browser.login(base + "rolls", "alice");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            page.navigate(base + "rolls");
            page.fill("input[name=package]", "flingerator");
            page.selectOption("select[name=environment]", "staging");
            page.fill("input[name=target]", "1.2.0-1; reboot");
            page.fill("input[name=names]", "127.0.1.1*");
            page.fill("input[name=canary]", "x");
            page.fill("input[name=batchSize]", "0");
            page.fill("input[name=failureBudget]", "lots");
            page.click("button:has-text('Preview')");
            assertThat(page.locator(".form-errors li").allTextContents()).hasSize(4).anySatisfy(e -> assertThat(e).startsWith("canary"))
                    .anySatisfy(e -> assertThat(e).contains("version-release")).anySatisfy(e -> assertThat(e).startsWith("batchSize"))
                    .anySatisfy(e -> assertThat(e).startsWith("failureBudget"));
            assertThat(page.textContent(".form-errors")).contains("refused for 4 reasons");
            assertThat(page.inputValue("input[name=target]")).isEqualTo("1.2.0-1; reboot");
            assertThat(page.inputValue("input[name=names]")).isEqualTo("127.0.1.1*");
            assertThat(page.inputValue("input[name=canary]")).isEqualTo("x");
            assertThat(page.inputValue("input[name=failureBudget]")).isEqualTo("lots");
            assertThat(page.inputValue("select[name=environment]")).isEqualTo("staging");
            assertThat(axeViolations(page)).as("axe on the refused plan").isEmpty();
            browser.screenshot("roll-plan-refused-" + viewport[0] + "x" + viewport[1]);
            // Refused further on (no host matches): the form is still filled in.
            page.fill("input[name=target]", target());
            page.fill("input[name=canary]", "0");
            page.fill("input[name=batchSize]", "25%");
            page.fill("input[name=failureBudget]", "0");
            page.fill("input[name=names]", "nosuch-*");
            page.click("button:has-text('Preview')");
            assertThat(page.textContent(".form-errors")).contains("No host in staging");
            assertThat(page.inputValue("input[name=names]")).isEqualTo("nosuch-*");
        }
    }

    @Test
    @Order(14)
    void aResentFormShowsTheRollItAlreadyStartedAndAFreshFormStartsANewOne() {
        Page page = browser.login(base + "rolls", "alice");
        String target = target();
        page.navigate(base + "rolls");
        page.fill("input[name=package]", "flingerator");
        page.selectOption("select[name=environment]", "staging");
        page.fill("input[name=target]", target);
        page.fill("input[name=names]", "127.0.1.15");
        page.fill("input[name=canary]", "0");
        page.click("button:has-text('Preview')");
        String key = page.inputValue("input[name=idempotencyKey]");
        String form = page.evaluate("() => document.querySelector('form[action=\"/rolls\"]').outerHTML").toString();
        // The key is random per rendering of the form, not derived from the plan or the session.
        page.reload();
        assertThat(page.inputValue("input[name=idempotencyKey]")).startsWith("form-").isNotEqualTo(key);
        page.evaluate("html => { document.querySelector('form[action=\"/rolls\"]').outerHTML = html; }", form);
        page.click("button:has-text('Start the roll')");
        page.waitForURL(url -> url.matches(".*/rolls/\\d+$"));
        long first = Long.parseLong(page.url().replaceAll(".*/rolls/", ""));
        assertThat(page.textContent(".flash")).isEqualTo("Roll " + first + " started.");
        awaitComplete(first);

        // The same rendered form again (a reload, a second click, a back button): the roll it started, said as such.
        page.navigate(base + "rolls");
        page.evaluate("html => document.querySelector('main').insertAdjacentHTML('beforeend', html)", form);
        page.click("button:has-text('Start the roll')");
        page.waitForURL(url -> url.endsWith("/rolls/" + first));
        assertThat(page.textContent(".flash")).contains("This form already started roll " + first).contains("nothing new was started");

        // A fresh form starts a new roll.
        page.navigate(base + "rolls");
        page.fill("input[name=package]", "flingerator");
        page.selectOption("select[name=environment]", "staging");
        page.fill("input[name=target]", target);
        page.fill("input[name=names]", "127.0.1.15");
        page.fill("input[name=canary]", "0");
        page.click("button:has-text('Preview')");
        page.click("button:has-text('Start the roll')");
        page.waitForURL(url -> url.matches(".*/rolls/\\d+$") && !url.endsWith("/rolls/" + first));
        long second = Long.parseLong(page.url().replaceAll(".*/rolls/", ""));
        assertThat(second).isGreaterThan(first);
        assertThat(page.textContent(".flash")).isEqualTo("Roll " + second + " started.");
        awaitComplete(second);
    }

    @Test
    @Order(15)
    void aTwoThousandHostRollPageDrawsItsGridAndOnePageOfTriage() {
        long id = QuarkusTransaction.requiringNew().call(() -> {
            long roll = ((Number) em.createNativeQuery("""
                    insert into roll (package_name, environment, target_evr, status, reason, plan, batch_count, created_by,
                        started_at, finished_at, current_batch)
                    values ('bulkrolled', 'review', '2.0.0-1', 'FAILED', 'failure budget spent: 150 hosts failed, budget 0', '{}', 8,
                        'alice', now() - interval '20 minutes', now() - interval '2 minutes', 7) returning id""")
                    .getSingleResult()).longValue();
            em.createNativeQuery("""
                    insert into roll_host (roll_id, position, batch, name, address, port, source, service, status, step, reason,
                        from_evr, to_evr, attempts, log, started_at, finished_at)
                    select ?1, n, n / 250, 'bulk-' || lpad(n::text, 4, '0'), '10.30.' || (n / 250) || '.' || (n % 250 + 1), 22,
                        'static', 'bulkrolled',
                        case when n % 13 = 0 then 'FAILED' when n % 40 = 1 then 'UNREACHABLE' else 'SUCCEEDED' end,
                        case when n % 13 = 0 then 'UPDATE' when n % 40 = 1 then 'CONNECT' else 'DONE' end,
                        case when n % 13 = 0 then 'update failed: ''sudo -n yum -y --refresh update bulkrolled'' exited 1: Error: Failed to download metadata for repo ''yardmaster'': Cannot download repomd.xml: Curl error (7): Couldn''t connect to server'
                             when n % 40 = 1 then 'connection refused' end,
                        '1.9.0-1', '2.0.0-1', 1, '', now() - interval '15 minutes', now() - interval '14 minutes'
                    from generate_series(0, 1999) n""").setParameter(1, roll).executeUpdate();
            return roll;
        });
        Page page = browser.login(base + "rolls/" + id, "alice");
        for (int[] viewport : VIEWPORTS) {
            page.setViewportSize(viewport[0], viewport[1]);
            page.navigate(base + "rolls/" + id);
            page.waitForFunction("() => document.querySelectorAll('.cell').length === 2000 && "
                    + "document.querySelectorAll('#triage-table tbody tr').length === 100", null,
                    new Page.WaitForFunctionOptions().setTimeout(30_000));
            page.waitForLoadState(LoadState.LOAD);
            Object numbers = page.evaluate("""
                    () => {
                      const nav = performance.getEntriesByType('navigation')[0];
                      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
                      const assets = performance.getEntriesByType('resource').reduce((s, r) => s + r.decodedBodySize, 0);
                      const json = performance.getEntriesByType('resource').find(r => r.name.includes('/hosts.json'));
                      return 'document ' + Math.round(nav.decodedBodySize / 1024) + ' kB, hosts.json '
                        + Math.round(json.decodedBodySize / 1024) + ' kB in ' + Math.round(json.responseEnd - json.startTime) + ' ms, every host drawn at '
                        + Math.round(performance.getEntriesByName('roll-hosts-drawn')[0].startTime) + ' ms, triage table at '
                        + Math.round(performance.getEntriesByName('roll-triage-drawn')[0].startTime) + ' ms, first paint ' + (fcp ? Math.round(fcp.startTime) : '?') + ' ms, ' + document.getElementsByTagName('*').length + ' DOM elements, '
                        + Math.round((nav.decodedBodySize + assets) / 1024) + ' kB';
                    }""");
            System.out.println("roll page, 2,000 hosts at " + viewport[0] + "x" + viewport[1] + ": " + numbers + ", "
                    + scrolled(page));
            assertThat(page.textContent("#triage-count")).isEqualTo("201 hosts failed or unreachable; the worst 100 shown.");
            assertThat(page.getAttribute("#triage-table tbody tr:nth-child(1)", "data-kind")).isEqualTo("failure");
            assertThat(page.textContent("#triage-table tbody tr:nth-child(1) .error-line")).contains("Couldn't connect to server");
            assertThat(page.textContent("#roll-elapsed-note")).contains("not recorded");
            int scrollWidth = ((Number) page.evaluate("() => document.documentElement.scrollWidth")).intValue();
            assertThat(scrollWidth).isLessThanOrEqualTo(viewport[0]);
            browser.screenshot("roll-triage-2000-" + viewport[0] + "x" + viewport[1]);
        }
        page.click("#triage-more");
        assertThat(page.locator("#triage-table tbody tr").count()).isEqualTo(200);
        page.selectOption("#triage-state", "UNREACHABLE");
        assertThat(page.locator("#triage-table tbody tr").count()).isEqualTo(47);
    }

    @Test
    @Order(16)
    void driftNamesNoRollAndOffersNoFixForAHostThatRefusedItsCheck() {
        RollFleet.fault(17, Fault.REFUSED, true);
        given().auth().oauth2(ALICE).post("/api/drift/check?environment=staging&package=flingerator").then().statusCode(200);
        Page page = browser.login(base + "drift?environment=staging", "alice");
        String card = "section.drift-card[data-environment=staging][data-package=flingerator]";
        String row = page.textContent(card + " tr[data-host='127.0.1.17']");
        assertThat(row).contains("UNKNOWN", "last check failed").doesNotContain("by roll");
        var fix = page.locator(card + " a.fix");
        if (fix.count() > 0) {
            assertThat(fix.getAttribute("href")).doesNotContain("127.0.1.17");
        }
        assertThat(axeViolations(page)).isEmpty();
    }
}
