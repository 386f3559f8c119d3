package dev.yardmaster.ssh;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;

/**
 * One authenticated SSH session to one server. Runs commands with a timeout, streaming their
 * output line by line; a command that runs out of time, or is canceled, has its channel closed.
 * Close the connection when done (try-with-resources).
 */
public final class SshConnection implements AutoCloseable {

    private final ClientSession session;
    private final String where;
    private final Duration defaultTimeout;
    private volatile ChannelExec running;
    private final AtomicBoolean canceled = new AtomicBoolean();

    SshConnection(ClientSession session, String where, Duration defaultTimeout) {
        this.session = session;
        this.where = where;
        this.defaultTimeout = defaultTimeout;
    }

    ClientSession session() {
        return session;
    }

    /** {@code address:port} of the server. */
    public String where() {
        return where;
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    /** Runs a command with the configured default timeout. */
    public ExecResult exec(RemoteCommand command, OutputListener output) throws SshFailure {
        return exec(command, defaultTimeout, output);
    }

    /**
     * Runs a command, calling {@code output} for each line of stdout and stderr as it comes.
     * When {@code timeout} passes (or {@link #cancel()} is called) the channel is closed, which
     * ends the remote command, and the result says so. Throws only when the connection fails.
     */
    public ExecResult exec(RemoteCommand command, Duration timeout, OutputListener output) throws SshFailure {
        return exec(command, Deadline.in(timeout), output);
    }

    /**
     * Runs a command under a deadline that may move while it runs: a script of several steps
     * gives each step its own time by {@linkplain Deadline#reset resetting} the deadline as the
     * step's marker comes out. When the deadline passes the channel is closed, as above.
     */
    public ExecResult exec(RemoteCommand command, Deadline deadline, OutputListener output) throws SshFailure {
        long started = System.nanoTime();
        LineSplitter out = new LineSplitter(OutputListener.Stream.STDOUT, output);
        LineSplitter err = new LineSplitter(OutputListener.Stream.STDERR, output);
        ChannelExec channel;
        try {
            channel = session.createExecChannel(command.commandLine());
            channel.setOut(out);
            channel.setErr(err);
            running = channel;
            if (canceled.get()) {
                channel.close(true);
                return new ExecResult(null, false, true, Duration.ofNanos(System.nanoTime() - started));
            }
            long openTimeout = deadline.left().toMillis();
            if (openTimeout <= 0 || !channel.open().verify(openTimeout).isOpened()) {
                channel.close(true);
                throw new SshFailure(SshFailure.Kind.TIMEOUT, "could not open a channel to " + where);
            }
        } catch (SshFailure e) {
            throw e;
        } catch (IOException e) {
            if (!session.isOpen()) {
                throw new SshFailure(SshFailure.Kind.DISCONNECTED, "connection to " + where + " lost: " + e.getMessage(), e);
            }
            throw new SshFailure(SshFailure.Kind.TIMEOUT, "could not open a channel to " + where + ": " + e.getMessage(), e);
        }
        try {
            boolean timedOut = false;
            while (true) {
                // In whole milliseconds: MINA takes a wait of 0 ms as "wait forever".
                long left = deadline.left().toMillis();
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                // Wake now and then: the deadline may have moved on (or closer) meanwhile.
                Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Math.min(left, WAKE_MS));
                if (events.contains(ClientChannelEvent.CLOSED)) {
                    break;
                }
            }
            if (timedOut) {
                channel.close(true);
            }
            out.flushLine();
            err.flushLine();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            if (canceled.get()) {
                return new ExecResult(null, false, true, elapsed);
            }
            Integer status = timedOut ? null : channel.getExitStatus();
            if (status == null && !timedOut && !session.isOpen()) {
                throw new SshFailure(SshFailure.Kind.DISCONNECTED, "connection to " + where + " lost during '" + command + "'");
            }
            return new ExecResult(status, timedOut, false, elapsed);
        } finally {
            running = null;
            channel.close(true);
        }
    }

    private static final long WAKE_MS = 250;

    /** Ends the running command, if any, by closing its channel; later commands are refused. */
    public void cancel() {
        canceled.set(true);
        ChannelExec channel = running;
        if (channel != null) {
            channel.close(true);
        }
    }

    /** An SFTP client over this session (close it when done). */
    public SftpClient sftp() throws SshFailure {
        try {
            return SftpClientFactory.instance().createSftpClient(session);
        } catch (IOException e) {
            throw new SshFailure(SshFailure.Kind.DISCONNECTED, "SFTP to " + where + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        session.close(true);
    }

    /** Turns a byte stream into lines (UTF-8, \n or \r\n), each handed to the listener. */
    private static final class LineSplitter extends OutputStream {
        private static final int MAX_LINE = 8192;
        private final OutputListener.Stream stream;
        private final OutputListener listener;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineSplitter(OutputListener.Stream stream, OutputListener listener) {
            this.stream = stream;
            this.listener = listener;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                emit();
            } else if (line.size() < MAX_LINE) {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                write(bytes[i]);
            }
        }

        synchronized void flushLine() {
            if (line.size() > 0) {
                emit();
            }
        }

        private void emit() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (text.endsWith("\r")) {
                text = text.substring(0, text.length() - 1);
            }
            listener.line(stream, text);
        }
    }
}
