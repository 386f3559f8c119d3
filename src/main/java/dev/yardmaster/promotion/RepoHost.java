package dev.yardmaster.promotion;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Where the yum repo server's commands run: this machine, or the repo server over SSH. The
 * promotion effect is written once as argument vectors (never shell strings built from user
 * text) and runs the same way in both modes.
 */
public interface RepoHost {

    /** What a finished command printed and how it exited. */
    record Result(int exitCode, byte[] stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public String text() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** A command that keeps running (a held lock) until closed. */
    interface Held extends Closeable {
        @Override
        void close();
    }

    /** Runs a command to completion; a timeout kills it and is reported as exit code 124. */
    Result run(List<String> argv, Duration timeout);

    /**
     * Starts a command and returns once it printed {@code readyLine} on stdout (e.g. a lock
     * was acquired); closing the handle ends the command.
     */
    Held hold(List<String> argv, String readyLine, Duration timeout);

    /** Where this host is, for messages. */
    String describe();
}
