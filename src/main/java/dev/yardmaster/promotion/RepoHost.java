package dev.yardmaster.promotion;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where the yum repo server's commands run: this machine, or the repo server over SSH. The
 * promotion effect is written once as argument vectors (never shell strings built from user
 * text) and runs the same way in both modes.
 */
public interface RepoHost extends AutoCloseable {

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
     * Takes {@code flock -x} on {@code lockFile} (the lock a person takes with {@code flock
     * LOCKFILE createrepo_c ...}), waiting at most {@code wait}; the lock is held by a process
     * on the repo server until the handle is closed or the connection to it dies.
     */
    Held lock(String lockFile, Duration wait);

    /** The whole content of a file (repo metadata); a missing file is a {@link RepoException}. */
    byte[] read(String path);

    /** The symbolic links directly in {@code dir}: name → link target as written. */
    Map<String, String> links(String dir);

    /** An RPM in an environment directory: a symlink (with its link text) or a plain file (linkText null). */
    record RpmEntry(String name, String linkText) {
        public boolean isLink() {
            return linkText != null;
        }
    }

    /**
     * The {@code *.rpm} symlinks and regular files directly in {@code dir}, by name; a directory
     * that does not exist is a {@link RepoException}.
     */
    Map<String, RpmEntry> rpms(String dir);

    /** The content of a file, or empty when it does not exist; any other failure is a {@link RepoException}. */
    java.util.Optional<byte[]> readIfPresent(String path);

    /** Releases connections this host opened. */
    @Override
    default void close() {
    }

    /** Where this host is, for messages. */
    String describe();
}
