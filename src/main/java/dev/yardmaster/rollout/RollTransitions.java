package dev.yardmaster.rollout;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.rollout.store.RollStore;
import dev.yardmaster.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The only code that changes a roll's status: lock the row, check the move is allowed from the
 * status found, set it, audit (people's moves), announce (RollChanged, on commit). People's
 * controls and the runner's moves serialize on the row lock, so a cancel racing the end of a roll
 * or the canary delay either wins (and the runner's move finds CANCELED and stays) or loses with
 * 409; the optimistic lock ({@link Roll#version}) catches any write that bypasses the lock.
 */
@ApplicationScoped
public class RollTransitions {

    /** What a runner's guard decides: move with this reason, or stay. */
    public record Move(boolean go, String reason) {
        public static final Move STAY = new Move(false, null);

        public static Move to(String reason) {
            return new Move(true, reason);
        }
    }

    private final EntityManager em;
    private final AuditLog audit;
    private final RollEvents events;

    RollTransitions(EntityManager em, AuditLog audit, RollEvents events) {
        this.em = em;
        this.audit = audit;
        this.events = events;
    }

    /** The roll, locked for this transaction (404 when there is none). */
    @Transactional(Transactional.TxType.MANDATORY)
    public Roll lock(long id) {
        Roll roll = em.find(Roll.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (roll == null) {
            throw YardmasterException.notFound("roll", "There is no roll " + id + ".");
        }
        return roll;
    }

    /** A person's control of a roll locked with {@link #lock}: 409 when its status does not allow it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Roll control(Actor actor, Roll locked, RollControl control, String reason, Consumer<Roll> alongside) {
        control.check(locked.id, locked.status);
        RollStatus before = locked.status;
        set(locked, control.to, reason);
        alongside.accept(locked);
        audit.record(audit.entry(actor, control.action).environment(locked.environment).packageName(locked.packageName)
                .subject("roll " + locked.id).detail("from", before.name()).detail("to", control.to.name()));
        announce(locked);
        return locked;
    }

    /**
     * A runner's move, in its own transaction: nothing happens unless {@code fence} is still the
     * roll's, its status is in {@code from} and {@code guard} (run under the lock) says go.
     * Returns whether the roll moved.
     */
    public boolean move(long id, long fence, Set<RollStatus> from, RollStatus to, Function<Roll, Move> guard) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Roll roll = lock(id);
            if (roll.fence != fence || !from.contains(roll.status)) {
                return false;
            }
            Move move = guard.apply(roll);
            if (!move.go()) {
                return false;
            }
            set(roll, to, move.reason());
            announce(roll);
            return true;
        });
    }

    /**
     * A runner's change that keeps the status (the batch started, the reason after a takeover), in
     * its own transaction, if {@code fence} is still the roll's and the roll is active.
     */
    public boolean note(long id, long fence, Consumer<Roll> change) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Roll roll = lock(id);
            if (roll.fence != fence || roll.status.isComplete()) {
                return false;
            }
            change.accept(roll);
            announce(roll);
            return true;
        });
    }

    /** Records an event about the roll in the caller's transaction (BatchStarted). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(Roll roll, String type, Map<String, Object> data) {
        events.record(roll.id, type, data);
    }

    /** Records a RollChanged event for the roll's current state (caller's transaction). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void announce(Roll roll) {
        events.record(roll.id, "RollChanged", RollStore.rollData(roll));
    }

    private static void set(Roll roll, RollStatus to, String reason) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (roll.startedAt == null && to == RollStatus.RUNNING) {
            roll.startedAt = now;
        }
        roll.finishedAt = to.isComplete() ? now : null;
        roll.status = to;
        roll.reason = reason;
    }
}
