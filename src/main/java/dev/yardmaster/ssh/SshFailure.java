package dev.yardmaster.ssh;

import java.io.IOException;

/**
 * An SSH connection or command that did not work, with the reason a person needs: the server
 * refused the connection, its host key changed, the key was not accepted, a step timed out.
 */
public class SshFailure extends IOException {

    /** Why it failed; stable names for host states and problem types. */
    public enum Kind {
        /** Nothing answered on the address and port (refused, reset, no route). */
        UNREACHABLE,
        /** The server presented a key different from the one in known_hosts. */
        HOST_KEY_CHANGED,
        /** The server is not in known_hosts. */
        HOST_KEY_UNKNOWN,
        /** The server did not accept our key. */
        AUTH_FAILED,
        /** Connecting, authenticating or a command took longer than allowed. */
        TIMEOUT,
        /** The connection broke while in use. */
        DISCONNECTED,
        /** SSH is not configured (no key or known_hosts file). */
        NOT_CONFIGURED
    }

    private final Kind kind;

    public SshFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public SshFailure(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}
