package dev.yardmaster.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/audit-verify proves an export against the signed checkpoints with neither the console
 * nor the database: it accepts the real log and names what was changed in a copy.
 */
@QuarkusTest
class OfflineVerifyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "yardmaster.audit.checkpoint-dir")
    Path checkpointDir;

    @TempDir
    Path work;

    @Test
    void anExportOfTheWholeLogVerifiesOfflineAndEveryTamperingIsNamed() throws Exception {
        AuditProofTest.ensureSomeEvents();
        // A user agent that a spreadsheet would run, and text that needs quoting in the digest.
        given().auth().oauth2(Tokens.user("alice")).header("User-Agent", "=HYPERLINK(\"x\") it's a \\ test")
                .contentType("application/json").body("{\"reason\":\"é \\\\ 'quoted'\"}")
                .put("/api/environments/review/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.user("alice")).delete("/api/environments/review/lock").then().statusCode(200);
        given().auth().oauth2(Tokens.user("dave")).post("/api/audit/checkpoints").then().statusCode(201);
        Path key = work.resolve("key.pem");
        Files.writeString(key, given().auth().oauth2(Tokens.user("carol")).get("/api/audit/checkpoints")
                .jsonPath().getString("publicKey"));
        Response export = given().auth().oauth2(Tokens.user("carol")).queryParam("format", "json").get("/api/audit/export");
        Path whole = work.resolve("export.json");
        Files.write(whole, export.asByteArray());

        String csv = given().auth().oauth2(Tokens.user("carol")).queryParam("actor", "alice").queryParam("format", "csv")
                .get("/api/audit/export").asString();
        assertThat(csv).contains("\"'=HYPERLINK(\"\"x\"\")").doesNotContain(",\"=HYPERLINK").doesNotContain(",=HYPERLINK");

        Result ok = run(key, whole);
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("intact: true").contains("matched an exported event");

        ArrayNode events = (ArrayNode) JSON.readTree(whole.toFile());
        ObjectNode victim = (ObjectNode) events.get(events.size() / 2);
        victim.put("actor", "mallory");
        Result rewritten = run(key, write("rewritten.json", events));
        assertThat(rewritten.exit()).isEqualTo(1);
        assertThat(rewritten.output()).contains("problem: REWRITTEN_ROW").contains("brokenAt: " + victim.get("id").asLong());

        ArrayNode cut = (ArrayNode) JSON.readTree(whole.toFile());
        cut.remove(cut.size() - 1);
        cut.remove(cut.size() - 1);
        Result tail = run(key, write("cut.json", cut));
        assertThat(tail.exit()).isEqualTo(1);
        assertThat(tail.output()).contains("problem: CUT_TAIL").contains("tail was cut");

        ArrayNode gap = (ArrayNode) JSON.readTree(whole.toFile());
        gap.remove(gap.size() / 2);
        Result removed = run(key, write("gap.json", gap));
        assertThat(removed.output()).contains("intact: true").contains("cannot be judged");
    }

    @Test
    void csvCellsThatASpreadsheetWouldRunAreNeutralised() {
        assertThat(AuditExport.cell("=1+2")).isEqualTo("'=1+2");
        assertThat(AuditExport.cell("+1")).isEqualTo("'+1");
        assertThat(AuditExport.cell("-1")).isEqualTo("'-1");
        assertThat(AuditExport.cell("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(AuditExport.cell("\tx")).isEqualTo("'\tx");
        assertThat(AuditExport.cell("\rx")).isEqualTo("'\rx");
        assertThat(AuditExport.cell("alice")).isEqualTo("alice");
    }

    private Path write(String name, ArrayNode events) throws IOException {
        Path file = work.resolve(name);
        JSON.writeValue(file.toFile(), events);
        return file;
    }

    private record Result(int exit, String output) {
    }

    private Result run(Path key, Path export) throws Exception {
        Process process = new ProcessBuilder(List.of("bin/audit-verify", "--public-key", key.toString(), "--checkpoints",
                checkpointDir.toString(), export.toString())).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }
}
