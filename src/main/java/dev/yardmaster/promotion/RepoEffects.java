package dev.yardmaster.promotion;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;

/** Builds the repo-server effect for the configured repo server. */
@ApplicationScoped
public class RepoEffects {

    private final PromotionConfig config;

    RepoEffects(PromotionConfig config) {
        this.config = config;
    }

    public EnvironmentRepo repo() {
        String root = ConfigProvider.getConfig().getOptionalValue("yardmaster.repo.path", String.class)
                .orElseThrow(() -> new RepoException("yardmaster.repo.path is not configured: Yardmaster does not know where the repo server's build/ directory is"));
        return new EnvironmentRepo(new LocalRepoHost(), root, config.lockTimeout(), config.commandTimeout());
    }
}
