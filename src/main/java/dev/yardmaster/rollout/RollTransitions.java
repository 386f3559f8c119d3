package dev.yardmaster.rollout;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.observability.Meters;
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
    private final Meters meters;

    RollTransitions(EntityManager em, AuditLog audit, RollEvents events, Meters meters) {
        this.em = em;
        this.audit = audit;
        this.events = events;
        this.meters = meters;
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
        if (control.to.isComplete()) {
            meters.roll(control.to.name());
        }
        return locked;
    }

    /**
     * The runner's last move, in its own transaction: a running roll none of whose hosts is open
     * ends SUCCEEDED when every host in scope runs the target, else SUCCEEDED_WITH_FAILURES
     * ({@link RollOutcome}); audited with the counts and a chat line. Returns the status reached,
     * or null when the roll did not move (fence moved on, no longer running, hosts still open).
     */
    public RollStatus conclude(long id, long fence) {
        RollStatus reached = QuarkusTransaction.requiringNew().call(() -> {
            Roll roll = lock(id);
            if (roll.fence != fence || roll.status != RollStatus.RUNNING) {
                return null;
            }
            RollOutcome outcome = RollOutcome.of(RollQueries.counts(id));
            if (outcome.open() > 0) {
                return null; // another pass (after a retry) will pick them up
            }
            set(roll, outcome.status(), outcome.reason());
            recordEnd(roll, outcome, roll.status == RollStatus.SUCCEEDED ? "roll.succeeded" : "roll.succeeded-with-failures");
            announce(roll);
            return roll.status;
        });
        if (reached != null) {
            meters.roll(reached.name());
        }
        return reached;
    }

    /**
     * Halts a roll that may still be halted ({@link RollStatus#HALTABLE}) when {@code guard} says
     * so, in its own transaction: the failure budget's check, and the one method a gate between
     * batches calls ({@code guard} then returns {@code Move.to("gate … failed: …")}). Audited as
     * {@code roll.halted}; with {@code onFailure: rollback} its rollback is due from the same commit
     * ({@link Roll#rollbackDue}), so a console killed right after still starts it. A rollback roll
     * that halts says so and is never rolled back itself. Returns whether the roll halted.
     */
    public boolean halt(long id, long fence, Function<Roll, Move> guard) {
        boolean halted = QuarkusTransaction.requiringNew().call(() -> {
            Roll roll = lock(id);
            if (roll.fence != fence || !RollStatus.HALTABLE.contains(roll.status)) {
                return false;
            }
            Move move = guard.apply(roll);
            if (!move.go()) {
                return false;
            }
            String reason = roll.rollbackOf == null ? move.reason()
                    : "rollback of roll " + roll.rollbackOf + " halted: " + move.reason() + "; its hosts are left as they are";
            set(roll, RollStatus.FAILED, reason);
            roll.rollbackDue = roll.onFailure == RollPlan.OnFailure.rollback && roll.rollbackOf == null;
            recordEnd(roll, RollOutcome.of(RollQueries.counts(id)), "roll.halted");
            announce(roll);
            return true;
        });
        if (halted) {
            meters.roll(RollStatus.FAILED.name());
        }
        return halted;
    }

    /**
     * The halted roll's rollback could not be started (nothing to go back to, a promotion that
     * failed, another roll in the way): it is no longer due, and its reason and the audit log say why.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void rollbackNotStarted(Roll locked, String why) {
        locked.rollbackDue = false;
        locked.reason = (locked.reason == null ? "" : locked.reason + "; ") + "automatic rollback failed: " + why;
        audit.record(audit.entry(Actor.system(), "roll.rollback-failed").outcome("failed").environment(locked.environment)
                .packageName(locked.packageName).subject("roll " + locked.id).detail("reason", why)
                .detail("text", "Roll " + locked.id + ": " + locked.packageName + " → " + locked.environment
                        + " halted and could not be rolled back: " + why));
        announce(locked);
    }

    /** The rollback roll of {@code locked} exists: it is no longer due (caller's transaction, which created it). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void rollbackStarted(Roll locked, Roll rollback) {
        locked.rollbackDue = false;
        locked.reason = (locked.reason == null ? "" : locked.reason + "; ") + "rolling back: roll " + rollback.id;
        announce(locked);
    }

    private void recordEnd(Roll roll, RollOutcome outcome, String action) {
        // Outcome "succeeded": the recorded move happened (the console's live pages follow only those);
        // how the roll went is its status and counts.
        audit.record(audit.entry(Actor.system(), action)
                .environment(roll.environment).packageName(roll.packageName).subject("roll " + roll.id)
                .detail("status", roll.status.name()).detail("target", roll.targetEvr).detail("reason", roll.reason)
                .detail("counts", outcome.json()).detail("onFailure", roll.onFailure.name())
                .detail("rollbackOf", roll.rollbackOf).detail("text", RollOutcome.text(roll, outcome)));
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
        em.flush();
        events.record(roll.id, "RollChanged", RollStore.rollData(roll, RollOutcome.of(RollQueries.counts(roll.id)).json(),
                Roll.rolledBackBy(roll.id).orElse(null)));
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
