package dev.yardmaster.testing;

import com.microsoft.playwright.Browser.NewContextOptions;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's Chromium driven by Playwright (never a downloaded browser). One browser per test
 * class, a fresh context per test, and a screenshot under target/screenshots when a test fails.
 */
public class Browser implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    public static final Path SCREENSHOTS = Paths.get("target", "screenshots");
    private static final String CHROMIUM = System.getProperty("yardmaster.test.chromium", "/usr/bin/chromium");

    private Playwright playwright;
    private com.microsoft.playwright.Browser browser;
    private BrowserContext context;
    private Page page;

    public Page page() {
        return page;
    }

    /** Signs in through the real Keycloak login page and waits for the console. */
    public Page login(String baseUrl, String user) {
        page.navigate(baseUrl);
        page.waitForURL(url -> url.contains("/realms/yardmaster/"));
        page.fill("#username", user);
        page.fill("#password", user);
        page.click("#kc-login");
        page.waitForURL(url -> url.startsWith(baseUrl.replaceAll("/$", "")));
        return page;
    }

    public Path screenshot(String name) {
        Path file = SCREENSHOTS.resolve(name + ".png");
        page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
        return file;
    }

    @Override
    public void beforeEach(ExtensionContext extension) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        if (browser == null) {
            playwright = Playwright.create(new Playwright.CreateOptions()
                    .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
            browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                    .setExecutablePath(Paths.get(CHROMIUM)).setHeadless(true)
                    .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync")));
        }
        context = browser.newContext(new NewContextOptions().setViewportSize(1280, 800));
        page = context.newPage();
        page.setDefaultTimeout(20_000);
    }

    @Override
    public void afterEach(ExtensionContext extension) {
        if (extension.getExecutionException().isPresent() && page != null) {
            screenshot("FAILED-" + extension.getRequiredTestClass().getSimpleName() + "-"
                    + extension.getRequiredTestMethod().getName());
        }
        if (context != null) {
            context.close();
        }
    }

    @Override
    public void afterAll(ExtensionContext extension) {
        if (browser != null) {
            browser.close();
            playwright.close();
            browser = null;
        }
    }
}
