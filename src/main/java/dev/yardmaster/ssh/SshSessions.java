package dev.yardmaster.ssh;

import dev.yardmaster.core.Names;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.jboss.logging.Logger;

/**
 * The application's one SSH client (Apache MINA SSHD), started and stopped with Yardmaster.
 * Every server key is checked against {@code yardmaster.ssh.known-hosts}; a changed or
 * unknown key is refused and reported as such. Connect, authentication and every command
 * have their own timeout.
 */
@ApplicationScoped
public class SshSessions {

    private static final Logger LOG = Logger.getLogger(SshSessions.class);

    /** POSIX-ish login names. */
    static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");

    /**
     * What the known_hosts check said about a session's host key, when it refused it. Not a
     * session attribute: MINA clears those when the session closes, and a refused key closes the
     * session on the I/O thread, often before {@link #connect} reads the verdict (CI saw a changed
     * key reported as "unreachable" that way). Weak keys: an entry goes with its session.
     */
    private final Map<ClientSession, String> hostKeyProblems = Collections.synchronizedMap(new WeakHashMap<>());

    private final SshConfig config;
    /** Open sessions of this replica, at most yardmaster.ssh.max-sessions (each one a socket and MINA's buffers). */
    private final java.util.concurrent.Semaphore sessions;
    private volatile SshClient client;
    private volatile boolean stopped;

    /** The connection meter; null in a client a test builds by hand. */
    @jakarta.inject.Inject
    dev.yardmaster.observability.Meters meters;

    SshSessions(SshConfig config) {
        this.config = config;
        this.sessions = new java.util.concurrent.Semaphore(Math.max(1, config.maxSessions()), true);
    }

    /** Sessions open now, for the sizing guide's check and tests. */
    public int openSessions() {
        return Math.max(1, config.maxSessions()) - sessions.availablePermits();
    }

    void onStart(@Observes StartupEvent event) {
        // MINA's class initialisation (signatures, ciphers, providers) costs a few hundred
        // milliseconds; do it beside the application's start rather than in its way. The first
        // connect waits for it (start is synchronized).
        Thread.ofVirtual().name("ssh-client-start").start(() -> {
            synchronized (this) {
                if (!stopped) {
                    start();
                }
            }
        });
    }

    /**
     * Runs after every default-priority shutdown observer, so the roll runner's hand-over can let
     * running hosts finish over still-open connections before the client closes.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) ShutdownEvent event) {
        stop();
    }

    /** Starts the client; called at application start, safe to call again. */
    public synchronized void start() {
        if (client != null) {
            return;
        }
        stopped = false;
        SshClient ssh = SshClient.setUpDefaultClient();
        ssh.setServerKeyVerifier(verifier());
        config.privateKey().map(Path::of).ifPresent(key -> ssh.setKeyIdentityProvider(new FileKeyPairProvider(key)));
        CoreModuleProperties.IDLE_TIMEOUT.set(ssh, config.idleTimeout());
        CoreModuleProperties.AUTH_TIMEOUT.set(ssh, config.authTimeout());
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(ssh, config.connectTimeout());
        // SSH's handshake is a dozen small request/response packets; with Nagle's algorithm a
        // write that follows an unacknowledged one waits for the peer's delayed ACK (40 ms on
        // Linux). MINA leaves TCP_NODELAY off by default: on for us, connect + auth on the
        // loopback fleet went from 119 to 72 ms (p50 of 100 sequential connections).
        CoreModuleProperties.TCP_NODELAY.set(ssh, true);
        ssh.start();
        client = ssh;
    }

    /** Stops the client, closing every open session. */
    public synchronized void stop() {
        stopped = true;
        if (client != null) {
            try {
                client.stop();
            } catch (RuntimeException e) {
                LOG.debugf(e, "closing the SSH client");
            }
            client = null;
        }
    }

    public SshConfig config() {
        return config;
    }

