package dev.yardmaster.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import dev.yardmaster.rollout.RollFleet;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The console as a release engineer uses it every day, in Chromium at a desktop (1440×900) and
 * a phone (390×844): every page fits the screen, times and counts read the same everywhere.
 * Runs over the 20-host loopback fleet with one finished roll and one prod request waiting.
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
        assertThat(page.isVisible("button[data-action=retry]")).isTrue();
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
            System.out.println("fleet, 1,000 hosts, page 1 at " + size(viewport) + ": " + weightAndPaint(page));
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
}
