package dev.yardmaster.security;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Double-submit CSRF token for the browser: a random token in an HttpOnly cookie, repeated in
 * a hidden field of every form ({@code {inject:csrf.token}}) or in the {@code X-CSRF-Token}
 * header of the page's own fetch calls. Only requests that ride on the session cookie need
 * it: a bot's bearer token cannot be sent by a third-party page, so the API stays
 * token-free for bots. (Quarkus' rest-csrf filter rejects every non-form body, which would
 * shut bots out of the JSON API, hence this small filter.)
 */
@RequestScoped
@Named("csrf")
public class Csrf {

    public static final String COOKIE = "ym-csrf";
    public static final String FIELD = "csrf-token";
    public static final String HEADER = "X-CSRF-Token";
    private static final Pattern FORMAT = Pattern.compile("^[A-Za-z0-9_-]{43}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    RoutingContext routing;

    private String token;

    /** The token to embed in forms; issues a cookie on first use. */
    public String token() {
        if (token == null) {
            String existing = cookieToken(routing);
            if (existing != null) {
                token = existing;
            } else {
                byte[] bytes = new byte[32];
                RANDOM.nextBytes(bytes);
                token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                routing.response().addCookie(Cookie.cookie(COOKIE, token).setPath("/").setHttpOnly(true)
                        .setSameSite(CookieSameSite.STRICT));
            }
        }
        return token;
    }

    public String parameterName() {
        return FIELD;
    }

    static String cookieToken(RoutingContext routing) {
        Cookie cookie = routing.request().getCookie(COOKIE);
        return cookie != null && FORMAT.matcher(cookie.getValue()).matches() ? cookie.getValue() : null;
    }

    static boolean matches(String expected, String presented) {
        return expected != null && presented != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
    }
}