    /** True when a key and a known_hosts file are configured and readable. */
    public boolean isConfigured() {
        return config.privateKey().map(p -> Files.isReadable(Path.of(p))).orElse(false)
                && config.knownHosts().map(p -> Files.isReadable(Path.of(p))).orElse(false);
    }

    /** Connects and authenticates with the configured user and timeouts. */
    public SshConnection connect(String address, int port) throws SshFailure {
        return connect(address, port, config.connectTimeout());
    }

    /**
     * Connects to {@code address:port} as {@code yardmaster.ssh.user}, verifies the host key
     * and authenticates with the configured key, each phase bounded by {@code timeout}.
     */
    public SshConnection connect(String address, int port, Duration timeout) throws SshFailure {
        return connect(config.user(), address, port, timeout);
    }

    /** Connects as {@code user} rather than {@code yardmaster.ssh.user} (the repo server may have its own). */
    public SshConnection connect(String user, String address, int port) throws SshFailure {
        return connect(user, address, port, config.connectTimeout());
    }

    private SshConnection connect(String user, String address, int port, Duration timeout) throws SshFailure {
        try {
            SshConnection connection = open(user, address, port, timeout);
            count("ok");
            return connection;
        } catch (SshFailure e) {
            count(switch (e.kind()) {
                case UNREACHABLE, DISCONNECTED -> "refused";
                case TIMEOUT -> "timeout";
                case HOST_KEY_CHANGED, HOST_KEY_UNKNOWN -> "host-key";
                case AUTH_FAILED -> "auth";
                default -> "failed";
            });
            throw e;
        }
    }

    /** Counts a connection attempt (yardmaster_ssh_connections_total); not counted for a client built outside CDI. */
    private void count(String outcome) {
        if (meters != null) {
            meters.sshConnection(outcome);
        }
    }

