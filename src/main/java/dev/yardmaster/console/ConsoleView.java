package dev.yardmaster.console;

import dev.yardmaster.build.Build;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.environment.FreezeWindows;
import dev.yardmaster.promotion.Promotion;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What every page's frame and guards ask about the current user and the environments
 * ({@code inject:console} in templates): the nav's pending-approvals count, whether an
 * environment is protected, why a roll into it would be refused right now, who may approve.
 * Reads only; the services that act keep their own checks.
 */
@Named("console")
@RequestScoped
public class ConsoleView {

    private final Environments environments;
    private final CurrentUser user;
    private Long pending;

    ConsoleView(Environments environments, FreezeWindows freezeWindows, CurrentUser user) {
        this.environments = environments;
        this.user = user;
    }

    /** Whether the signed-in person may approve or reject promotions at all. */
    public boolean mayApprove() {
        return user.isSignedIn() && user.has(Roles.RELEASE_MANAGER);
    }

    /** Requests waiting for approval, for the nav badge: counted only for those who may approve. */
    public long pendingApprovals() {
        if (pending == null) {
            pending = mayApprove() ? Promotion.count("state", Promotion.State.requested) : 0L;
        }
        return pending;
    }

    /** Whether the person is the one who asked (or was asked for): they may not decide it. */
    public boolean isRequester(Promotion p) {
        String me = user.name().toLowerCase(Locale.ROOT);
        return me.equals(lower(p.requestedBy)) || me.equals(lower(p.onBehalfOf));
    }

    public boolean isProtected(String environment) {
        return environment(environment).map(environments::isProtected).orElse(false);
    }

    /** Why a roll or promotion into the environment is refused right now (lock, freeze window), or null. */
    public String blockedReason(String environment) {
        Optional<Environment> env = environment(environment);
        if (env.isEmpty()) {
            return null;
        }
        try {
            environments.checkOpen(env.get(), "Starting");
            return null;
        } catch (YardmasterException e) {
            return e.getMessage();
        }
    }

    /** The catalog's package names, for the roll form's picker. */
    public List<String> packages() {
        return Build.packages();
    }

    private static Optional<Environment> environment(String name) {
        return name == null ? Optional.empty() : Environment.named(name.strip()).filter(e -> !e.retired);
    }

    private static String lower(String text) {
        return text == null ? null : text.toLowerCase(Locale.ROOT);
    }
}
