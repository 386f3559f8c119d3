package dev.yardmaster.security;

import java.util.List;

/**
 * The four roles of the Keycloak realm, lowest first. Keycloak makes each one a composite of
 * the one below it, so a token that says {@code release-manager} also says {@code deployer}
 * and {@code viewer}, and {@code @RolesAllowed(VIEWER)} admits everybody signed in.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String DEPLOYER = "deployer";
    public static final String RELEASE_MANAGER = "release-manager";
    public static final String ADMIN = "admin";

    /**
     * Not a rung of the ladder above: held by a chat bot's service account, it lets the bot name
     * the person it acts for ({@code onBehalfOf}). A person holding it gains nothing.
     */
    public static final String CHATOPS = "chatops";

    /** Lowest first. */
    public static final List<String> ALL = List.of(VIEWER, DEPLOYER, RELEASE_MANAGER, ADMIN);

    private Roles() {
    }
}
