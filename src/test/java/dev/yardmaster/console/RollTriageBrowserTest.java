package dev.yardmaster.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.LoadState;
import dev.yardmaster.rollout.RollFleet;
import dev.yardmaster.testing.Browser;
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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Triaging a roll in the browser: the failed and unreachable hosts listed worst first with the
 * step and the last error line, filtered by state, followed live; the host log wrapped and
 * streamed; a plan form that keeps its input and names every wrong field; a re-sent form that
 * says which roll it already started. Same profile and fleet as RollsTest (no extra start).
 * Touches only hosts 15–18 of the fleet, and leaves them without faults.
 */
@QuarkusTest
@QuarkusTestResource(value = RollFleet.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RollTriageBrowserTest {

    static final String ALICE = Tokens.user("alice");
    static final int[][] VIEWPORTS = { { 1440, 900 }, { 390, 844 } };

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Inject
    EntityManager em;

    @AfterEach
    void clearFaults() {
        RollFleet.fault(16, "slow", false);
        RollFleet.fault(17, "refused", false);
        RollFleet.fault(18, "hostkey", false);
    }

    /** The build a roll of flingerator to staging goes to: the promoted one if any, else 1.2.0-1. */
    static String target() {
        Response r = given().auth().oauth2(ALICE).contentType("application/json")
                .body(Map.of("package", "flingerator", "environment", "staging", "canary", 0)).post("/api/rolls/preview");
        return r.statusCode() == 200 ? r.jsonPath().getString("target") : "1.2.0-1";
    }

    static long start(Map<String, Object> extra) {
        Map<String, Object> plan = new HashMap<>(Map.of("package", "flingerator", "environment", "staging", "target", target(),
                "canary", 0, "connectTimeout", "5s"));
        plan.putAll(extra);
        return given().auth().oauth2(ALICE).contentType("application/json").body(plan).post("/api/rolls")
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static String status(long id) {
        return given().auth().oauth2(ALICE).get("/api/rolls/" + id).jsonPath().getString("status");
    }

    static void awaitComplete(long id) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> List.of("SUCCEEDED", "FAILED", "CANCELED").contains(status(id)));
    }

    static long failedRoll;

    @Test
    @Order(1)
    void aFailedRollListsItsFailedAndUnreachableHostsWorstFirstWithStepAndLastErrorLine() throws Exception {
        RollFleet.fault(17, "refused", true);
        RollFleet.fault(18, "hostkey", true);
        failedRoll = start(Map.of("names", "127.0.1.17,127.0.1.18", "batchSize", "2", "parallelism", 2,
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
            assertThat(ConsoleBrowserTest.axeViolations(page)).as("axe on the failed roll at " + viewport[0]).isEmpty();
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
    @Order(2)
    void theHostLogWrapsLongLinesAndFollowsARunningHost() {
        RollFleet.fault(16, "slow", true);
        long id = start(Map.of("names", "127.0.1.16"));
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
    @Order(3)
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
            assertThat(ConsoleBrowserTest.axeViolations(page)).as("axe on the refused plan").isEmpty();
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
    @Order(4)
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
    @Order(5)
    void aTwoThousandHostRollPageDrawsItsGridAndOnePageOfTriage() {
        long id = QuarkusTransaction.requiringNew().call(() -> {
            long roll = ((Number) em.createNativeQuery("""
                    insert into roll (package_name, environment, target_evr, status, reason, plan, batch_count, created_by,
                        started_at, finished_at, current_batch)
                    values ('bulkrolled', 'review', '2.0.0-1', 'FAILED', 'failure budget spent: 150 failed hosts', '{}', 8,
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
            System.out.println("roll page, 2,000 hosts at " + viewport[0] + "x" + viewport[1] + ": " + numbers);
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
}
