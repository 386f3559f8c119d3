package dev.yardmaster.repo;

import dev.yardmaster.ssh.SshSessions;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Optional;

/** The configured repo server, as the catalog (files) and promotions (commands) reach it. */
@ApplicationScoped
public class RepoServers {

    private final RepoConfig config;
    private final SshSessions sessions;

    RepoServers(RepoConfig config, SshSessions sessions) {
        this.config = config;
        this.sessions = sessions;
    }

    public RepoConfig config() {
        return config;
    }

    /** build/ readers, or empty when no repo server is configured. */
    public Optional<RepoFiles> files() {
        if (config.path().isEmpty()) {
            return Optional.empty();
        }
        if (config.mode() == RepoConfig.Mode.ssh) {
            String host = config.host().orElseThrow(
                    () -> new IllegalStateException("yardmaster.repo.mode=ssh needs yardmaster.repo.host"));
            return Optional.of(new SftpRepoFiles(sessions, config.user().orElse(sessions.config().user()), host,
                    config.port(), config.path().get()));
        }
        return Optional.of(new LocalRepoFiles(Path.of(config.path().get())));
    }

    /** build/ on this machine, in local mode. */
    public Optional<Path> localBuildDir() {
        return config.mode() == RepoConfig.Mode.local ? config.path().map(p -> Path.of(p).resolve("build")) : Optional.empty();
    }
}
