package dev.yardmaster.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.environment.FreezeWindows;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.fleet.InventoryHost;
import dev.yardmaster.promotion.TargetBuilds;
import dev.yardmaster.rollout.store.RollStore;
import dev.yardmaster.security.Actor;
import dev.yardmaster.security.CurrentUser;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plans, starts and controls rolls: every rule a roll must pass and every audited control. */
@ApplicationScoped
public class Rolls {

    /** What a plan would do, shown before starting. */
    public record Preview(String packageName, String environment, String target, int hosts, int maxFailures,
            int maxUnreachable, List<Batch> batches, RollPlan.Strategy strategy) {
    }

    public record Batch(int number, boolean canary, List<String> hosts) {
    }

    private final Inventory inventory;
    private final Environments environments;
    private final TargetBuilds targets;
    private final RollConfig config;
    private final AuditLog audit;
    private final RollTransitions transitions;
    private final RollStore store;
    private final ObjectMapper json;
    private final EntityManager em;
    private final FreezeWindows freezeWindows;

    Rolls(Inventory inventory, Environments environments, TargetBuilds targets, RollConfig config, AuditLog audit,
            RollTransitions transitions, RollStore store, ObjectMapper json, EntityManager em, FreezeWindows freezeWindows) {
        this.freezeWindows = freezeWindows;
        this.inventory = inventory;
        this.environments = environments;
        this.targets = targets;
        this.config = config;
        this.audit = audit;
        this.transitions = transitions;
        this.store = store;
        this.json = json;
        this.em = em;
    }

    /** A roll as {@link #start} answers it: {@code created} false when an Idempotency-Key gave back an earlier roll. */
    public record Started(Roll roll, boolean created) {
    }

    @Transactional
    public Preview preview(CurrentUser user, RollPlan plan) {
        return plan(user, plan).preview;
    }

    private record Planned(Preview preview, List<InventoryHost> hosts) {
    }

    private Planned plan(CurrentUser user, RollPlan plan) {
        if (plan == null) {
            throw YardmasterException.badRequest("bad-roll-plan", "Send a roll plan as JSON: {\"package\": ..., \"environment\": ...}.");
        }
        RollPlan.Strategy strategy = plan.validated(config);
        Environment env = environments.require(strategy.environment());
        environments.checkMayChange(user, env, "Rolling " + strategy.packageName());
        String target = target(plan, strategy);
        List<InventoryHost> hosts = select(strategy);
        if (hosts.isEmpty()) {
            throw YardmasterException.conflict("no-hosts", "No host in " + env.name + " runs " + strategy.packageName()
                    + (strategy.nodeType() != null || strategy.tag() != null || strategy.names() != null ? " and matches the selection" : "")
                    + ". Add hosts on the fleet page.");
        }
        List<Batch> batches = new ArrayList<>();
        int index = 0;
        List<Integer> sizes = strategy.batchSizes(hosts.size());
        for (int b = 0; b < sizes.size(); b++) {
            List<String> names = hosts.subList(index, index + sizes.get(b)).stream().map(InventoryHost::name).toList();
            batches.add(new Batch(b, b == 0 && strategy.canary() > 0, names));
            index += sizes.get(b);
        }
        return new Planned(new Preview(strategy.packageName(), env.name, target, hosts.size(),
                strategy.maxFailures(hosts.size()), strategy.maxUnreachable(hosts.size()), batches, strategy), hosts);
    }

    private String target(RollPlan plan, RollPlan.Strategy strategy) {
        String explicit = plan.validatedTarget();
        var promoted = targets.promoted(strategy.environment(), strategy.packageName());
        if (promoted.isPresent()) {
            if (explicit != null && !explicit.equals(promoted.get())) {
                throw YardmasterException.conflict("target-not-promoted", strategy.packageName() + "-" + explicit
                        + " is not the build promoted to " + strategy.environment() + " (" + promoted.get() + "). Promote it first.");
            }
            return promoted.get();
        }
        if (explicit == null) {
            throw YardmasterException.conflict("nothing-promoted", "No build of " + strategy.packageName()
                    + " is promoted to " + strategy.environment() + "; name the target version-release.");
        }
        return explicit;
    }

