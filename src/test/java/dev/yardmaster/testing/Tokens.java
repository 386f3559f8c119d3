package dev.yardmaster.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Real access tokens from the test run's Keycloak: the password grant for the demo users and
 * the client-credentials grant for the chatops bot. Cached per JVM (tokens live 15 minutes).
 */
public final class Tokens {

    public static final String KEYCLOAK = System.getProperty("yardmaster.test.keycloak", "http://127.0.0.1:8180");
    private static final String TOKEN_URL = KEYCLOAK + "/realms/yardmaster/protocol/openid-connect/token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, Cached> CACHE = new ConcurrentHashMap<>();

    private record Cached(String token, long expiresAtMillis) {
    }

    private Tokens() {
    }

    /** A demo user's access token (password = user name). */
    public static String user(String name) {
        return cached("user:" + name, () -> request(Map.of("grant_type", "password", "client_id", "yardmaster-console",
                "client_secret", "yardmaster-console-secret", "username", name, "password", name, "scope", "openid")));
    }

    /** The chatops bot's access token (client credentials). */
    public static String bot() {
        return cached("bot", () -> request(Map.of("grant_type", "client_credentials", "client_id", "chatops-bot",
                "client_secret", "chatops-bot-secret")));
    }

    /**
     * A service account's token: {@code plain-bot} (deployer, no chatops role) or
     * {@code release-bot} (release-manager and chatops); the secret is the client id plus "-secret".
     */
    public static String serviceAccount(String clientId) {
        return cached("client:" + clientId, () -> request(Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", clientId + "-secret")));
    }

    /** A demo user's token issued to {@code other-app}, another client of the realm: not for Yardmaster. */
    public static String otherApp(String name) {
        return cached("other-app:" + name, () -> request(Map.of("grant_type", "password", "client_id", "other-app",
                "client_secret", "other-app-secret", "username", name, "password", name)));
    }

    /** The token for an identity of the authorization matrix: a user name, "chatops-bot" or another bot client. */
    public static String forIdentity(String identity) {
        if (identity.equals("chatops-bot")) {
            return bot();
        }
        return identity.endsWith("-bot") ? serviceAccount(identity) : user(identity);
    }

    private interface Fetch {
        Map<String, Object> get() throws IOException, InterruptedException;
    }

    private static String cached(String key, Fetch fetch) {
        Cached hit = CACHE.get(key);
        if (hit != null && hit.expiresAtMillis > System.currentTimeMillis() + 30_000) {
            return hit.token;
        }
        try {
            Map<String, Object> body = fetch.get();
            String token = (String) body.get("access_token");
            long lifetime = ((Number) body.get("expires_in")).longValue() * 1000;
            CACHE.put(key, new Cached(token, System.currentTimeMillis() + lifetime));
            return token;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("Keycloak at " + KEYCLOAK + " did not issue a token; is it running (bin/test starts it)?", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> request(Map<String, String> form) throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(TOKEN_URL))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Token request failed with " + response.statusCode() + ": " + response.body());
        }
        return new ObjectMapper().readValue(response.body(), Map.class);
    }
}
