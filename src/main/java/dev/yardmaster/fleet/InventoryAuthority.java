package dev.yardmaster.fleet;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Who may change which hosts. A host is what a roll of its environment touches, so adding,
 * changing, moving or removing it needs the role that may roll that environment
 * ({@link Environments#roleToChange}: release-manager for protected ones, else deployer) — for
 * a move, on both sides — and is refused while the environment is locked
 * or frozen ({@link Environments#checkOpen}), the
 * same rules and answers as promotions and rolls.
 */
@ApplicationScoped
public class InventoryAuthority {

    private final Environments environments;

    InventoryAuthority(Environments environments) {
        this.environments = environments;
    }

    /**
     * Refuses unless the editor may bring hosts into, or change hosts of, {@code environment}:
     * 422 for an environment that is not configured, 403 without the role, 423 while locked or
     * frozen. {@code what} is the sentence's subject ("Moving web-1 from prod to review").
     */
    public void check(Editor editor, String environment, String what) {
        Environment env = Environment.named(environment).filter(e -> !e.retired).orElse(null);
        if (env == null) {
            throw new YardmasterException(422, "unknown-environment", "Unprocessable", what + " refused: there is no environment '"
                    + Names.printable(environment) + "'. Known: " + String.join(", ",
                            Environment.inLifecycleOrder().stream().map(e -> e.name).toList()) + ".",
                    Map.of("environment", Names.printable(environment)));
        }
        requireRole(editor, env, what);
        if (!editor.isConsole()) {
            environments.checkOpen(env, what);
        }
    }

    /**
     * The check for a host leaving an environment (moved out or removed). A host left in an
     * environment that is no longer configured may leave it with that environment's role.
     */
    public void checkLeaving(Editor editor, String environment, String what) {
        Environment env = Environment.named(environment).orElse(null);
        if (env != null && env.retired) {
            requireRole(editor, env, what);
            return;
        }
        check(editor, environment, what);
    }

    private void requireRole(Editor editor, Environment env, String what) {
        if (editor.isConsole()) {
            return;
        }
        String role = environments.roleToChange(env);
        if (!editor.user().has(role)) {
            throw new YardmasterException(403, "role-required", "Forbidden", what + " needs the " + role
                    + " role: hosts of " + env.name + " change only with the role that may roll " + env.name + ".",
                    Map.of("environment", env.name, "role", role));
        }
    }
}
