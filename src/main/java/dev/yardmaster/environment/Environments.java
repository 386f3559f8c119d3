package dev.yardmaster.environment;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.Actor;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/** Looks environments up and locks or unlocks them; the rules every feature shares. */
@ApplicationScoped
public class Environments {

    private final LifecycleConfig config;
    private final AuditLog audit;
    private final FreezeWindows freezeWindows;

    Environments(LifecycleConfig config, AuditLog audit, FreezeWindows freezeWindows) {
        this.freezeWindows = freezeWindows;
        this.config = config;
        this.audit = audit;
    }

    /** The named active environment, or a 404 problem naming the ones that exist. */
    public Environment require(String name) {
        return Environment.named(name).filter(env -> !env.retired).orElseThrow(() -> new YardmasterException(404,
                "environment-not-found", "Not found", "There is no environment '" + Names.printable(name) + "'. Known: "
                        + String.join(", ", Environment.inLifecycleOrder().stream().map(e -> e.name).toList()) + ".",
                Map.of()));
    }

    public boolean isProtected(Environment env) {
        return config.protectedEnvironments().contains(env.name);
    }

    /** The role needed to change things in this environment. */
    public String roleToChange(Environment env) {
        return isProtected(env) ? Roles.RELEASE_MANAGER : Roles.DEPLOYER;
    }

    /** Refuses with 403 unless the user may change this environment. */
    public void checkMayChange(CurrentUser user, Environment env, String what) {
        String role = roleToChange(env);
        if (!user.has(role)) {
            throw new YardmasterException(403, "role-required", "Forbidden",
                    what + " in " + env.name + " needs the " + role + " role.", Map.of("environment", env.name));
        }
    }

    /** Refuses with 423 when the environment is locked. */
    public void checkNotLocked(Environment env, String what) {
        if (env.isLocked()) {
            throw new YardmasterException(423, "environment-locked", "Locked",
                    what + " refused: deploys to " + env.name + " are locked by " + env.lockedBy + ": " + env.lockReason,
                    Map.of("environment", env.name, "lockedBy", env.lockedBy));
        }
    }

    /**
     * Refuses with 423 while the environment takes no changes: locked by a person, or inside a
     * freeze window. Everything that changes what an environment runs asks this one question
     * (promotions and their approval, rolls and their controls, inventory edits).
     */
    public void checkOpen(Environment env, String what) {
        checkNotLocked(env, what);
        freezeWindows.checkNotFrozen(env, what);
    }

    @Transactional
    public Environment lock(CurrentUser user, Actor actor, String name, String reason) {
        Environment env = require(name);
        checkMayChange(user, env, "Locking deploys");
        if (reason == null || reason.isBlank()) {
            throw YardmasterException.badRequest("reason-required", "Say why deploys to " + env.name + " are locked.");
        }
        if (env.isLocked()) {
            throw YardmasterException.conflict("environment-already-locked",
                    env.name + " is already locked by " + env.lockedBy + ": " + env.lockReason);
        }
        env.lockedBy = actor.name();
        env.lockReason = reason.strip();
        env.lockedAt = OffsetDateTime.now(ZoneOffset.UTC);
        audit.record(audit.entry(actor, "environment.locked").environment(env.name).detail("reason", env.lockReason));
        return env;
    }

    @Transactional
    public Environment unlock(CurrentUser user, Actor actor, String name) {
        Environment env = require(name);
        checkMayChange(user, env, "Unlocking deploys");
        if (!env.isLocked()) {
            return env;
        }
        audit.record(audit.entry(actor, "environment.unlocked").environment(env.name)
                .detail("lockedBy", env.lockedBy).detail("reason", env.lockReason));
        env.lockedBy = null;
        env.lockReason = null;
        env.lockedAt = null;
        return env;
    }

}
