package dev.yardmaster.promotion;

import dev.yardmaster.repo.RepoConfig;
import dev.yardmaster.repo.RepoServers;
import dev.yardmaster.ssh.SshSessions;
import jakarta.enterprise.context.ApplicationScoped;

/** Builds the promotion effect for the configured repo server. */
@ApplicationScoped
public class RepoEffects {

    private final PromotionConfig config;
    private final RepoServers repos;
    private final SshSessions sessions;

    RepoEffects(PromotionConfig config, RepoServers repos, SshSessions sessions) {
        this.config = config;
        this.repos = repos;
        this.sessions = sessions;
    }

    /** The repo effect for the configured server; close it when done (it may hold an SSH connection). */
    public EnvironmentRepo repo() {
        RepoConfig repo = repos.config();
        String root = repo.path().orElseThrow(() -> new RepoException(
                "yardmaster.repo.path is not configured: Yardmaster does not know where the repo server's build/ directory is"));
        if (repo.mode() == RepoConfig.Mode.ssh) {
            String host = repo.host().orElseThrow(() -> new RepoException(
                    "yardmaster.repo.mode=ssh needs yardmaster.repo.host: Yardmaster does not know which server holds the repos"));
            return new EnvironmentRepo(new SshRepoHost(sessions, repo.user().orElse(sessions.config().user()), host, repo.port()), root, config.lockTimeout(),
                    config.commandTimeout());
        }
        return new EnvironmentRepo(new LocalRepoHost(), root, config.lockTimeout(), config.commandTimeout());
    }
}
