package dev.yardmaster.rollout;

import dev.yardmaster.core.Names;
import dev.yardmaster.ssh.RemoteCommand;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A service's HTTP health check, run after the command check: GET {@link #url} and expect
 * {@link #status} (and a line matching {@link #body}, when given), within {@link #timeout}, tried
 * {@link #retries} more times a second apart.
 *
 * <p>It runs <em>on the host</em>, with curl, inside the host's script (host-script.sh,
 * {@code http_check}): it tests the service where it runs, not the network between the console
 * and the host; it needs no firewall rule from the console to every service port; and it costs no
 * extra round trip, the answer arrives with the rest of the host's steps. The URL is a template
 * checked here, strictly: the filled URL must be a plain {@link RemoteCommand#TOKEN} (no query
 * string, no quote or shell character), and the body pattern may hold no character a shell reads
 * inside double quotes; both reach the host only as quoted words.
 *
 * @param url     template: {@code http(s)://HOST[:PORT]/path} where HOST is {@code {host}} (the
 *                inventory name), {@code {address}} or a literal host name, PORT is {@code {port}}
 *                or a number, and the path may hold {@code {service}} and {@code {package}}
 * @param port    what {@code {port}} stands for
 * @param status  the HTTP status that passes
 * @param body    an extended regular expression (grep -E) a line of the answer must match, or null
 * @param timeout one request's time limit
 * @param retries attempts after the first, a second apart
 */
public record HttpCheck(String url, int port, int status, String body, Duration timeout, int retries) {

    /** Defaults of a check's parts, for the configuration and for plans. */
    public static final String DEFAULT_PORT = "80", DEFAULT_STATUS = "200", DEFAULT_TIMEOUT = "5s", DEFAULT_RETRIES = "2";

    /** The placeholders a template may use. */
    public static final Set<String> PLACEHOLDERS = Set.of("host", "address", "port", "service", "package");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    private static final Pattern SHAPE = Pattern.compile("(https?)://([^/:]+)(?::([^/]+))?(/.*)?");
    /** The path: what a {@link RemoteCommand#TOKEN} may hold, placeholders aside. */
    private static final Pattern PATH = Pattern.compile("(/([A-Za-z0-9._~:@=,%+-]|\\{service}|\\{package})*)*");
    /**
     * A body pattern: printable ASCII without {@code " $ \ `} and the single quote, the characters
     * a shell reads inside double quotes (and the script is sent single-quoted). {@code [.]} does
     * what a backslash would; {@code $} anchors are not needed to find a line.
     */
    public static final Pattern BODY = Pattern.compile("[ !#%&()*+,./0-9:;<=>?@A-Z\\[\\]^_a-z{|}~-]{1,200}");
    private static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);

    /** Turns a refused part (its field or property name, and why) into the caller's exception. */
    @FunctionalInterface
    public interface Refusal {
        RuntimeException refuse(String field, String message);
    }

    /**
     * This check if every part is well formed, else {@code refuse}'s exception naming the part
     * ({@code name} turns {@code url}, {@code status}, ... into the plan field or the property).
     */
    public HttpCheck validated(java.util.function.Function<String, String> name, Refusal refuse) {
        template(name, refuse, url);
        if (port < 1 || port > 65535) {
            throw refuse.refuse(name.apply("port"), name.apply("port") + " must be between 1 and 65535, not " + port + ".");
        }
        if (status < 100 || status > 599) {
            throw refuse.refuse(name.apply("status"), name.apply("status") + " must be an HTTP status (100-599), not " + status + ".");
        }
        if (body != null) {
            if (!BODY.matcher(body).matches()) {
                throw refuse.refuse(name.apply("body"), name.apply("body") + ": '" + Names.printable(body) + "' may hold up to 200 printable"
                        + " characters but no quote, $, \\ or backquote (write [.] for a literal dot).");
            }
            try {
                Pattern.compile(body);
            } catch (PatternSyntaxException e) {
                throw refuse.refuse(name.apply("body"), name.apply("body") + ": '" + Names.printable(body) + "' is not a regular expression: "
                        + e.getDescription() + ".");
            }
        }
        if (timeout == null || timeout.toMillis() < 100 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw refuse.refuse(name.apply("timeout"), name.apply("timeout") + " must be between 100ms and 60s.");
        }
        if (retries < 0 || retries > 10) {
            throw refuse.refuse(name.apply("retries"), name.apply("retries") + " must be between 0 and 10, not " + retries + ".");
        }
        return this;
    }

    /** Refuses a URL template that is not {@code http(s)://HOST[:PORT]/path} of plain characters and known placeholders. */
    static void template(java.util.function.Function<String, String> name, Refusal refuse, String template) {
        if (template == null || template.isBlank()) {
            throw refuse.refuse(name.apply("url"), name.apply("url") + " is required: a template like http://{address}:{port}/healthz.");
        }
        String bad = name.apply("url") + ": '" + Names.printable(template) + "' ";
        if (template.length() > 200) {
            throw refuse.refuse(name.apply("url"), bad + "is longer than 200 characters.");
        }
        Matcher p = PLACEHOLDER.matcher(template);
        while (p.find()) {
            if (!PLACEHOLDERS.contains(p.group(1))) {
                throw refuse.refuse(name.apply("url"), bad + "has an unknown placeholder {" + Names.printable(p.group(1))
                        + "}; known: {host}, {address}, {port}, {service}, {package}.");
            }
        }
        Matcher m = SHAPE.matcher(template);
        if (!m.matches()) {
            throw refuse.refuse(name.apply("url"), bad + "is not an http:// or https:// URL like http://{address}:{port}/healthz.");
        }
        String host = m.group(2);
        if (!host.equals("{host}") && !host.equals("{address}") && !Names.HOST.matcher(host).matches()) {
            throw refuse.refuse(name.apply("url"), bad + "names its host '" + Names.printable(host)
                    + "': use {host}, {address} or a host name.");
        }
        String port = m.group(3);
        if (port != null && !port.equals("{port}") && !(port.matches("[0-9]{1,5}") && Integer.parseInt(port) <= 65535
                && Integer.parseInt(port) > 0)) {
            throw refuse.refuse(name.apply("url"), bad + "has the port '" + Names.printable(port) + "': use {port} or a number.");
        }
        String path = m.group(4) == null ? "" : m.group(4);
        if (!PATH.matcher(path).matches()) {
            throw refuse.refuse(name.apply("url"), bad + "has a path with characters other than letters, digits and . _ ~ : @ = , % + -"
                    + " (no query string, no quotes or spaces).");
        }
    }

    /**
     * The URL for one host, as one plain token for the host's script; an
     * {@link IllegalArgumentException} when a filled-in value makes it more than that (an IPv6
     * address, say).
     */
    public String url(String hostName, String address, String service, String packageName) {
        if (url.contains("{address}") && address.contains(":") || url.contains("{host}") && hostName.contains(":")) {
            // It would need brackets, which are no plain token.
            throw new IllegalArgumentException("the health URL cannot hold the IPv6 address " + Names.printable(address)
                    + "; use {host} with a host name");
        }
        String filled = url;
        for (var e : Map.of("host", hostName, "address", address, "port", String.valueOf(port), "service", service,
                "package", packageName).entrySet()) {
            filled = filled.replace("{" + e.getKey() + "}", e.getValue());
        }
        if (!RemoteCommand.TOKEN.matcher(filled).matches()) {
            throw new IllegalArgumentException("the health URL for this host is not plain: " + Names.printable(filled));
        }
        return filled;
    }

    /** {@link #timeout} in seconds for curl's {@code --max-time}. */
    public String maxTimeSeconds() {
        return String.format(java.util.Locale.ROOT, "%d.%03d", timeout.toMillis() / 1000, timeout.toMillis() % 1000);
    }
}
