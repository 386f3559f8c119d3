package dev.yardmaster.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.audit.Actor;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.fleet.Inventory;
import dev.yardmaster.fleet.InventoryHost;
import dev.yardmaster.promotion.Promotions;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.web.YardmasterException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    private final RollEvents events;
    private final ObjectMapper json;
    private final EntityManager em;
    private final Promotions promotions;

    Rolls(Inventory inventory, Environments environments, TargetBuilds targets, RollConfig config, AuditLog audit,
            RollEvents events, ObjectMapper json, EntityManager em, Promotions promotions) {
        this.promotions = promotions;
        this.inventory = inventory;
        this.environments = environments;
        this.targets = targets;
        this.config = config;
        this.audit = audit;
        this.events = events;
        this.json = json;
        this.em = em;
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

    /** Starts a roll (the runner picks it up). Returns an existing roll for a repeated Idempotency-Key. */
    @Transactional
    public Roll start(CurrentUser user, Actor actor, RollPlan plan, String idempotencyKey) {
        if (idempotencyKey != null && !idempotencyKey.isBlank()) {
            if (idempotencyKey.length() > 200) {
                throw YardmasterException.badRequest("bad-idempotency-key", "Idempotency-Key is longer than 200 characters.");
            }
            var existing = Roll.withIdempotencyKey(idempotencyKey);
            if (existing.isPresent()) {
                return existing.get();
            }
        }
        // Refusals that do not depend on the hosts come first: a frozen or locked environment
        // says so even when its inventory is empty.
        if (plan != null) {
            RollPlan.Strategy strategy = plan.validated(config);
            Environment env = environments.require(strategy.environment());
            environments.checkMayChange(user, env, "Rolling " + strategy.packageName());
            environments.checkNotLocked(env, "Rolling " + strategy.packageName());
            promotions.checkNotFrozen(env, "Rolling " + strategy.packageName());
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
        roll.status = RollStatus.PENDING;
        roll.batchCount = p.batches().size();
        roll.createdBy = actor.name();
        roll.idempotencyKey = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey;
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
                    + p.environment() + " started at the same moment.");
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
                .detail("failureBudget", p.strategy().failureBudget()));
        announce(roll);
        return roll;
    }

    @Transactional
    public Roll pause(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Pausing");
        requireStatus(roll, "pause", RollStatus.PENDING, RollStatus.RUNNING, RollStatus.WAITING);
        return change(actor, roll, RollStatus.PAUSED, "paused by " + actor.name(), "roll.paused");
    }

    @Transactional
    public Roll resume(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Resuming");
        requireStatus(roll, "resume", RollStatus.PAUSED);
        checkNotFrozen(roll, "Resuming");
        return change(actor, roll, RollStatus.RUNNING, null, "roll.resumed");
    }

    @Transactional
    public Roll continueAfterCanary(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Continuing");
        requireStatus(roll, "continue", RollStatus.WAITING);
        checkNotFrozen(roll, "Continuing");
        return change(actor, roll, RollStatus.RUNNING, null, "roll.continued");
    }

    /** Stops starting hosts; running hosts finish, or with {@code interrupt} have their commands killed. */
    @Transactional
    public Roll cancel(CurrentUser user, Actor actor, long id, boolean interrupt) {
        Roll roll = controllable(user, id, "Canceling");
        requireStatus(roll, "cancel", RollStatus.PENDING, RollStatus.RUNNING, RollStatus.WAITING, RollStatus.PAUSED);
        roll.interrupt = interrupt;
        roll.finishedAt = OffsetDateTime.now(ZoneOffset.UTC);
        List<RollHost> pending = RollHost.list("rollId = ?1 and status = ?2", roll.id, HostStatus.PENDING);
        for (RollHost host : pending) {
            host.status = HostStatus.CANCELED;
            host.reason = "roll canceled before its turn";
            hostChanged(host);
        }
        return change(actor, roll, RollStatus.CANCELED, "canceled by " + actor.name() + (interrupt ? " (running hosts interrupted)" : ""),
                "roll.canceled");
    }

    /** Puts failed and unreachable hosts back in the queue and runs the roll again. */
    @Transactional
    public Roll retryFailed(CurrentUser user, Actor actor, long id) {
        Roll roll = controllable(user, id, "Retrying");
        requireStatus(roll, "retry", RollStatus.FAILED, RollStatus.SUCCEEDED, RollStatus.CANCELED);
        environments.checkNotLocked(environments.require(roll.environment), "Retrying roll " + roll.id);
        checkNotFrozen(roll, "Retrying");
        Roll.activeFor(roll.packageName, roll.environment).ifPresent(active -> {
            throw YardmasterException.conflict("roll-in-progress", "Roll " + active.id + " of " + roll.packageName + " in "
                    + roll.environment + " is active; finish or cancel it first.");
        });
        List<RollHost> failed = RollHost.<RollHost>list("rollId", roll.id).stream().filter(h -> h.status.isRetryable()).toList();
        if (failed.isEmpty()) {
            throw YardmasterException.conflict("nothing-to-retry", "Roll " + roll.id + " has no failed or unreachable hosts.");
        }
        for (RollHost host : failed) {
            host.status = HostStatus.PENDING;
            host.step = Step.QUEUED;
            host.reason = "retry " + (host.attempts + 1);
            host.finishedAt = null;
            hostChanged(host);
        }
        roll.interrupt = false;
        roll.finishedAt = null;
        roll.leaseOwner = null;
        roll.leaseUntil = null;
        try {
            Roll changed = change(actor, roll, RollStatus.RUNNING, "retrying " + failed.size() + " hosts", "roll.retried");
            em.flush();
            return changed;
        } catch (PersistenceException e) {
            throw YardmasterException.conflict("roll-in-progress", "Another roll of " + roll.packageName + " started meanwhile.");
        }
    }

    public Roll require(long id) {
        Roll roll = Roll.findById(id);
        if (roll == null) {
            throw YardmasterException.notFound("roll", "There is no roll " + id + ".");
        }
        return roll;
    }

    private Roll controllable(CurrentUser user, long id, String what) {
        Roll roll = require(id);
        em.lock(roll, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        em.refresh(roll);
        environments.checkMayChange(user, environments.require(roll.environment), what + " roll " + id);
        return roll;
    }

    /** A freeze window stops new work on hosts; pausing and canceling stay allowed. */
    private void checkNotFrozen(Roll roll, String what) {
        promotions.checkNotFrozen(environments.require(roll.environment), what + " roll " + roll.id + " of " + roll.packageName);
    }

    private static void requireStatus(Roll roll, String action, RollStatus... allowed) {
        for (RollStatus status : allowed) {
            if (roll.status == status) {
                return;
            }
        }
        throw new YardmasterException(409, "roll-not-" + action + "able", "Conflict", "Roll " + roll.id + " is "
                + roll.status.name().toLowerCase() + "; it cannot " + action + " now.", Map.of("status", roll.status.name()));
    }

    private Roll change(Actor actor, Roll roll, RollStatus status, String reason, String action) {
        RollStatus before = roll.status;
        roll.status = status;
        roll.reason = reason;
        audit.record(audit.entry(actor, action).environment(roll.environment).packageName(roll.packageName)
                .subject("roll " + roll.id).detail("from", before.name()).detail("to", status.name()));
        announce(roll);
        return roll;
    }

    /** Records a RollChanged event for the roll's current state (caller's transaction). */
    void announce(Roll roll) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", roll.id);
        data.put("package", roll.packageName);
        data.put("environment", roll.environment);
        data.put("target", roll.targetEvr);
        data.put("status", roll.status.name());
        data.put("reason", roll.reason);
        data.put("currentBatch", roll.currentBatch);
        data.put("batchCount", roll.batchCount);
        events.record(roll.id, "RollChanged", data);
    }

    void hostChanged(RollHost host) {
        events.record(host.rollId, "HostChanged", hostData(host));
    }

    static Map<String, Object> hostData(RollHost host) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", host.id);
        data.put("name", host.name);
        data.put("batch", host.batch);
        data.put("status", host.status.name());
        data.put("step", host.step.name());
        data.put("reason", host.reason);
        data.put("fromEvr", host.fromEvr);
        data.put("toEvr", host.toEvr);
        data.put("restarts", host.restarts);
        return data;
    }
}
