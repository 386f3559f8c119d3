package dev.yardmaster.rollout;

import dev.yardmaster.ssh.RemoteCommand;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A host's steps as one remote script: check ({@code rpm -q}), update, verify, restart, health.
 * One exec instead of one per step: on a fleet every exec costs a channel and a login shell,
 * about as much as the update itself on the loopback fleet (bench/rolls.sh). The script prints
 * a marker line ({@code @@yardmaster-<nonce> update}) as it enters each step, so the runner
 * stores each step as it is reached and gives it its own timeout; the nonce is random per run,
 * so nothing else the host prints (a package scriptlet, say) can pass for a marker.
 *
 * <p>The script is the resource {@code host-script.sh} (named functions, checked by shellcheck):
 * the decisions made on the host are the runner's rules, written once there. Package name, EVR,
 * service and commands are validated tokens, quoted by {@link RemoteCommand#words()}.
 */
public final class HostScript {

    /** Starts every marker line, before the run's nonce. */
    public static final String MARK = "@@yardmaster-";

    /** The script's functions, comment lines dropped (they are for readers, and may hold quotes). */
    private static final String FUNCTIONS = load();

    /** What a host found at the target does (the script's AT_TARGET argument). */
    public enum AtTarget {
        /** Nothing: it was there before the roll. */
        STOP("stop"),
        /**
         * Restart unless the host shows the restart after the install is done (the service started
         * at or after the package's install time): an earlier attempt changed it, or may have, and
         * may have restarted it before its record was stored.
         */
        CHECK("check"),
        /** Check health only: the restart was stored as done. */
        HEALTH("health");

        final String word;

        AtTarget(String word) {
            this.word = word;
        }
    }

    /** Exit status of the script when rpm -q does not say the target after the update. */
    static final int NOT_AT_TARGET = 97;

    /** Architectures rpm -q may print after the release (the script strips the same list). */
    private static final List<String> ARCHES = List.of("noarch", "x86_64", "aarch64", "i686", "i386", "ppc64le", "s390x",
            "armv7hl", "src");
    private static final Pattern ARCH = Pattern.compile(String.join("|", ARCHES));

    /**
     * rpm's query format: name-[epoch:]version-release.arch. Plain {@code rpm -q} leaves the
     * epoch out, so a build with an epoch would never match its own EVR.
     */
    public static final String QUERY_FORMAT = "%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}\\n";

    private HostScript() {
    }

    /**
     * The script for one host. {@code change} updates (or installs the exact build); it and
     * {@code restart} and {@code health} come from the configured templates. {@code exact}, when
     * {@code change} is an update, installs the exact build on a host the update did not bring to
     * the target: after a rollback the promoted build is older than the one a host runs, and
     * {@code yum update} never goes down (dnf's {@code install} of an older build does); null when
     * {@code change} already is the exact install. {@code nonce} marks this run's step markers.
     */
    public static RemoteCommand build(String packageName, String targetEvr, String nonce, String service, RemoteCommand change,
            RemoteCommand exact, RemoteCommand restart, RemoteCommand health, AtTarget atTarget) {
        return build(packageName, targetEvr, nonce, service, change, exact, restart, health, atTarget, null);
    }

    /** An HTTP check for one host: its URL filled in ({@link HttpCheck#url}) and the check's other parts. */
    public record HttpProbe(String url, HttpCheck check) {
        public HttpProbe {
            if (check.body() != null && !HttpCheck.BODY.matcher(check.body()).matches()) {
                throw new IllegalArgumentException("not a plain body pattern");
            }
        }

        /** The script's {@code http} function: {@code http_check} with quoted words. */
        String function() {
            // The body pattern holds no " $ \ ` or single quote (HttpCheck.BODY): one literal word in double quotes.
            return "http() { http_check " + RemoteCommand.of(url, String.valueOf(check.status()), check.maxTimeSeconds(),
                    String.valueOf(check.retries())).words() + " \"" + (check.body() == null ? "" : check.body()) + "\"; }\n";
        }

        @Override
        public String toString() {
            return "GET " + url + " (expect " + check.status() + (check.body() == null ? "" : " and a line matching " + check.body())
                    + ")";
        }
    }

    /**
     * The same with an HTTP check after the command check ({@code http}: null for none). The
     * script's {@code http_check} runs curl on the host.
     */
    public static RemoteCommand build(String packageName, String targetEvr, String nonce, String service, RemoteCommand change,
            RemoteCommand exact, RemoteCommand restart, RemoteCommand health, AtTarget atTarget, HttpProbe http) {
        StringBuilder s = new StringBuilder(FUNCTIONS);
        s.append("change() { exec ").append(change.words()).append("; }\n");
        s.append("exact() { exec ").append((exact == null ? change : exact).words()).append("; }\n");
        s.append("restart() { exec ").append(restart.words()).append("; }\n");
        s.append("health() { exec ").append(health.words()).append("; }\n");
        s.append(http == null ? "http() { :; }\n" : http.function());
        s.append("roll_host ").append(RemoteCommand.of(packageName, targetEvr, nonce, service, atTarget.word).words())
                .append(exact == null ? " \"\"" : " \"1\"").append('\n');
        return RemoteCommand.script(s.toString(), "rpm -q " + packageName + "; " + change + "; rpm -q " + packageName + "; "
                + (exact == null ? "" : "(if not at the target: " + exact + "; rpm -q " + packageName + ") ")
                + restart + "; " + health + (http == null ? "" : "; " + http));
    }

    /**
     * The health check alone, as the runner repeats it until it passes: the command, then the
     * HTTP check ({@code http}: null for none, then it is the command itself).
     */
    public static RemoteCommand health(RemoteCommand health, HttpProbe http) {
        if (http == null) {
            return health;
        }
        String s = FUNCTIONS + "health() { exec " + health.words() + "; }\n" + http.function() + "run health || exit $?\nhttp\n";
        return RemoteCommand.script(s, health + "; " + http);
    }

    private static String load() {
        try (var in = HostScript.class.getResourceAsStream("host-script.sh")) {
            if (in == null) {
                throw new IllegalStateException("host-script.sh is missing from the classpath");
            }
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.strip().startsWith("#") && !line.isBlank()) {
                    kept.append(line).append('\n');
                }
            }
            if (kept.indexOf("'") >= 0) {
                throw new IllegalStateException("host-script.sh holds a single quote outside a comment");
            }
            return kept.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code rpm -q} of some packages with {@link #QUERY_FORMAT}: one line per installed package,
     * {@code package x is not installed} for the others.
     */
    public static RemoteCommand query(List<String> packages) {
        StringBuilder s = new StringBuilder("exec rpm -q --qf \"").append(QUERY_FORMAT).append('"');
        for (String p : packages) {
            s.append(' ').append(RemoteCommand.of(p).words());
        }
        return RemoteCommand.script(s.toString(), "rpm -q " + String.join(" ", packages));
    }

    /** The EVR in rpm -q output (the first line for the package), as the script reads it; null when not installed. */
    public static String installed(String packageName, List<String> rpmOutput) {
        for (String line : rpmOutput) {
            if (line.startsWith(packageName + "-")) {
                return evr(packageName, line.strip());
            }
        }
        return null;
    }

    /** {@code flingerator-1.2.0-1.noarch} → {@code 1.2.0-1}; {@code x-0:1-1.noarch} → {@code 1-1}. */
    public static String evr(String packageName, String nevra) {
        String rest = nevra.substring(packageName.length() + 1);
        int dot = rest.lastIndexOf('.');
        if (dot > 0 && ARCH.matcher(rest.substring(dot + 1)).matches()) {
            rest = rest.substring(0, dot);
        }
        return rest.startsWith("0:") ? rest.substring(2) : rest;
    }
}
