package dev.yardmaster.ssh;

/** Receives a remote command's output line by line as it arrives. */
@FunctionalInterface
public interface OutputListener {

    /** Which stream a line came from. */
    enum Stream {
        STDOUT, STDERR
    }

    void line(Stream stream, String line);

    OutputListener IGNORE = (stream, line) -> {
    };
}