    private SshConnection open(String user, String address, int port, Duration timeout) throws SshFailure {
        if (user == null || !USER.matcher(user).matches()) {
            throw new IllegalArgumentException("not a user name: " + user);
        }
        if (address == null || !Names.HOST.matcher(address).matches()) {
            throw new IllegalArgumentException("not a host name or address: " + address);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a port: " + port);
        }
        if (!isConfigured()) {
            throw new SshFailure(SshFailure.Kind.NOT_CONFIGURED,
                    "SSH is not configured: set yardmaster.ssh.private-key and yardmaster.ssh.known-hosts to readable files");
        }
        SshClient ssh = client;
        if (ssh == null && !stopped) {
            // Still starting in the background (see onStart): wait for it.
            synchronized (this) {
                if (!stopped) {
                    start();
                }
                ssh = client;
            }
        }
        if (ssh == null) {
            throw new SshFailure(SshFailure.Kind.NOT_CONFIGURED, "the SSH client is stopped");
        }
        String where = address + ":" + port;
        try {
            if (!sessions.tryAcquire(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new SshFailure(SshFailure.Kind.TIMEOUT, "no SSH session free for " + where + " within " + human(timeout)
                        + ": this replica already holds yardmaster.ssh.max-sessions (" + config.maxSessions() + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshFailure(SshFailure.Kind.TIMEOUT, "interrupted while waiting for an SSH session to " + where, e);
        }
        boolean handedOver = false;
        try {
            SshConnection connection = open(ssh, user, address, port, timeout, where);
            // The permit goes back when the session closes, however it closes: by us, by the
            // server, or by the idle timeout.
            java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
            connection.session().addCloseFutureListener(closed -> {
                if (released.compareAndSet(false, true)) {
                    sessions.release();
                }
            });
            handedOver = true;
            return connection;
        } finally {
            if (!handedOver) {
                sessions.release();
            }
        }
    }

    private SshConnection open(SshClient ssh, String user, String address, int port, Duration timeout, String where)
            throws SshFailure {
        ClientSession session;
        try {
            ConnectFuture future = ssh.connect(user, address, port);
            if (!future.await(timeout)) {
                future.cancel();
                throw new SshFailure(SshFailure.Kind.TIMEOUT, "no SSH connection to " + where + " within " + human(timeout));
            }
            if (future.getException() != null) {
                throw classify(where, future.getException(), null);
            }
            session = future.getSession();
        } catch (SshFailure e) {
            throw e;
        } catch (IOException e) {
            throw classify(where, e, null);
        }
        try {
            var auth = session.auth();
            if (!auth.await(timeout.plus(config.authTimeout()))) {
                session.close(true);
                throw new SshFailure(SshFailure.Kind.TIMEOUT,
                        "SSH handshake with " + where + " did not finish within " + human(timeout.plus(config.authTimeout())));
            }
            if (!auth.isSuccess()) {
                SshFailure failure = classify(where, auth.getException(), session);
                session.close(true);
                throw failure;
            }
        } catch (SshFailure e) {
            throw e;
        } catch (IOException e) {
            SshFailure failure = classify(where, e, session);
            session.close(true);
            throw failure;
        }
        return new SshConnection(session, where, config.execTimeout());
    }

    private SshFailure classify(String where, Throwable cause, ClientSession session) {
        String hostKey = session == null ? null : hostKeyProblems.remove(session);
        if (hostKey != null) {
            boolean changed = hostKey.startsWith("changed");
            return new SshFailure(changed ? SshFailure.Kind.HOST_KEY_CHANGED : SshFailure.Kind.HOST_KEY_UNKNOWN,
                    (changed ? "host key of " + where + " CHANGED: " : "host key of " + where + " is not in known_hosts: ")
                            + hostKey.substring(hostKey.indexOf(':') + 1).strip(), cause);
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return new SshFailure(SshFailure.Kind.UNREACHABLE, "connection to " + where + " refused: " + t.getMessage(), cause);
            }
            if (t instanceof SocketTimeoutException) {
                return new SshFailure(SshFailure.Kind.TIMEOUT, "connection to " + where + " timed out", cause);
            }
        }
        String message = cause == null ? "unknown error" : String.valueOf(cause.getMessage());
        if (session != null && session.isOpen() || message.toLowerCase().contains("no more authentication methods")) {
            return new SshFailure(SshFailure.Kind.AUTH_FAILED, "authentication to " + where + " failed: " + message, cause);
        }
        if (session != null && session.getServerVersion() != null && message.toLowerCase().contains("auth")) {
            return new SshFailure(SshFailure.Kind.AUTH_FAILED, "authentication to " + where + " failed: " + message, cause);
        }
        return new SshFailure(SshFailure.Kind.UNREACHABLE, "SSH to " + where + " failed: " + message, cause);
    }

    private KnownHostsServerKeyVerifier verifier() {
        Path file = Path.of(config.knownHosts().orElse("/nonexistent/known_hosts"));
        KnownHostsServerKeyVerifier verifier = new KnownHostsServerKeyVerifier((session, remote, key) -> {
            hostKeyProblems.put(session, "unknown: " + KeyUtils.getFingerPrint(key));
            return false;
        }, file) {
            private volatile KnownHostsIndex index;

            @Override
            protected List<HostEntryPair> findKnownHostEntries(ClientSession session, SocketAddress remote,
                    Collection<HostEntryPair> knownHosts) {
                if (knownHosts == null || knownHosts.isEmpty()) {
                    return List.of();
                }
                KnownHostsIndex current = index;
                if (current == null || current.source != knownHosts) {
                    current = new KnownHostsIndex(knownHosts);
                    index = current;
                }
                return current.find(resolveHostNetworkIdentities(session, remote));
            }

            @Override
            public boolean acceptModifiedServerKey(ClientSession session, SocketAddress remote, KnownHostEntry entry,
                    PublicKey expected, PublicKey actual) {
                hostKeyProblems.put(session, "changed: expected " + KeyUtils.getFingerPrint(expected)
                        + ", got " + KeyUtils.getFingerPrint(actual));
                return false;
            }
        };
        return verifier;
    }

    static String human(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
