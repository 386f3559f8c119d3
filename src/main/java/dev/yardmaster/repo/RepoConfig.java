package dev.yardmaster.repo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Where the yum repo server is: its root holds build/ and one directory per environment. */
@ConfigMapping(prefix = "yardmaster.repo")
public interface RepoConfig {

    /** How Yardmaster reaches the repo server. */
    enum Mode {
        /** The root is a directory on this machine (Yardmaster runs on the repo server, or mounts it). */
        local,
        /** The root is on {@code yardmaster.repo.host}, reached over SSH/SFTP with the yardmaster.ssh identity. */
        ssh
    }

    /** {@code local} or {@code ssh}. */
    @WithDefault("local")
    Mode mode();

    /** The repo server's root directory, containing build/ and review/, staging/, prod/ … */
    Optional<String> path();

    /** The repo server's host name or address in ssh mode. */
    Optional<String> host();

    /** The repo server's SSH port in ssh mode. */
    @WithDefault("22")
    int port();

    /**
     * The user to log in as on the repo server in ssh mode; when unset, {@code yardmaster.ssh.user}.
     * The key and known_hosts are always {@code yardmaster.ssh.private-key} / {@code known-hosts}.
     */
    Optional<String> user();
}
