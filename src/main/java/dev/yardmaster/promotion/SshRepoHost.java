package dev.yardmaster.promotion;

import dev.yardmaster.core.Names;
import dev.yardmaster.ssh.ExecResult;
import dev.yardmaster.ssh.OutputListener;
import dev.yardmaster.ssh.RemoteCommand;
import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshFailure;
import dev.yardmaster.ssh.SshSessions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.sshd.sftp.client.SftpClient;

/**
 * Runs repo commands on the repo server over SSH through the shared {@link SshSessions}
 * client (one identity, known_hosts enforced). Commands go as plain validated tokens
 * ({@link RemoteCommand}), files and links are read over SFTP, so binary metadata
 * (primary.xml.zst) arrives intact and no listing is parsed from text.
 *
 * <p>The environment lock is {@code stdbuf -oL flock --verbose -x -o -w N LOCKFILE setpriv
 * --pdeathsig TERM sleep MAX} on its own connection: flock prints "executing" on stdout once it
 * holds the lock (stdbuf, because flock's stdout is block-buffered into a pipe and would only
 * be flushed when flock exits); closing
 * the channel makes the shared layer's wrapper send TERM to flock, which releases the lock,
 * and the sleeping child dies with its parent. If Yardmaster dies, sshd closes the channel and
 * the same happens; MAX bounds the hold even if everything else fails.
 */
public class SshRepoHost implements RepoHost {

    /** Longest a lock may be held before the repo server lets go of it by itself. */
    static final Duration MAX_HOLD = Duration.ofMinutes(30);

    private final SshSessions sessions;
    private final String user;
    private final String address;
    private final int port;
    private SshConnection connection;

    public SshRepoHost(SshSessions sessions, String address, int port) {
        this(sessions, sessions.config().user(), address, port);
    }

    /** Logs in as {@code user} (yardmaster.repo.user, which the catalog honours too), not the fleet's user. */
    public SshRepoHost(SshSessions sessions, String user, String address, int port) {
        this.user = user;
        if (!Names.HOST.matcher(address).matches()) {
            throw new RepoException("yardmaster.repo.host is not a host name or address: " + address);
        }
        this.sessions = sessions;
        this.address = address;
        this.port = port;
    }

    @Override
    public synchronized Result run(List<String> argv, Duration timeout) {
        RemoteCommand command = RemoteCommand.of(argv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder err = new StringBuilder();
        try {
            ExecResult result = connection().exec(command, timeout, (stream, line) -> {
                if (stream == OutputListener.Stream.STDOUT) {
                    out.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    err.append(line).append('\n');
                }
            });
            if (result.timedOut()) {
                return new Result(124, out.toByteArray(), argv.get(0) + " timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(result.exitStatus() == null ? 255 : result.exitStatus(), out.toByteArray(), err.toString().strip());
        } catch (SshFailure e) {
            drop();
            return new Result(255, new byte[0], e.getMessage());
        }
    }

    @Override
    public Held lock(String lockFile, Duration wait) {
        long waitSeconds = Math.max(1, wait.toSeconds());
        RemoteCommand command = RemoteCommand.of("stdbuf", "-oL", "flock", "--verbose", "-x", "-o", "-w", Long.toString(waitSeconds), lockFile,
                "setpriv", "--pdeathsig", "TERM", "sleep", Long.toString(MAX_HOLD.toSeconds()));
        SshConnection holder;
        try {
            holder = sessions.connect(user, address, port);
        } catch (SshFailure e) {
            throw new RepoException("could not reach the repo server " + address + ":" + port + ": " + e.getMessage());
        }
        CompletableFuture<Boolean> acquired = new CompletableFuture<>();
        StringBuilder said = new StringBuilder();
        Thread thread = Thread.ofVirtual().name("repo-lock " + lockFile).start(() -> {
            try {
                ExecResult result = holder.exec(command, MAX_HOLD.plus(wait).plusMinutes(1), (stream, line) -> {
                    if (line.startsWith("flock: executing")) {
                        acquired.complete(true);
                    } else if (!line.startsWith("flock: getting lock")) {
                        said.append(line).append(' ');
                    }
                });
                acquired.complete(false);
                if (!result.canceled() && result.exitStatus() != null && result.exitStatus() != 0) {
                    said.append("(exit ").append(result.exitStatus()).append(')');
                }
            } catch (SshFailure e) {
                said.append(e.getMessage());
                acquired.complete(false);
            }
        });
        boolean held;
        try {
            held = acquired.get(wait.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            held = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            held = false;
        }
        Held release = () -> {
            holder.cancel();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            holder.close();
        };
        if (!held) {
            release.close();
            throw new RepoException("could not take " + lockFile + " on " + describe() + " within " + waitSeconds + " s"
                    + (said.isEmpty() ? "" : ": " + said.toString().strip()));
        }
        return release;
    }

    @Override
    public synchronized byte[] read(String path) {
        try (SftpClient sftp = connection().sftp(); InputStream in = sftp.read(path)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new RepoException("could not read " + path + " on " + describe() + ": " + e.getMessage());
        }
    }

    @Override
    public synchronized Map<String, String> links(String dir) {
        Map<String, String> links = new TreeMap<>();
        try (SftpClient sftp = connection().sftp()) {
            for (SftpClient.DirEntry entry : sftp.readDir(dir)) {
                if (entry.getAttributes().isSymbolicLink()) {
                    links.put(entry.getFilename(), sftp.readLink(dir + "/" + entry.getFilename()));
                }
            }
        } catch (IOException e) {
            throw new RepoException("could not list " + dir + " on " + describe() + ": " + e.getMessage());
        }
        return links;
    }

    @Override
    public synchronized Map<String, RpmEntry> rpms(String dir) {
        Map<String, RpmEntry> rpms = new TreeMap<>();
        try (SftpClient sftp = connection().sftp()) {
            for (SftpClient.DirEntry entry : sftp.readDir(dir)) {
                String name = entry.getFilename();
                if (!name.endsWith(".rpm")) {
                    continue;
                }
                if (entry.getAttributes().isSymbolicLink()) {
                    rpms.put(name, new RpmEntry(name, sftp.readLink(dir + "/" + name)));
                } else if (entry.getAttributes().isRegularFile()) {
                    rpms.put(name, new RpmEntry(name, null));
                }
            }
        } catch (IOException e) {
            throw new RepoException("could not list " + dir + " on " + describe() + ": " + e.getMessage());
        }
        return rpms;
    }

    @Override
    public synchronized java.util.Optional<byte[]> readIfPresent(String path) {
        try (SftpClient sftp = connection().sftp(); InputStream in = sftp.read(path)) {
            return java.util.Optional.of(in.readAllBytes());
        } catch (org.apache.sshd.sftp.common.SftpException e) {
            if (e.getStatus() == org.apache.sshd.sftp.common.SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return java.util.Optional.empty();
            }
            throw new RepoException("could not read " + path + " on " + describe() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new RepoException("could not read " + path + " on " + describe() + ": " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "repo server " + address + ":" + port;
    }

    @Override
    public synchronized void close() {
        drop();
    }

    private SshConnection connection() throws SshFailure {
        if (connection == null || !connection.isOpen()) {
            connection = sessions.connect(user, address, port);
        }
        return connection;
    }

    private void drop() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