    private List<InventoryHost> select(RollPlan.Strategy s) {
        HostGlob glob = s.names() == null ? null : HostGlob.parse(s.names());
        return inventory.hosts(s.environment(), s.packageName()).stream()
                .filter(h -> s.nodeType() == null || s.nodeType().equals(h.nodeType()))
                .filter(h -> s.tag() == null || h.tags().contains(s.tag()))
                .filter(h -> glob == null || glob.matches(h.name()))
                .toList();
    }

    /**
     * Starts a roll (the runner picks it up). An Idempotency-Key belongs to the principal that
     * sent it and to the plan it first came with: the same key and plan give the earlier roll
     * back ({@code created} false), the same key with another plan is refused with 422.
     */
    @Transactional
    public Started start(CurrentUser user, Actor actor, RollPlan plan, String idempotencyKey) {
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.strip();
        String hash = requestHash(plan);
        if (key != null) {
            if (key.length() > 200) {
                throw YardmasterException.badRequest("bad-idempotency-key", "Idempotency-Key is longer than 200 characters.");
            }
            var existing = Roll.withIdempotencyKey(user.name(), key);
            if (existing.isPresent()) {
                if (!hash.equals(existing.get().requestHash)) {
                    throw new YardmasterException(422, "idempotency-key-reused", "Unprocessable Content", "Idempotency-Key "
                            + Names.printable(key) + " was sent before with another roll plan (roll " + existing.get().id
                            + "); use a new key for a new plan.", Map.of("roll", existing.get().id));
                }
                return new Started(existing.get(), false);
            }
        }
        // Refusals that do not depend on the hosts come first: a frozen or locked environment
        // says so even when its inventory is empty.
        if (plan != null) {
            RollPlan.Strategy strategy = plan.validated(config);
            Environment env = environments.require(strategy.environment());
            environments.checkMayChange(user, env, "Rolling " + strategy.packageName());
            environments.checkOpen(env, "Rolling " + strategy.packageName());
        }
        Planned planned = plan(user, plan);
        Preview p = planned.preview();
        Roll.activeFor(p.packageName(), p.environment()).ifPresent(active -> {
            throw new YardmasterException(409, "roll-in-progress", "Conflict", "Roll " + active.id + " of " + p.packageName()
                    + " in " + p.environment() + " is still " + active.status.name().toLowerCase()
                    + ". Finish or cancel it first.", Map.of("roll", active.id));
        });
        Roll roll = new Roll();
        roll.packageName = p.packageName();
        roll.environment = p.environment();
        roll.targetEvr = p.target();
        roll.batchCount = p.batches().size();
        roll.createdBy = actor.name();
        roll.idempotencyKey = key;
        roll.idempotencyPrincipal = key == null ? null : user.name();
        roll.requestHash = hash;
        roll.onFailure = p.strategy().onFailure();
        try {
            roll.plan = json.writeValueAsString(p.strategy());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try {
            roll.persist();
            em.flush();
        } catch (PersistenceException e) {
            throw YardmasterException.conflict("roll-in-progress", "Another roll of " + p.packageName() + " in "
                    + p.environment() + " started at the same moment (or this Idempotency-Key did).");
        }
        int position = 0;
        for (Batch batch : p.batches()) {
            for (int i = 0; i < batch.hosts().size(); i++) {
                InventoryHost h = planned.hosts().get(position);
                RollHost host = new RollHost();
                host.rollId = roll.id;
                host.position = position++;
                host.batch = batch.number();
                host.name = h.name();
                host.address = h.address();
                host.port = h.port();
                host.source = h.source();
                host.sourceId = h.sourceId();
                host.service = h.serviceFor(p.packageName());
                host.status = HostStatus.PENDING;
                host.step = Step.QUEUED;
                host.persist();
            }
        }
        audit.record(audit.entry(actor, "roll.started").environment(roll.environment).packageName(roll.packageName)
                .subject("roll " + roll.id).detail("target", roll.targetEvr).detail("hosts", p.hosts())
                .detail("batches", p.batches().size()).detail("parallelism", p.strategy().parallelism())
                .detail("failureBudget", p.strategy().failureBudget()).detail("onFailure", p.strategy().onFailure().name()));
        transitions.announce(roll);
        return new Started(roll, true);
    }

    /** SHA-256 of the plan as parsed (field order fixed by the record): what an Idempotency-Key is bound to. */
    String requestHash(RollPlan plan) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(plan));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Transactional
    public Roll pause(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Pausing");
        return transitions.control(actor, roll, RollControl.PAUSE, "paused by " + actor.name(), r -> {
        });
    }

