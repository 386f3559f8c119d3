package dev.yardmaster.promotion;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.security.Actor;
import dev.yardmaster.security.CurrentUser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Map;

/** Acknowledging a change made outside the console: whoever may promote into the environment may. */
@ApplicationScoped
public class RepoChanges {

    private final Environments environments;
    private final AuditLog audit;

    RepoChanges(Environments environments, AuditLog audit) {
        this.environments = environments;
        this.audit = audit;
    }

    /** Marks the change seen; acknowledging one already acknowledged changes nothing. */
    @Transactional
    public RepoChange acknowledge(CurrentUser user, Actor actor, String envName, long id) {
        Environment env = environments.require(envName);
        environments.checkMayChange(user, env, "Acknowledging a change made outside Yardmaster");
        RepoChange change = RepoChange.findById(id);
        if (change == null || !change.environment.id.equals(env.id)) {
            throw new YardmasterException(404, "repo-change-not-found", "Not found",
                    "There is no change " + id + " to " + env.name + "/.", Map.of("environment", env.name));
        }
        if (change.acknowledgedAt != null) {
            return change;
        }
        change.acknowledgedBy = actor.name();
        change.acknowledgedAt = Promotions.now();
        audit.record(audit.entry(actor, "repo.change-acknowledged").environment(env.name)
                .subject(env.name + "/ on the repo server: " + change.summary).detail("repoChangeId", change.id)
                .detail("detectedAt", change.detectedAt.toString()));
        return change;
    }
}
