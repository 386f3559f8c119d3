package dev.yardmaster.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.yardmaster.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URL;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Strict input (issue 16, reproduction 7): an unknown JSON property or query parameter, or a
 * value of the wrong type, is a 400 problem naming it. One test walks the OpenAPI document and
 * sends every JSON body of the API an unknown property and wrong types.
 */
@QuarkusTest
class StrictInputTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** On the management interface, whose root is already /q. */
    @TestHTTPResource(value = "openapi", management = true)
    URL openapi;

    @Test
    void aTypoInARollSelectionIsRefusedInsteadOfWideningTheRollToEveryHost() {
        Response response = given().auth().oauth2(Tokens.user("bob")).contentType("application/json")
                .body("{\"package\":\"flingerator\",\"environment\":\"prod\",\"host\":\"web-1\"}").post("/api/rolls/preview");
        assertProblem(response, 400, "unknown-property");
        assertThat(response.jsonPath().getString("property")).isEqualTo("host");
        assertThat(response.jsonPath().getList("knownProperties", String.class)).contains("names", "package", "environment");
        assertThat(response.jsonPath().getString("detail")).contains("'host'").contains("names");
    }

    @Test
    void aBodyOfTheWrongShapeNamesWhatWasExpected() {
        Response array = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("[]").post("/api/promotions");
        assertProblem(array, 400, "invalid-type");
        assertThat(array.jsonPath().getString("expected")).isEqualTo("object");

        Response notANumber = given().auth().oauth2(Tokens.user("alice")).contentType("application/json")
                .body("{\"buildId\":\"abc\"}").post("/api/promotions");
        assertProblem(notANumber, 400, "invalid-type");
        assertThat(notANumber.jsonPath().getString("property")).isEqualTo("buildId");
        assertThat(notANumber.jsonPath().getString("expected")).isEqualTo("integer");
        assertThat(notANumber.jsonPath().getString("detail")).contains("'buildId' must be an integer");
    }

    @Test
    void queryParametersAreAsStrictAsBodies() {
        Response mistyped = given().auth().oauth2(Tokens.user("carol")).queryParam("limit", "abc").get("/api/builds");
        assertProblem(mistyped, 400, "invalid-parameter-type");
        assertThat(mistyped.jsonPath().getString("parameter")).isEqualTo("limit");
        assertThat(mistyped.jsonPath().getString("expected")).isEqualTo("integer");

        Response unknown = given().auth().oauth2(Tokens.user("carol")).queryParam("limt", "5").get("/api/builds");
        assertProblem(unknown, 400, "unknown-parameter");
        assertThat(unknown.jsonPath().getList("knownParameters", String.class)).contains("limit");
    }

    /** Every JSON request body in the OpenAPI document: an unknown property, then a wrong type per property. */
    @Test
    void everyJsonBodyOfTheApiRefusesUnknownPropertiesAndWrongTypes() throws Exception {
        Response fetched = given().accept("application/json").get(openapi);
        assertThat(fetched.statusCode()).as(openapi + ": " + fetched.asString()).isEqualTo(200);
        JsonNode document = JSON.readTree(fetched.asString());
        List<String> checked = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext();) {
                Map.Entry<String, JsonNode> op = ops.next();
                JsonNode schema = resolve(document, op.getValue().path("requestBody").path("content")
                        .path("application/json").path("schema"));
                if (!schema.path("properties").isObject()) {
                    continue;
                }
                String method = op.getKey().toUpperCase();
                String url = path.getKey().replaceAll("\\{[^}]+}", "1");
                checked.add(method + " " + path.getKey());

                ObjectNode unknown = JSON.createObjectNode().put("surelyNotAProperty", 1);
                expect400(method, url, unknown.toString(), "unknown-property", failures);
                expect400(method, url, "[]", "invalid-type", failures);
                for (Iterator<Map.Entry<String, JsonNode>> props = schema.path("properties").fields(); props.hasNext();) {
                    Map.Entry<String, JsonNode> property = props.next();
                    ObjectNode wrong = JSON.createObjectNode();
                    JsonNode type = resolve(document, property.getValue());
                    boolean structured = type.path("type").asText("object").matches("object|array");
                    if (structured) {
                        wrong.put(property.getKey(), "not-" + type.path("type").asText("object"));
                    } else {
                        wrong.putObject(property.getKey()).put("nested", 1);
                    }
                    expect400(method, url, wrong.toString(), "invalid-type", failures);
                }
            }
        }
        assertThat(checked).as("endpoints with a JSON body").hasSizeGreaterThanOrEqualTo(8)
                .contains("POST /api/rolls/preview", "POST /api/promotions");
        assertThat(failures).isEmpty();
    }

    private static void expect400(String method, String url, String body, String slug, List<String> failures) {
        Response response = given().auth().oauth2(Tokens.user("dave")).contentType("application/json").body(body)
                .request(method, url);
        String type = response.contentType() == null ? "" : response.contentType();
        String problemType = type.startsWith("application/problem+json") ? response.jsonPath().getString("type") : "";
        if (response.statusCode() != 400 || problemType == null || !problemType.endsWith("/" + slug)) {
            failures.add(method + " " + url + " " + body + " -> " + response.statusCode() + " " + type + " " + response.asString());
        }
    }

    private static JsonNode resolve(JsonNode document, JsonNode schema) {
        JsonNode current = schema;
        if (current.has("allOf") && current.path("allOf").size() == 1) {
            current = current.path("allOf").get(0);
        }
        String ref = current.path("$ref").asText(null);
        if (ref == null) {
            return current;
        }
        return document.at(ref.substring(1));
    }

    private static void assertProblem(Response response, int status, String slug) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.jsonPath().getString("type")).endsWith("/" + slug);
    }
}
