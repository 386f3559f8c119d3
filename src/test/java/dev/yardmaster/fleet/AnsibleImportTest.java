package dev.yardmaster.fleet;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import com.microsoft.playwright.Page;
import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.testing.Browser;
import dev.yardmaster.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ansible inventories through {@code POST /api/hosts/import} and the fleet page: a team's real
 * inventory (ranges, children groups, vars at host and group level, the YAML form), the dry run's
 * diff, applying it, changing and pruning, and files that cannot be read.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnsibleImportTest {

    static final String BOB = Tokens.user("bob");
    static final String ALICE = Tokens.user("alice");

    @RegisterExtension
    Browser browser = new Browser();

    @TestHTTPResource("/")
    URL base;

    /** The shape ops teams keep: web and worker groups, environments as parent groups, vars at each level. */
    static final String INVENTORY = """
            [web_review]
            rv-web-[1:3].example.net

            [web_prod]
            pr-web-[01:04].example.net
            pr-web-05.example.net ansible_host=10.20.0.5 ansible_port=2202 yardmaster_services="['flingerator', 'nginx']"

            [workers_prod]
            pr-worker-[a:b].example.net

            [review:children]
            web_review

            [prod:children]
            web_prod
            workers_prod

            [web_review:vars]
            yardmaster_node_type=web
            yardmaster_packages=flingerator

            [web_prod:vars]
            yardmaster_node_type=web
            yardmaster_packages=flingerator
            yardmaster_services=flingerator

            [workers_prod:vars]
            yardmaster_node_type=worker
            yardmaster_packages=gnip-worker
            """;

    static JsonPath importAs(String token, String body, String query, int status) {
        return given().auth().oauth2(token).contentType("text/plain").body(body).post("/api/hosts/import" + query)
                .then().statusCode(status).extract().jsonPath();
    }

    static Host host(String name) {
        return QuarkusTransaction.requiringNew().call(() -> Host.named(name).orElse(null));
    }

    @Test
    @Order(1)
    void aDryRunOfATeamsIniInventoryShowsTheDiffAndChangesNothing() {
        long hostsBefore = QuarkusTransaction.requiringNew().call(() -> Host.count());
        JsonPath diff = importAs(BOB, INVENTORY, "?format=ansible-ini&dryRun=true", 200);
        assertThat(diff.getString("format")).isEqualTo("ansible-ini");
        assertThat(diff.getBoolean("dryRun")).isTrue();
        assertThat(diff.getBoolean("applied")).isFalse();
        assertThat(diff.getList("added.name")).containsExactly("rv-web-1.example.net", "rv-web-2.example.net",
                "rv-web-3.example.net", "pr-web-01.example.net", "pr-web-02.example.net", "pr-web-03.example.net",
                "pr-web-04.example.net", "pr-web-05.example.net", "pr-worker-a.example.net", "pr-worker-b.example.net");
        assertThat(diff.getString("added.find { it.name == 'pr-web-05.example.net' }.address")).isEqualTo("10.20.0.5");
        assertThat(diff.getInt("added.find { it.name == 'pr-web-05.example.net' }.port")).isEqualTo(2202);
        assertThat(diff.getList("added.find { it.name == 'pr-web-05.example.net' }.services")).containsExactly("flingerator", "nginx");
        assertThat(diff.getString("added.find { it.name == 'pr-worker-b.example.net' }.nodeType")).isEqualTo("worker");
        assertThat(diff.getString("added.find { it.name == 'rv-web-2.example.net' }.environment")).isEqualTo("review");
        assertThat(diff.getList("refused")).isEmpty();
        assertThat(QuarkusTransaction.requiringNew().call(() -> Host.count())).isEqualTo(hostsBefore);
    }

    @Test
    @Order(2)
    void applyingItAddsEveryHostAndAuditsEach() {
        JsonPath applied = importAs(BOB, INVENTORY, "?format=ansible-ini", 200);
        assertThat(applied.getBoolean("applied")).isTrue();
        assertThat(applied.getList("added")).hasSize(10);
        assertThat(applied.getLong("added[0].id")).isPositive();
        Host web5 = host("pr-web-05.example.net");
        assertThat(web5.environment).isEqualTo("prod");
        assertThat(web5.port).isEqualTo(2202);
        assertThat(web5.services).isEqualTo("flingerator nginx");
        assertThat(QuarkusTransaction.requiringNew().call(() -> AuditEvent.count(
                "action = 'host.added' and actor = 'bob' and subject like 'pr-%'"))).isEqualTo(7);
        // The same file again changes nothing.
        JsonPath again = importAs(BOB, INVENTORY, "?format=ansible-ini&dryRun=true", 200);
        assertThat(again.getInt("unchanged")).isEqualTo(10);
        assertThat(again.getList("added")).isEmpty();
        assertThat(again.getList("changed")).isEmpty();
    }

    @Test
    @Order(3)
    void theYamlFormChangesAndPrunesWithBeforeAndAfter() {
        String yaml = """
                all:
                  children:
                    prod:
                      children:
                        web_prod:
                          hosts:
                            pr-web-[01:04].example.net:
                            pr-web-05.example.net:
                              ansible_host: 10.20.0.5
                              ansible_port: 2202
                              yardmaster_services: [flingerator]
                          vars:
                            yardmaster_node_type: web
                            yardmaster_packages: [flingerator]
                            yardmaster_services: [flingerator]
                """;
        JsonPath diff = importAs(BOB, yaml, "?format=ansible-yaml&prune=true&dryRun=true", 200);
        assertThat(diff.getList("changed.before.name")).containsExactly("pr-web-05.example.net");
        assertThat(diff.getList("changed[0].before.services")).containsExactly("flingerator", "nginx");
        assertThat(diff.getList("changed[0].after.services")).containsExactly("flingerator");
        assertThat(diff.getList("removed.name")).containsExactly("pr-worker-a.example.net", "pr-worker-b.example.net");
        assertThat(diff.getInt("unchanged")).isEqualTo(4);

        // A deployer sees the same diff with every prod host refused, and cannot apply it.
        JsonPath asAlice = importAs(ALICE, yaml, "?format=ansible-yaml&prune=true&dryRun=true", 200);
        assertThat(asAlice.getList("refused.host")).containsExactly("pr-web-05.example.net", "pr-worker-a.example.net",
                "pr-worker-b.example.net");
        assertThat(asAlice.getList("refused.line")).containsExactly(8, 0, 0);
        importAs(ALICE, yaml, "?format=ansible-yaml&prune=true", 422);
        assertThat(host("pr-worker-a.example.net")).isNotNull();

        importAs(BOB, yaml, "?format=ansible-yaml&prune=true", 200);
        assertThat(host("pr-worker-a.example.net")).isNull();
        assertThat(host("pr-web-05.example.net").services).isEqualTo("flingerator");
        assertThat(host("rv-web-1.example.net")).as("review is not in the file: prune leaves it").isNotNull();
    }

    @Test
    @Order(4)
    void filesThatCannotBeReadAre400NamingTheLine() {
        given().auth().oauth2(BOB).contentType("text/plain").body("[web]\nweb-1\n[web:hostvars]\nx=1\n")
                .post("/api/hosts/import?format=ansible-ini").then().statusCode(400).contentType("application/problem+json")
                .body("type", endsWith("/bad-inventory")).body("line", equalTo(3))
                .body("detail", equalTo("Line 3: [web:hostvars]: a section is [group], [group:vars] or [group:children]."));
        given().auth().oauth2(BOB).contentType("text/plain").body("all:\n  children:\n    prod:\n      hosts: [a, b]\n")
                .post("/api/hosts/import?format=ansible-yaml").then().statusCode(400)
                .body("detail", equalTo("Line 4: hosts of prod must be a mapping (key: value)."));
        given().auth().oauth2(BOB).contentType("text/plain").body("[prod]\nweb-[05:01]\n")
                .post("/api/hosts/import?format=ansible-ini&dryRun=true").then().statusCode(400)
                .body("detail", equalTo("Line 2: the range [05:01] runs backwards."));
        given().auth().oauth2(BOB).contentType("text/plain").body("[prod]\nweb-1\n").post("/api/hosts/import?format=ansible")
                .then().statusCode(400).body("type", endsWith("/bad-format"));
        given().auth().oauth2(BOB).contentType("text/plain").body("[prod]\nweb-1\n").post("/api/hosts/import?dryRun=maybe")
                .then().statusCode(400).body("detail", equalTo("dryRun must be true or false, not 'maybe'."));
    }

    @Test
    @Order(5)
    void aHostTheFileCannotPlaceIsRefusedWithTheReasonAndNothingIsImported() {
        JsonPath refused = importAs(BOB, "[review]\nlost-1 yardmaster_node_type=web\n[misc]\nlost-2\n", "?format=ansible-ini", 422);
        assertThat(refused.getString("type")).endsWith("/import-refused");
        assertThat(refused.getInt("refused[0].line")).isEqualTo(4);
        assertThat(refused.getString("refused[0].host")).isEqualTo("lost-2");
        assertThat(refused.getString("refused[0].reason")).startsWith("no environment: set yardmaster_environment");
        assertThat(host("lost-1")).isNull();
    }

    @Test
    @Order(6)
    void aPersonPreviewsTheDiffOnTheFleetPageAndAppliesIt() {
        Page page = browser.login(base.toString(), "bob");
        page.navigate(base + "fleet");
        page.selectOption("#import select[name=format]", "ansible-ini");
        page.fill("#import textarea[name=inventory]", "[staging]\nst-web-[1:2].example.net yardmaster_node_type=web "
                + "yardmaster_packages=flingerator\nst-web-[3:bad]\n");
        page.click("#import button:has-text('Preview')");
        assertThat(page.textContent(".import-error")).isEqualTo("Line 3: [3:bad] is not a range of numbers ([01:20]) or of letters ([a:f]).");
        assertThat(page.inputValue("textarea[name=inventory]")).as("the text is kept").contains("st-web-[3:bad]");
        assertThat(page.inputValue("select[name=format]")).isEqualTo("ansible-ini");

        page.fill("textarea[name=inventory]", "[staging]\nst-web-[1:2].example.net yardmaster_node_type=web "
                + "yardmaster_packages=flingerator\n");
        page.click("button:has-text('Preview again')");
        assertThat(page.textContent("[data-count=added]")).isEqualTo("2 added");
        assertThat(page.textContent("#added")).contains("st-web-1.example.net", "st-web-2.example.net", "staging");
        assertThat(host("st-web-1.example.net")).as("a preview changes nothing").isNull();
        browser.screenshot("fleet-import-preview");
        page.click("button:has-text('Apply these changes')");
        assertThat(page.url()).endsWith("/fleet");
        assertThat(page.textContent(".flash-ok")).isEqualTo("Imported (ansible-ini): 2 added, 0 changed, 0 removed, 0 unchanged.");
        assertThat(page.textContent("#hosts")).contains("st-web-2.example.net");
        assertThat(host("st-web-2.example.net").environment).isEqualTo("staging");
    }

    @Test
    @Order(7)
    void aDeployerSeesWhichProdHostsTheImportRefusesAndCannotApplyIt() {
        Page page = browser.login(base.toString(), "alice");
        page.navigate(base + "fleet");
        page.fill("#import textarea[name=inventory]", "[prod]\npr-web-01.example.net yardmaster_node_type=web "
                + "yardmaster_packages=flingerator yardmaster_services=sshd\n");
        page.click("#import button:has-text('Preview')");
        assertThat(page.textContent("[data-count=refused]")).isEqualTo("1 refused");
        assertThat(page.textContent("#refused tr[data-host='pr-web-01.example.net']"))
                .contains("Changing pr-web-01.example.net in prod needs the release-manager role");
        assertThat(page.locator("button:has-text('Apply these changes')").count()).isZero();
        browser.screenshot("fleet-import-refused");
        assertThat(host("pr-web-01.example.net").services).isEqualTo("flingerator");
    }

    @Test
    @Order(8)
    void aDeployerCannotRemoveAProdHostFromTheFleetPage() {
        Page page = browser.login(base.toString(), "alice");
        page.navigate(base + "fleet?environment=prod");
        page.click("button[aria-label='Remove pr-web-02.example.net']");
        // Removing a host asks for its name first (the console's typed confirmation).
        page.waitForSelector("dialog.confirm-dialog[open]");
        page.fill("dialog.confirm-dialog .confirm-input", "pr-web-02.example.net");
        page.click("dialog.confirm-dialog .confirm-ok");
        assertThat(page.textContent(".flash-error")).isEqualTo("Removing pr-web-02.example.net from prod needs the "
                + "release-manager role: hosts of prod change only with the role that may roll prod.");
        assertThat(host("pr-web-02.example.net")).isNotNull();
        List<String> actions = QuarkusTransaction.requiringNew().call(() -> AuditEvent.<AuditEvent>list(
                "actor = 'alice' and action = 'request.refused' order by id desc").stream().map(e -> e.subject).toList());
        assertThat(actions).isNotEmpty();
    }

    @Test
    @Order(9)
    void applyingADiffOtherThanThePreviewedOneIsRefused() {
        String text = "[review]\nfp-web-1 yardmaster_node_type=web yardmaster_packages=flingerator\n";
        String previewed = importAs(BOB, text, "?format=ansible-ini&dryRun=true", 200).getString("fingerprint");
        // Someone adds the host by hand between the preview and the apply.
        given().auth().oauth2(ALICE).contentType("application/json").body(java.util.Map.of("name", "fp-web-1", "address",
                "fp-web-1", "environment", "review", "nodeType", "web", "tags", List.of(), "packages", List.of(),
                "services", List.of())).post("/api/hosts").then().statusCode(201);
        JsonPath stale = importAs(BOB, text, "?format=ansible-ini&expect=" + previewed, 409);
        assertThat(stale.getString("type")).endsWith("/import-stale");
        assertThat(stale.getList("diff.changed.after.packages")).containsExactly(List.of("flingerator"));
        assertThat(host("fp-web-1").packages).isEmpty();
        importAs(BOB, text, "?format=ansible-ini&expect=" + stale.getString("diff.fingerprint"), 200);
        assertThat(host("fp-web-1").packages).isEqualTo("flingerator");
    }
}
