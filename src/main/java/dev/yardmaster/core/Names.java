package dev.yardmaster.core;

import java.util.regex.Pattern;

/**
 * The one place that says what a name may look like. Every API check, page form, inventory import
 * and shell command validates against these, so a name one part accepts is never refused (or
 * quoted differently) by another; the database's CHECK constraints repeat the same expressions.
 * None of them admits a character a shell, an SSH option parser or a path would read specially.
 */
public final class Names {

    /** Environments: {@code review}, {@code staging}, {@code prod}, {@code eu-prod}. */
    public static final Pattern ENVIRONMENT = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    /** Node types (the role of a server: {@code web}, {@code worker}). */
    public static final Pattern NODE_TYPE = Pattern.compile("[a-z][a-z0-9-]{0,39}");
    /** Free tags on hosts ({@code canary}, {@code az-b}). */
    public static final Pattern TAG = Pattern.compile("[a-z0-9._+-]{1,40}");
    /** RPM package names. */
    public static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,99}");
    /** systemd unit names of services. */
    public static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}");
    /** A full {@code [epoch:]version-release}. */
    public static final Pattern EVR = Pattern.compile("([0-9]{1,10}:)?[A-Za-z0-9._+~^]{1,64}-[A-Za-z0-9._+~^]{1,64}");
    /** A version with or without its release (what a person types: {@code 1.2.0} or {@code 1.2.0-1}). */
    public static final Pattern VERSION = Pattern.compile("([0-9]{1,10}:)?[A-Za-z0-9._+~^]{1,64}(-[A-Za-z0-9._+~^]{1,64})?");
    /** An RPM file name in a repo directory. */
    public static final Pattern RPM_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~^-]*\\.rpm");
    /** Host names and IPv4/IPv6 addresses; nothing a shell or ssh option parser would read. */
    public static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:]{2,39}");

    private Names() {
    }

    /** Whether {@code text} is non-null and matches {@code pattern} as a whole. */
    public static boolean valid(Pattern pattern, String text) {
        return text != null && pattern.matcher(text).matches();
    }

    /** User text echoed in a message: cut and stripped of control characters. */
    public static String printable(String text) {
        if (text == null) {
            return "";
        }
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
