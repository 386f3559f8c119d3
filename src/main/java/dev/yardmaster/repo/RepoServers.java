package dev.yardmaster.repo;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.Optional;

/** The configured repo server, as the catalog (files) and promotions (commands) reach it. */
@ApplicationScoped
public class RepoServers {

    private final RepoConfig config;

    RepoServers(RepoConfig config) {
        this.config = config;
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
            throw new IllegalStateException("yardmaster.repo.mode=ssh is not available in this build yet; use local");
        }
        return Optional.of(new LocalRepoFiles(Path.of(config.path().get())));
    }

    /** build/ on this machine, in local mode. */
    public Optional<Path> localBuildDir() {
        return config.mode() == RepoConfig.Mode.local ? config.path().map(p -> Path.of(p).resolve("build")) : Optional.empty();
    }
}