    @Transactional
    public Roll resume(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Resuming");
        RollControl.RESUME.check(id, roll.status);
        checkNotFrozen(roll, "Resuming");
        return transitions.control(actor, roll, RollControl.RESUME, null, r -> {
        });
    }

    @Transactional
    public Roll continueAfterCanary(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Continuing");
        RollControl.CONTINUE.check(id, roll.status);
        checkNotFrozen(roll, "Continuing");
        return transitions.control(actor, roll, RollControl.CONTINUE, null, r -> {
        });
    }

    /** Stops starting hosts; running hosts finish, or with {@code interrupt} have their commands killed. */
    @Transactional
    public Roll cancel(CurrentUser user, Actor actor, long id, boolean interrupt) {
        Roll roll = controllable(user, id, "Canceling");
        return transitions.control(actor, roll, RollControl.CANCEL,
                "canceled by " + actor.name() + (interrupt ? " (running hosts interrupted)" : ""), r -> {
                    r.interrupt = interrupt;
                    store.cancelPending(em, r.id, "roll canceled before its turn");
                });
    }

    /**
     * Puts failed and unreachable hosts back in the queue and runs the roll again. The lease is
     * left alone: an execution still finishing hosts of this roll keeps it, and the retried hosts
     * run under the next claim (a higher fence) once it is done, never beside it.
     */
    @Transactional
    public Roll retryFailed(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Retrying");
        RollControl.RETRY.check(id, roll.status);
        environments.checkNotLocked(environments.require(roll.environment), "Retrying roll " + roll.id);
        checkNotFrozen(roll, "Retrying");
        Roll.activeFor(roll.packageName, roll.environment).ifPresent(active -> {
            throw YardmasterException.conflict("roll-in-progress", "Roll " + active.id + " of " + roll.packageName + " in "
                    + roll.environment + " is active; finish or cancel it first.");
        });
        if (roll.rollbackDue || Roll.rolledBackBy(roll.id).isPresent()) {
            throw YardmasterException.conflict("roll-rolled-back", "Roll " + roll.id + " was rolled back"
                    + Roll.rolledBackBy(roll.id).map(r -> " by roll " + r).orElse(" (its rollback is starting)")
                    + "; start a new roll instead of retrying it.");
        }
        long failed = RollHost.count("rollId = ?1 and status in ?2", roll.id, HostStatus.RETRYABLE);
        if (failed == 0) {
            throw YardmasterException.conflict("nothing-to-retry", "Roll " + roll.id + " has no failed or unreachable hosts.");
        }
        try {
            Roll changed = transitions.control(actor, roll, RollControl.RETRY, "retrying " + failed + " hosts", r -> {
                r.interrupt = false;
                store.requeueRetryable(em, r.id);
            });
            em.flush();
            return changed;
        } catch (PersistenceException e) {
            throw YardmasterException.conflict("roll-in-progress", "Another roll of " + roll.packageName + " started meanwhile.");
        }
    }

    private Roll controllable(CurrentUser user, long id, String what) {
        Roll roll = transitions.lock(id);
        environments.checkMayChange(user, environments.require(roll.environment), what + " roll " + id);
        return roll;
    }

    /** A freeze window stops new work on hosts; pausing and canceling stay allowed. */
    private void checkNotFrozen(Roll roll, String what) {
        freezeWindows.checkNotFrozen(environments.require(roll.environment), what + " roll " + roll.id + " of " + roll.packageName);
    }
}
