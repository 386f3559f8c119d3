package dev.yardmaster.repo;

import dev.yardmaster.ssh.SshConnection;
import dev.yardmaster.ssh.SshSessions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The configured repo server, as the catalog (files) and promotions (commands) reach it. */
@ApplicationScoped
public class RepoServers {

    private final RepoConfig config;
    private final SshSessions ssh;

    RepoServers(RepoConfig config, SshSessions ssh) {
        this.config = config;
        this.ssh = ssh;
    }

    public RepoConfig config() {
        return config;
    }

    /**
     * A reader of build/ (close it when done: in ssh mode it holds one SSH session), or empty
     * when no repo server is configured.
     *
     * @throws IOException when the repo server cannot be reached (an {@code SshFailure} says why)
     */
    public Optional<RepoFiles> files() throws IOException {
        if (config.path().isEmpty()) {
            return Optional.empty();
        }
        if (config.mode() == RepoConfig.Mode.ssh) {
            String host = config.host().orElseThrow(
                    () -> new IOException("yardmaster.repo.mode=ssh needs yardmaster.repo.host"));
            SshConnection connection = ssh.connect(config.user().orElse(ssh.config().user()), host, config.port(),
                    ssh.config().connectTimeout());
            try {
                return Optional.of(new SftpRepoFiles(connection, config.path().get()));
            } catch (IOException | RuntimeException e) {
                connection.close();
                throw e;
            }
        }
        return Optional.of(new LocalRepoFiles(Path.of(config.path().get())));
    }

    /** build/ on this machine, in local mode. */
    public Optional<Path> localBuildDir() {
        return config.mode() == RepoConfig.Mode.local ? config.path().map(p -> Path.of(p).resolve("build")) : Optional.empty();
    }
}
