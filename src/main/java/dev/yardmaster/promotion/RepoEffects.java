package dev.yardmaster.promotion;

import dev.yardmaster.repo.RepoConfig;
import dev.yardmaster.repo.RepoServers;
import jakarta.enterprise.context.ApplicationScoped;

/** Builds the promotion effect for the configured repo server. */
@ApplicationScoped
public class RepoEffects {

    private final PromotionConfig config;
    private final RepoServers repos;

    RepoEffects(PromotionConfig config, RepoServers repos) {
        this.config = config;
        this.repos = repos;
    }

    public EnvironmentRepo repo() {
        RepoConfig repo = repos.config();
        String root = repo.path().orElseThrow(() -> new RepoException(
                "yardmaster.repo.path is not configured: Yardmaster does not know where the repo server's build/ directory is"));
        if (repo.mode() == RepoConfig.Mode.ssh) {
            throw new RepoException("promotions over SSH (yardmaster.repo.mode=ssh) are not available in this build yet");
        }
        return new EnvironmentRepo(new LocalRepoHost(), root, config.lockTimeout(), config.commandTimeout());
    }
}
