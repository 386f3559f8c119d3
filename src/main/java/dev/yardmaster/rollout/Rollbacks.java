package dev.yardmaster.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.promotion.Promotions;
import dev.yardmaster.promotion.TargetBuilds;
import dev.yardmaster.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Automatic rollback of a roll that halted with {@code onFailure: rollback}: re-promotes the
 * build the environment served before, then starts a linked roll ({@link Roll#rollbackOf}) that
 * brings every host the halted roll touched back to the build that host ran before (its
 * {@code from_evr}, stored when the runner first saw the host, before changing it). Hosts the
 * roll never touched are left alone. The linked roll is an ordinary roll with its own progress;
 * it halts when it fails and is never rolled back itself.
 *
 * <p>Exactly once, across crashes and replicas: the halt and "rollback due" commit together; the
 * rollback runs under the halted roll's row lock (taken with SKIP LOCKED, so one replica does it)
 * and clears "due" in the transaction that creates the linked roll. The re-promotion commits on
 * its own (it changes the repo server); a console killed after it finds the environment no longer
 * serving the halted roll's target and does not promote again.
 */
@ApplicationScoped
public class Rollbacks {

    private static final Logger LOG = Logger.getLogger(Rollbacks.class);

    /** Steps at or after which the host's package may have been changed: the host was touched. */
    private static final Set<Step> TOUCHED = EnumSet.of(Step.UPDATE, Step.VERIFY, Step.RESTART, Step.HEALTH, Step.DONE);

    private final EntityManager em;
    private final RollTransitions transitions;
    private final Promotions promotions;
    private final TargetBuilds targets;
    private final AuditLog audit;
    private final ObjectMapper json;

    Rollbacks(EntityManager em, RollTransitions transitions, Promotions promotions, TargetBuilds targets, AuditLog audit,
            ObjectMapper json) {
        this.em = em;
        this.transitions = transitions;
        this.promotions = promotions;
        this.targets = targets;
        this.audit = audit;
        this.json = json;
    }

    /** Starts every rollback that is due (the runner asks at each heartbeat and when a roll ends). */
    public void startDue() {
        List<Long> due = QuarkusTransaction.requiringNew().call(() -> em
                .createQuery("select id from Roll where rollbackDue = true order by id", Long.class).getResultList());
        for (long id : due) {
            try {
                start(id);
            } catch (RuntimeException e) {
                LOG.warnf(e, "could not roll back roll %d now; trying again at the next heartbeat", id);
            }
        }
    }

    /** Who ran what before the halted roll touched it: one host of the rollback roll. */
    record Back(RollHost host, String evr) {
    }

    private void start(long id) {
        QuarkusTransaction.requiringNew().run(() -> {
            List<?> locked = em.createNativeQuery("SELECT id FROM roll WHERE id = ?1 AND rollback_due FOR UPDATE SKIP LOCKED")
                    .setParameter(1, id).getResultList();
            if (locked.isEmpty()) {
                return; // another replica is at it, or it is done
            }
            Roll failed = transitions.lock(id);
            Optional<Roll> active = Roll.activeFor(failed.packageName, failed.environment);
            if (active.isPresent()) {
                transitions.rollbackNotStarted(failed, "roll " + active.get().id + " of " + failed.packageName + " in "
                        + failed.environment + " is active");
                return;
            }
            // Only if the environment still serves the halted roll's target: after a crash past the
            // re-promotion, or when someone promoted meanwhile, the environment is left as it is.
            Optional<String> promoted = targets.promoted(failed.environment, failed.packageName);
            if (promoted.isPresent() && promoted.get().equals(failed.targetEvr)) {
                try {
                    promotions.rollbackForHaltedRoll(failed.environment, failed.packageName,
                            "roll " + failed.id + " halted: " + failed.reason);
                } catch (YardmasterException e) {
                    transitions.rollbackNotStarted(failed, "re-promoting the previous build failed: " + e.getMessage());
                    return;
                }
                promoted = targets.promoted(failed.environment, failed.packageName);
            }
            List<Back> back = touched(failed, promoted.orElse(null));
            if (back.isEmpty()) {
                transitions.rollbackNotStarted(failed, promoted.map(p -> "the environment serves " + p + " again, but ").orElse("")
                        + "no host had been changed");
                return;
            }
            Roll rollback = create(failed, promoted.orElse(back.getFirst().evr()), back);
            transitions.rollbackStarted(failed, rollback);
        });
    }

    /**
     * The hosts the halted roll touched (their package may have changed) and the build each ran
     * before. A host with no recorded build (its record was lost in a crash between its update and
     * the store) goes back to the environment's re-promoted build; one that had no package is
     * left alone (removing a package is not a rollback).
     */
    private List<Back> touched(Roll failed, String promoted) {
        List<Back> back = new ArrayList<>();
        for (RollHost h : RollHost.of(failed.id)) {
            boolean touched = TOUCHED.contains(h.step) || h.status == HostStatus.SUCCEEDED;
            String before = h.fromEvr != null ? h.fromEvr : promoted;
            if (touched && before != null && !before.equals("none") && !before.equals(h.targetEvr != null ? h.targetEvr
                    : failed.targetEvr)) {
                back.add(new Back(h, before));
            }
        }
        return back;
    }

    private Roll create(Roll failed, String target, List<Back> back) {
        RollPlan.Strategy strategy;
        try {
            // The same pace and budgets; no canary wait (nobody is asked to continue a rollback), never rolled back.
            strategy = json.readValue(failed.plan, RollPlan.Strategy.class).withOnFailure(RollPlan.OnFailure.halt, 0);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable plan of roll " + failed.id, e);
        }
        List<Integer> sizes = strategy.batchSizes(back.size());
        Roll roll = new Roll();
        roll.packageName = failed.packageName;
        roll.environment = failed.environment;
        roll.targetEvr = target;
        roll.batchCount = sizes.size();
        roll.createdBy = Actor.system().name();
        roll.onFailure = RollPlan.OnFailure.halt;
        roll.rollbackOf = failed.id;
        try {
            roll.plan = json.writeValueAsString(strategy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        roll.persist();
        em.flush();
        int position = 0;
        int batch = 0;
        int inBatch = 0;
        Map<String, Long> builds = new LinkedHashMap<>();
        for (Back b : back) {
            if (inBatch == sizes.get(batch)) {
                batch++;
                inBatch = 0;
            }
            RollHost h = new RollHost();
            h.rollId = roll.id;
            h.position = position++;
            h.batch = batch;
            inBatch++;
            h.name = b.host().name;
            h.address = b.host().address;
            h.port = b.host().port;
            h.source = b.host().source;
            h.sourceId = b.host().sourceId;
            h.service = b.host().service;
            h.targetEvr = b.evr().equals(target) ? null : b.evr();
            h.status = HostStatus.PENDING;
            h.step = Step.QUEUED;
            h.persist();
            builds.merge(b.evr(), 1L, Long::sum);
        }
        audit.record(audit.entry(Actor.system(), "roll.started").environment(roll.environment).packageName(roll.packageName)
                .subject("roll " + roll.id).detail("target", roll.targetEvr).detail("hosts", back.size())
                .detail("batches", roll.batchCount).detail("parallelism", strategy.parallelism())
                .detail("failureBudget", strategy.failureBudget()).detail("rollbackOf", failed.id).detail("builds", builds)
                .detail("text", "Roll " + roll.id + " rolls back roll " + failed.id + ": " + back.size() + " hosts of "
                        + roll.packageName + " in " + roll.environment + " back to " + String.join(", ", builds.keySet())));
        transitions.announce(roll);
        return roll;
    }
}
