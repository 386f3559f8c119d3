package dev.yardmaster.fleet;

import dev.yardmaster.security.Actor;
import dev.yardmaster.security.CurrentUser;

/**
 * Who is changing the inventory: the actor the audit log records and the signed-in user whose
 * roles decide. {@code user} is null for the console itself (the start-up import of
 * {@code yardmaster.inventory.import-file}, which the operator chose): it is not checked.
 */
public record Editor(Actor actor, CurrentUser user) {

    public static Editor of(CurrentUser user, Actor actor) {
        return new Editor(actor, user);
    }

    /** The console itself, acting as {@code actor}: no role, lock or freeze check. */
    public static Editor console(Actor actor) {
        return new Editor(actor, null);
    }

    boolean isConsole() {
        return user == null;
    }
}
