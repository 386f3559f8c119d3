package dev.yardmaster.web;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * A one-shot message carried across the redirect that follows a form post (POST, then 303 to
 * a GET). It lives in a short cookie and is cleared once a page has shown it.
 */
@RequestScoped
@Named("flash")
public class Flash {

    static final String COOKIE = "ym-flash";

    @Inject
    HttpHeaders headers;

    private boolean shown;

    /** 303 to {@code path} with a success message. */
    public Response redirect(String path, String message) {
        return redirect(path, "ok", message);
    }

    /** 303 to {@code path} with an error message. */
    public Response redirectWithError(String path, String message) {
        return redirect(path, "error", message);
    }

    private Response redirect(String path, String kind, String message) {
        String value = URLEncoder.encode(kind + "|" + message, StandardCharsets.UTF_8);
        return Response.seeOther(URI.create(safeLocalPath(path)))
                .cookie(new NewCookie.Builder(COOKIE).value(value).path("/").maxAge(60).httpOnly(true)
                        .sameSite(NewCookie.SameSite.LAX).build())
                .build();
    }

    /** Only local absolute paths: a redirect must never leave the console. */
    public static String safeLocalPath(String path) {
        if (path == null || !path.startsWith("/") || path.startsWith("//") || path.contains("\\")) {
            return "/";
        }
        return path;
    }

    public String message() {
        String[] parts = read();
        return parts == null ? null : parts[1];
    }

    public boolean isError() {
        String[] parts = read();
        return parts != null && parts[0].equals("error");
    }

    private String[] read() {
        var cookie = headers.getCookies().get(COOKIE);
        if (cookie == null || cookie.getValue().isEmpty()) {
            return null;
        }
        String decoded = URLDecoder.decode(cookie.getValue(), StandardCharsets.UTF_8);
        int bar = decoded.indexOf('|');
        if (bar < 0) {
            return null;
        }
        shown = true;
        return new String[] {decoded.substring(0, bar), decoded.substring(bar + 1)};
    }

    boolean wasShown() {
        return shown;
    }

    /** Clears the cookie on the response of the page that showed the message. */
    public static class Clearing {
        @Inject
        Flash flash;

        @ServerResponseFilter
        public void clear(ContainerResponseContext response) {
            if (flash.wasShown() && !response.getHeaders().containsKey(HttpHeaders.SET_COOKIE)) {
                response.getHeaders().add(HttpHeaders.SET_COOKIE,
                        new NewCookie.Builder(COOKIE).value("").path("/").maxAge(0).build());
            }
        }
    }
}
