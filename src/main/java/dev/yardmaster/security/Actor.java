package dev.yardmaster.security;

/**
 * Who did something, as recorded in the audit log. A bot acting for a chat user is recorded as
 * itself with the chat user in {@code onBehalfOf}; background work is {@link #system()}.
 */
public record Actor(String name, String onBehalfOf, String roles, String clientId, String sourceIp,
        String userAgent) {

    public static Actor system() {
        return new Actor("yardmaster", null, "", null, null, null);
    }
}
