package dev.yardmaster.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.RealmPeople;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.StringReader;
import java.net.URL;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reviewers filter the audit log, open a permalink, and export exactly what they filtered. */
@QuarkusTest
class AuditExportTest {

    @RegisterExtension
    static Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    @Test
    void csvExportHoldsTheFilteredRangeOldestFirst() throws Exception {
        String chatUser = RealmPeople.fresh("deployer");
        for (int i = 0; i < 3; i++) {
            lockAndUnlockFor(chatUser, "csv, \"quoted\" reason " + i);
        }
        Response csv = given().auth().oauth2(Tokens.user("carol")).queryParam("actor", chatUser)
                .queryParam("format", "csv").get("/api/audit/export");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.header("Content-Disposition")).contains("attachment").contains(".csv");

        List<CSVRecord> rows = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.asString())).getRecords();
        assertThat(rows).hasSize(6);
        assertThat(rows).extracting(r -> r.get("on_behalf_of")).containsOnly(chatUser);
        assertThat(rows).extracting(r -> r.get("action"))
                .containsExactly("environment.locked", "environment.unlocked", "environment.locked",
                        "environment.unlocked", "environment.locked", "environment.unlocked");
        assertThat(rows.get(0).get("details")).contains("csv, \\\"quoted\\\" reason 0");
        assertThat(Long.parseLong(rows.get(0).get("id"))).isLessThan(Long.parseLong(rows.get(5).get("id")));
        assertThat(rows.get(0).get("hash")).hasSize(64);
    }

    @Test
    void jsonExportIsAnArrayOfEvents() throws Exception {
        String chatUser = RealmPeople.fresh("deployer");
        lockAndUnlockFor(chatUser, "json export");
        Response response = given().auth().oauth2(Tokens.bot()).queryParam("actor", chatUser)
                .queryParam("action", "environment.*").queryParam("format", "json").get("/api/audit/export");
        JsonNode events = new ObjectMapper().readTree(response.asString());
        assertThat(events.isArray()).isTrue();
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("actor").asText()).isEqualTo("chatops-bot");
        assertThat(events.get(0).get("onBehalfOf").asText()).isEqualTo(chatUser);
    }

    @Test
    void badFiltersAreClearErrors() {
        given().auth().oauth2(Tokens.user("carol")).queryParam("format", "xml").get("/api/audit/export")
                .then().statusCode(400).contentType("application/problem+json");
        Response badTime = given().auth().oauth2(Tokens.user("carol")).queryParam("from", "yesterday").get("/api/audit");
        assertThat(badTime.statusCode()).isEqualTo(400);
        assertThat(badTime.jsonPath().getString("detail")).contains("ISO-8601");
    }

    @Test
    void aViewerFiltersThePageAndOpensAPermalink() {
        String chatUser = RealmPeople.fresh("deployer");
        lockAndUnlockFor(chatUser, "page check");
        Page page = browser.login(base.toString(), "carol");
        page.navigate(base + "audit");
        page.fill("input[name=actor]", chatUser);
        page.click("form.toolbar button[type=submit]");
        page.waitForURL(url -> url.contains("actor=" + chatUser));
        assertThat(page.locator(".audit-table tbody tr").count()).isEqualTo(2);
        browser.screenshot("audit-log");

        page.click(".audit-table tbody tr:last-child td a");
        page.waitForURL(url -> url.matches(".*/audit/[0-9]+$"));
        assertThat(page.textContent("h1")).contains("environment.locked");
        assertThat(page.textContent(".facts")).contains(chatUser).contains("page check");
        browser.screenshot("audit-event");
    }

    private static void lockAndUnlockFor(String chatUser, String reason) {
        String body = new ObjectMapper().createObjectNode().put("reason", reason).toString();
        given().auth().oauth2(Tokens.bot()).queryParam("onBehalfOf", chatUser).contentType("application/json")
                .body(body).put("/api/environments/staging/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.bot()).queryParam("onBehalfOf", chatUser)
                .delete("/api/environments/staging/lock").then().statusCode(200);
    }
}
