package dev.yardmaster.ssh;

/** Lets tests in other packages build the shared SSH client from their own configuration. */
public final class TestSshSessions {

    private TestSshSessions() {
    }

    /** A started client; stop it when done. */
    public static SshSessions start(SshConfig config) {
        SshSessions sessions = new SshSessions(config);
        sessions.start();
        return sessions;
    }
}
