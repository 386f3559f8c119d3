package dev.yardmaster.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A person signs in through the real Keycloak page and lands on the dashboard. */
@QuarkusTest
class LoginBrowserTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Test
    void aliceSignsInAndSeesTheLifecycle() throws Exception {
        Page page = browser.login(base.toString(), "alice");

        assertThat(page.textContent("h1")).isEqualTo("Release lifecycle");
        assertThat(page.locator(".env-card h2").allTextContents()).containsExactly("review", "staging", "prod");
        assertThat(page.textContent(".whoami .user")).isEqualTo("Alice");
        assertThat(page.textContent(".whoami .badge")).isEqualTo("deployer");
        Path shot = browser.screenshot("dashboard");
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }

    @Test
    void aDeployerLocksAndUnlocksThroughTheFormWithItsCsrfToken() {
        Page page = browser.login(base.toString(), "alice");
        page.click("[data-env=review] summary");
        page.fill("[data-env=review] input[name=reason]", "incident 42");
        page.click("[data-env=review] button[type=submit]");

        assertThat(page.textContent(".flash")).contains("Deploys to review are locked");
        assertThat(page.textContent("[data-env=review] .lock-note")).contains("alice").contains("incident 42");

        page.click("[data-env=review] summary");
        page.click("[data-env=review] button[type=submit]");
        assertThat(page.textContent(".flash")).contains("unlocked");
    }

    @Test
    void aFormPostWithoutTheTokenIsRefused() {
        Page page = browser.login(base.toString(), "alice");
        var response = page.request().post(base + "environments/review/lock",
                com.microsoft.playwright.options.RequestOptions.create().setForm(
                        com.microsoft.playwright.options.FormData.create().set("reason", "forged")));
        assertThat(response.status()).isEqualTo(403);
    }

    @Test
    void thePagesOwnFetchToTheApiRidesOnTheSession() {
        Page page = browser.login(base.toString(), "carol");
        Object status = page.evaluate("async () => (await fetch('/api/environments', {headers: {Accept: 'application/json'}})).status");
        assertThat(status).isEqualTo(200);
        Object refused = page.evaluate("""
                async () => (await fetch('/api/environments/review/lock', {method: 'PUT',
                    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({reason: 'x'})})).status""");
        // Signed in as a viewer, without the CSRF header: refused either way, never a login redirect.
        assertThat(refused).isIn(403);
    }

    @Test
    void signingOutEndsTheSession() {
        Page page = browser.login(base.toString(), "carol");
        page.click("a.signout");
        page.waitForURL(url -> url.contains("/signed-out"));
        assertThat(page.textContent("h1")).contains("signed out");
        page.navigate(base.toString());
        page.waitForURL(url -> url.contains("/realms/yardmaster/"));
    }
}
