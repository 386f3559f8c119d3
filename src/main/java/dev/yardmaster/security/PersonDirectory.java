package dev.yardmaster.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.core.YardmasterException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The realm's people as Keycloak knows them, for the person a chatops bot says it acts for:
 * whether that user exists, is enabled, and which realm roles (composites expanded) it holds.
 * Read through Keycloak's admin REST API with the console client's service account, which
 * holds only realm-management {@code view-users}. Answers, also "no such person", are kept for
 * {@code yardmaster.security.directory.cache-time}, so a chatty bot costs Keycloak two
 * requests per person per minute. When Keycloak cannot answer, the call is refused (503): a
 * claim nobody can check is not taken on trust.
 */
@ApplicationScoped
public class PersonDirectory {

    /** A user of the realm: its canonical (lower-case) name, whether enabled, its realm roles. */
    public record Person(String name, boolean enabled, Set<String> roles) {
    }

    private record Cached(Optional<Person> person, Instant until) {
    }

    private record Token(String value, Instant until) {
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Inject
    SecurityConfig config;

    @Inject
    ObjectMapper json;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile Token token;
    Clock clock = Clock.systemUTC();

    /** The person with this user name (any case), or empty if the realm has no such user. */
    public Optional<Person> find(String name) {
        String key = People.key(name);
        Cached hit = cache.get(key);
        Instant now = clock.instant();
        if (hit != null && hit.until().isAfter(now)) {
            return hit.person();
        }
        Optional<Person> person = lookUp(key);
        cache.put(key, new Cached(person, now.plus(config.directory().cacheTime())));
        return person;
    }

    private Optional<Person> lookUp(String key) {
        String admin = adminUrl();
        JsonNode users = get(admin + "/users?exact=true&briefRepresentation=true&username="
                + URLEncoder.encode(key, StandardCharsets.UTF_8));
        for (JsonNode user : users) {
            if (People.same(user.path("username").asText(null), key)) {
                Set<String> roles = new HashSet<>();
                for (JsonNode role : get(admin + "/users/" + user.path("id").asText() + "/role-mappings/realm/composite")) {
                    roles.add(role.path("name").asText());
                }
                return Optional.of(new Person(People.key(user.path("username").asText()),
                        user.path("enabled").asBoolean(false), Set.copyOf(roles)));
            }
        }
        return Optional.empty();
    }

    private String adminUrl() {
        String realm = config.directory().realmUrl().replaceAll("/+$", "");
        int at = realm.lastIndexOf("/realms/");
        return realm.substring(0, at) + "/admin" + realm.substring(at);
    }

    private JsonNode get(String url) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + serviceToken()).GET().build());
        if (response.statusCode() == 401) {
            token = null;
        }
        if (response.statusCode() != 200) {
            throw unavailable("Keycloak's admin API answered " + response.statusCode());
        }
        return read(response.body());
    }

    private String serviceToken() {
        Token current = token;
        if (current != null && current.until().isAfter(clock.instant())) {
            return current.value();
        }
        String form = "grant_type=client_credentials&client_id="
                + URLEncoder.encode(config.directory().clientId(), StandardCharsets.UTF_8)
                + "&client_secret=" + URLEncoder.encode(config.directory().clientSecret(), StandardCharsets.UTF_8);
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                URI.create(config.directory().realmUrl().replaceAll("/+$", "") + "/protocol/openid-connect/token"))
                .timeout(TIMEOUT).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
        if (response.statusCode() != 200) {
            throw unavailable("the console's service account got no token (" + response.statusCode() + ")");
        }
        JsonNode body = read(response.body());
        // Renew 30 s early so a token never expires between here and Keycloak.
        long lifetime = Math.max(0, body.path("expires_in").asLong(60) - 30);
        token = new Token(body.path("access_token").asText(), clock.instant().plusSeconds(lifetime));
        return token.value();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unavailable(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private JsonNode read(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw unavailable("unreadable answer");
        }
    }

    private static YardmasterException unavailable(String why) {
        return new YardmasterException(503, "directory-unavailable", "Service unavailable",
                "Yardmaster could not check the person this call is made on behalf of (" + why + "); try again.",
                Map.of());
    }
}
