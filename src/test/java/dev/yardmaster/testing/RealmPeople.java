package dev.yardmaster.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Adds people to the test run's Keycloak realm through its admin API (the bootstrap admin that
 * bin/test and bin/demo start Keycloak with), for tests that need a person nobody else's events
 * mention: a chatops bot may only act for a user the realm knows.
 */
public final class RealmPeople {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private RealmPeople() {
    }

    /** A new enabled user with a fresh name ({@code u1a2b3c4d}) holding the realm role; returns the name. */
    public static String fresh(String role) {
        String name = "u" + UUID.randomUUID().toString().substring(0, 8);
        try {
            String admin = adminToken();
            String base = Tokens.KEYCLOAK + "/admin/realms/yardmaster";
            send(admin, "POST", base + "/users", Map.of("username", name, "enabled", true), 201);
            String id = (String) JSON.readValue(send(admin, "GET", base + "/users?exact=true&username=" + name, null, 200),
                    List.class).stream().map(u -> ((Map<?, ?>) u).get("id")).findFirst().orElseThrow();
            Object roleRepresentation = JSON.readValue(send(admin, "GET", base + "/roles/" + role, null, 200), Map.class);
            send(admin, "POST", base + "/users/" + id + "/role-mappings/realm", List.of(roleRepresentation), 204);
            return name;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not add a person to the realm at " + Tokens.KEYCLOAK, e);
        }
    }

    private static String adminToken() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create(Tokens.KEYCLOAK + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=password&client_id=admin-cli&username=admin&password=admin"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Keycloak's bootstrap admin got no token: " + response.statusCode());
        }
        return (String) JSON.readValue(response.body(), Map.class).get("access_token");
    }

    private static String send(String token, String method, String url, Object body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
