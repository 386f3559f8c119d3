package dev.yardmaster.ssh;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** How Yardmaster reaches servers over SSH: one identity, one known_hosts file, bounded waits. */
@ConfigMapping(prefix = "yardmaster.ssh")
public interface SshConfig {

    /**
     * The private key (OpenSSH or PEM format, no passphrase) Yardmaster logs in with. On
     * Kubernetes mount it from a Secret. Without it, SSH features report "no key configured".
     */
    Optional<String> privateKey();

    /**
     * The known_hosts file every server key is checked against. A server missing from it, or
     * presenting a different key, is refused. Entries for a non-default port are written
     * {@code [address]:port}.
     */
    Optional<String> knownHosts();

    /** The remote user; commands that need root go through {@code sudo -n}. */
    @WithDefault("yardmaster")
    String user();

    /** The port used when a host does not name one. */
    @WithDefault("22")
    int port();

    /** Time allowed for the TCP connection and the SSH handshake. */
    @WithDefault("10s")
    Duration connectTimeout();

    /** Time allowed for public-key authentication. */
    @WithDefault("10s")
    Duration authTimeout();

    /** Time allowed for a remote command when the caller does not give one. */
    @WithDefault("5m")
    Duration execTimeout();

    /** Idle time after which an open session is closed by the client. */
    @WithDefault("10m")
    Duration idleTimeout();

    /**
     * The most SSH sessions this replica holds open at once (rolls, drift checks and the repo
     * server together). A connect beyond it waits for a session to close, up to its connect
     * timeout, then fails as a timeout. Size it as rolls running at once × their parallelism +
     * {@code yardmaster.drift.parallelism} + 2 (see README, Sizing).
     */
    @WithDefault("200")
    int maxSessions();
}
