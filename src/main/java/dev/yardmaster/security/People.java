package dev.yardmaster.security;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for telling people apart, used by four-eyes approval, self-approval and the
 * audit log's actor filter. Keycloak keeps user names in lower case and matches them without
 * regard to case, so {@code Bob} and {@code bob} are one person here too. An action has up to
 * two names behind it: the authenticated principal (a person, or a bot's client id) and the
 * person a chatops bot acted for; both count, so nobody approves what they asked for directly
 * or through a bot.
 */
public final class People {

    /** What a person's name in {@code onBehalfOf} may look like: a Keycloak user name. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}");

    private People() {
    }

    /** The form two names are compared in (and the audit filter searches by); null stays null. */
    public static String key(String name) {
        return name == null || name.isBlank() ? null : name.strip().toLowerCase(Locale.ROOT);
    }

    public static boolean same(String a, String b) {
        String left = key(a);
        return left != null && left.equals(key(b));
    }

    /** Everyone behind one action: the principal and whom it acted for, as keys. */
    public static Set<String> behind(String principal, String onBehalfOf) {
        Set<String> names = new LinkedHashSet<>();
        if (key(principal) != null) {
            names.add(key(principal));
        }
        if (key(onBehalfOf) != null) {
            names.add(key(onBehalfOf));
        }
        return names;
    }

    /** Whether any one person stands behind both actions. */
    public static boolean overlap(Set<String> one, Set<String> other) {
        return one.stream().anyMatch(other::contains);
    }
}
