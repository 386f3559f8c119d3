package dev.yardmaster.promotion;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.build.Build;
import dev.yardmaster.build.Evr;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.AlsoServed;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.security.Actor;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.People;
import dev.yardmaster.security.Roles;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * The promotion rules: who may move which build where, in which order, with whose approval,
 * and the apply step that changes the repo server. Every decision and refusal is audited.
 *
 * <p>Applying holds the environment's repo lock (flock on the repo server) across the file
 * change and the database update, so the order of promotions in the database is the order
 * in which they happened on disk, whichever replica ran them.
 */
@ApplicationScoped
public class Promotions {

    private static final Logger LOG = Logger.getLogger(Promotions.class);

    /** What a caller asks for. */
    public record Request(String packageName, String version, Long buildId, String environment, String reason,
            boolean force, String idempotencyKey) {
    }

    /** The promotion and whether this call created it (false: an existing one was returned). */
    public record Result(Promotion promotion, boolean created) {
    }

    private final Environments environments;
    private final AuditLog audit;
    private final PromotionConfig config;
    private final RepoEffects repos;
    private final RepoAdoption adoption;
    private final dev.yardmaster.observability.Meters meters;

    Promotions(Environments environments, AuditLog audit, PromotionConfig config, RepoEffects repos, RepoAdoption adoption,
            dev.yardmaster.observability.Meters meters) {
        this.meters = meters;
        this.environments = environments;
        this.audit = audit;
        this.config = config;
        this.repos = repos;
        this.adoption = adoption;
    }


    /**
     * Requests a promotion. Unprotected environments apply at once; protected ones wait for a
     * second person's approval. Asking again for a build that is live or already requested
     * answers with that promotion and changes nothing.
     */
    public Result request(CurrentUser user, Actor actor, Request request) {
        Result result;
        try {
            result = QuarkusTransaction.requiringNew().call(() -> createRequest(user, actor, request));
        } catch (YardmasterException refused) {
            meters.promotion("refused");
            throw refused;
        }
        Promotion promotion = result.promotion();
        if (result.created() && promotion.state == Promotion.State.approved) {
            return new Result(apply(promotion.id, actor), true);
        }
        if (result.created()) {
            meters.promotion("requested");
        }
        return result;
    }

    private Result createRequest(CurrentUser user, Actor actor, Request request) {
        if (request.idempotencyKey() != null) {
            Optional<Promotion> earlier = Promotion.byIdempotencyKey(actor.name(), request.idempotencyKey());
            if (earlier.isPresent()) {
                return new Result(earlier.get(), false);
            }
        }
        Environment env = environmentNamed(request.environment());
        // The role check comes before the build lookup: who may not change an environment learns
        // nothing about which builds exist.
        environments.checkMayChange(user, env, "Promoting");
        Build build = buildFor(request);
        String what = "Promoting " + build.nevra;
        environments.checkOpen(env, what);
        Optional<Promotion> live = Promotion.currentIn(env, build.packageName);
        if (live.isPresent() && live.get().build.id.equals(build.id)) {
            return new Result(live.get(), false);
        }
        Optional<Promotion> open = Promotion.openFor(build, env);
        if (open.isPresent()) {
            return new Result(open.get(), false);
        }
        if (!build.isPresent() || !buildFileExists(build)) {
            throw conflict("build-file-missing", build.fileName + " is no longer in build/ on the repo server; it cannot be promoted.",
                    env, build);
        }
        checkLifecycle(user, env, build, request.force());
        if (config.blockUnreviewedInProtected() && environments.isProtected(env) && build.unreviewed) {
            throw conflict("build-unreviewed", build.nevra + " has no independent reviewer and cannot reach " + env.name + ".",
                    env, build);
        }
        Promotion promotion = new Promotion();
        promotion.build = build;
        promotion.environment = env;
        promotion.packageName = build.packageName;
        promotion.reason = requireReason(request.reason());
        promotion.forced = request.force();
        promotion.requestedBy = actor.name();
        promotion.onBehalfOf = actor.onBehalfOf();
        promotion.clientId = actor.clientId();
        promotion.requestedAt = now();
        promotion.idempotencyKey = request.idempotencyKey();
        if (environments.isProtected(env)) {
            promotion.state = Promotion.State.requested;
            promotion.expiresAt = promotion.requestedAt.plus(config.approvalTimeout());
        } else {
            promotion.state = Promotion.State.approved;
        }
        promotion.persist();
        audit.record(entry(actor, "promotion.requested", promotion).detail("forced", request.force() ? true : null)
                .detail("awaitsApproval", promotion.state == Promotion.State.requested ? true : null));
        return new Result(promotion, true);
    }

    /** A release manager other than the requester approves; the promotion is then applied. */
    public Promotion approve(CurrentUser user, Actor actor, long id, String note) {
        QuarkusTransaction.requiringNew().run(() -> {
            Promotion promotion = open(id);
            checkDecider(user, actor, promotion, "approve");
            environments.checkOpen(promotion.environment, "Approving " + promotion.build.nevra);
            promotion.state = Promotion.State.approved;
            promotion.decidedBy = actor.name();
            promotion.decidedAt = now();
            promotion.decisionNote = blankToNull(note);
            audit.record(entry(actor, "promotion.approved", promotion).detail("note", promotion.decisionNote));
        });
        return apply(id, actor);
    }

    public Promotion reject(CurrentUser user, Actor actor, long id, String note) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Promotion promotion = open(id);
            checkDecider(user, actor, promotion, "reject");
            promotion.state = Promotion.State.rejected;
            promotion.decidedBy = actor.name();
            promotion.decidedAt = now();
            promotion.decisionNote = blankToNull(note);
            audit.record(entry(actor, "promotion.rejected", promotion).detail("note", promotion.decisionNote));
            meters.promotion("rejected");
            return promotion;
        });
    }

    /**
     * Puts the package's previous live build back in the environment. A rollback needs the
     * environment's role but no second approval: it returns to a build that was already live
     * there, and it is what people reach for during an incident.
     */
    public Result rollback(CurrentUser user, Actor actor, String envName, String packageName, String reason) {
        return rollback(env -> environments.checkMayChange(user, env, "Rolling back " + packageName), actor, envName,
                packageName, reason);
    }

    /**
     * The same rollback, for a roll that halted with {@code onFailure: rollback}: the person who
     * started that roll was allowed to change the environment when they chose the policy; locks
     * and freeze windows still hold, and every step is audited as the system's.
     */
    public Result rollbackForHaltedRoll(String envName, String packageName, String reason) {
        return rollback(env -> {
        }, Actor.system(), envName, packageName, reason);
    }

    private Result rollback(java.util.function.Consumer<Environment> mayChange, Actor actor, String envName,
            String packageName, String reason) {
        Result result = QuarkusTransaction.requiringNew().call(() -> {
            Environment env = environmentNamed(envName);
            requirePackageName(packageName);
            mayChange.accept(env);
            environments.checkOpen(env, "Rolling back " + packageName);
            List<Promotion> history = Promotion.historyOf(env, packageName);
            if (history.isEmpty() || history.get(0).state != Promotion.State.applied) {
                throw new YardmasterException(404, "nothing-live", "Not found",
                        packageName + " is not live in " + env.name + ": there is nothing to roll back.",
                        Map.of("environment", env.name, "package", packageName));
            }
            Promotion current = history.get(0);
            // The build live before this one; for a build adopted from the repo, that history is
            // in the directory: the newest older build it also serves.
            Build previous = history.stream().skip(1).filter(p -> !p.build.id.equals(current.build.id)).findFirst()
                    .map(p -> p.build)
                    .or(() -> AlsoServed.in(env).getOrDefault(packageName, List.of()).stream().findFirst()
                            .map(b -> Build.<Build>findById(b.buildId())))
                    .orElseThrow(() -> conflict("no-previous-build", packageName + " has had only "
                            + current.build.nevra + " in " + env.name + ": there is no earlier build to roll back to.",
                            env, current.build));
            if (!previous.isPresent()) {
                throw conflict("build-file-missing", previous.fileName
                        + " is no longer in build/ on the repo server; it cannot be rolled back to.", env, previous);
            }
            Promotion rollback = new Promotion();
            rollback.build = previous;
            rollback.environment = env;
            rollback.packageName = packageName;
            rollback.reason = requireReason(reason);
            rollback.rollbackOf = current.id;
            rollback.requestedBy = actor.name();
            rollback.onBehalfOf = actor.onBehalfOf();
            rollback.clientId = actor.clientId();
            rollback.requestedAt = now();
            rollback.state = Promotion.State.approved;
            rollback.persist();
            audit.record(entry(actor, "promotion.rollback-requested", rollback).detail("from", current.build.nevra));
            return new Result(rollback, true);
        });
        return new Result(apply(result.promotion().id, actor), true);
    }

    /** Makes an approved promotion live on the repo server, then in the database. */
    Promotion apply(long id, Actor actor) {
        Promotion snapshot = QuarkusTransaction.requiringNew().call(() -> Promotion.<Promotion>findById(id));
        String env = snapshot.environment.name;
        try (EnvironmentRepo repo = repos.repo(); RepoHost.Held lock = repo.lock(env)) {
            OlderLinks older = QuarkusTransaction.requiringNew().call(() -> olderLinks(snapshot.build));
            EnvironmentRepo.Outcome outcome = repo.promote(env, snapshot.build.fileName, snapshot.build.nevra,
                    snapshot.packageName, older.remove(), older.kept());
            // Read back under the same lock and recorded with the promotion: the directory watch
            // and the next scan then find exactly what was recorded, so the console's own change
            // is never mistaken for one made outside.
            EnvironmentRepo.Snapshot after = repo.snapshot(env);
            Promotion applied = QuarkusTransaction.requiringNew().call(() -> {
                Promotion done = markApplied(id, actor, outcome);
                adoption.recordOwnChange(done.environment, after);
                return done;
            });
            meters.promotion("applied");
            return applied;
        } catch (RepoException | IllegalArgumentException failure) {
            meters.promotion("failed");
            LOG.warnf("Promotion %d of %s to %s failed: %s", id, snapshot.build.nevra, env, failure.getMessage());
            Promotion failed = QuarkusTransaction.requiringNew().call(() -> {
                Promotion promotion = Promotion.findById(id);
                promotion.state = Promotion.State.failed;
                promotion.failure = failure.getMessage();
                audit.record(entry(actor, "promotion.failed", promotion).outcome("failed").detail("error", failure.getMessage()));
                return promotion;
            });
            throw new YardmasterException(502, "promotion-failed", "Promotion failed",
                    "Promoting " + snapshot.build.nevra + " to " + env + " failed and the environment was left as it was: "
                            + failure.getMessage(), Map.of("environment", env, "package", snapshot.packageName,
                            "promotionId", failed.id));
        }
    }

    /** Which links of the package a promotion removes, and which stay (keep mode: the older builds). */
    record OlderLinks(Predicate<String> remove, Map<String, String> kept) {
    }

    private OlderLinks olderLinks(Build target) {
        List<Build> samePackage = Build.list("packageName", target.packageName);
        if (config.olderBuilds() == PromotionConfig.OlderBuilds.replace) {
            Set<String> files = samePackage.stream().map(b -> b.fileName).collect(Collectors.toSet());
            return new OlderLinks(files::contains, Map.of());
        }
        Evr evr = target.toEvr();
        Set<String> newer = samePackage.stream().filter(b -> b.toEvr().compareTo(evr) > 0).map(b -> b.fileName)
                .collect(Collectors.toSet());
        Map<String, String> kept = samePackage.stream().filter(b -> b.toEvr().compareTo(evr) < 0)
                .collect(Collectors.toMap(b -> b.fileName, b -> b.nevra));
        return new OlderLinks(newer::contains, kept);
    }

    private Promotion markApplied(long id, Actor actor, EnvironmentRepo.Outcome outcome) {
        Promotion promotion = Promotion.findById(id);
        OffsetDateTime at = now();
        Optional<Promotion> previous = Promotion.currentIn(promotion.environment, promotion.packageName);
        previous.ifPresent(old -> {
            old.state = Promotion.State.superseded;
            old.supersededAt = at;
            old.supersededBy = promotion.id;
            old.flush();
        });
        promotion.state = Promotion.State.applied;
        promotion.appliedAt = at;
        audit.record(entry(actor, promotion.rollbackOf != null ? "promotion.rolled-back" : "promotion.applied", promotion)
                .detail("previous", previous.map(p -> p.build.nevra).orElse(null))
                .detail("metadata", outcome.metadataNevra()));
        return promotion;
    }

    /** Requests nobody decided on in time expire (checked every minute, by any replica). */
    @Scheduled(every = "60s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expireStaleRequests() {
        QuarkusTransaction.requiringNew().run(() -> {
            List<Promotion> stale = Promotion.list("state = ?1 and expiresAt < ?2", Promotion.State.requested, now());
            for (Promotion promotion : stale) {
                promotion.state = Promotion.State.expired;
                promotion.decidedAt = now();
                audit.record(entry(Actor.system(), "promotion.expired", promotion));
            }
        });
    }

    private boolean buildFileExists(Build build) {
        try (EnvironmentRepo repo = repos.repo()) {
            return repo.buildFileExists(build.fileName);
        }
    }

    private void checkLifecycle(CurrentUser user, Environment env, Build build, boolean force) {
        if (!config.requirePreviousEnvironment()) {
            return;
        }
        Optional<Environment> previous = env.previous();
        if (previous.isEmpty() || Promotion.wasLive(build, previous.get())) {
            return;
        }
        if (force && user.has(Roles.ADMIN)) {
            return;
        }
        if (force) {
            throw new YardmasterException(403, "force-needs-admin", "Forbidden",
                    "Skipping " + previous.get().name + " with force needs the admin role.",
                    Map.of("environment", env.name, "package", build.packageName));
        }
        throw new YardmasterException(409, "out-of-order", "Conflict", build.nevra + " has not been in "
                + previous.get().name + " yet: promote it to " + previous.get().name + " before " + env.name + ".",
                Map.of("environment", env.name, "package", build.packageName, "missingStep", previous.get().name));
    }


    private void checkDecider(CurrentUser user, Actor actor, Promotion promotion, String verb) {
        if (!user.has(Roles.RELEASE_MANAGER)) {
            throw new YardmasterException(403, "role-required", "Forbidden",
                    "Only a release-manager may " + verb + " promotions.", context(promotion));
        }
        // Everyone behind the request and behind the decision (principal and represented
        // person, any case): one name in both means the same person or bot would decide.
        String decider = actor.onBehalfOf() != null ? actor.onBehalfOf() : actor.name();
        if (People.overlap(People.behind(actor.name(), actor.onBehalfOf()),
                People.behind(promotion.requestedBy, promotion.onBehalfOf))) {
            throw new YardmasterException(403, "self-approval", "Forbidden",
                    "A promotion needs a second person: " + decider + " requested it and cannot " + verb + " it.",
                    context(promotion));
        }
    }

    /**
     * The promotion waiting for a decision, locked for this transaction: an approve and a reject
     * racing each other serialize here, and the second finds it decided (409).
     */
    private static Promotion open(long id) {
        Promotion promotion = Promotion.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (promotion == null) {
            throw YardmasterException.notFound("promotion", "There is no promotion " + id + ".");
        }
        if (promotion.state == Promotion.State.requested && promotion.expiresAt != null
                && promotion.expiresAt.isBefore(now())) {
            throw new YardmasterException(409, "promotion-expired", "Conflict",
                    "Promotion " + id + " expired at " + promotion.expiresAt + "; request it again.", context(promotion));
        }
        if (promotion.state != Promotion.State.requested) {
            throw new YardmasterException(409, "promotion-not-pending", "Conflict",
                    "Promotion " + id + " is " + promotion.state + ", not waiting for a decision.", context(promotion));
        }
        return promotion;
    }

    private Environment environmentNamed(String name) {
        if (name == null || !Names.ENVIRONMENT.matcher(name).matches()) {
            throw YardmasterException.badRequest("invalid-environment-name",
                    "'" + Names.printable(name) + "' is not an environment name (lower case letters, digits, dashes).");
        }
        return environments.require(name);
    }

    private static Build buildFor(Request request) {
        if (request.buildId() != null) {
            Build build = Build.findById(request.buildId());
            if (build == null) {
                throw YardmasterException.notFound("build", "There is no build " + request.buildId() + ".");
            }
            if (request.packageName() != null && !request.packageName().equals(build.packageName)) {
                throw YardmasterException.badRequest("package-mismatch",
                        "Build " + request.buildId() + " is " + build.packageName + ", not " + request.packageName() + ".");
            }
            return build;
        }
        requirePackageName(request.packageName());
        if (request.version() == null || !Names.VERSION.matcher(request.version()).matches()) {
            throw YardmasterException.badRequest("invalid-version", "Give buildId, or package and version like 1.2.0 or 1.2.0-1 ('"
                    + Names.printable(request.version()) + "' is not a version).");
        }
        List<Build> matches = Build.matching(request.packageName(), request.version());
        if (matches.isEmpty()) {
            throw new YardmasterException(404, "build-not-found", "Not found", "There is no build of "
                    + request.packageName() + " at version " + request.version() + ".", Map.of("package", request.packageName()));
        }
        if (matches.size() > 1) {
            throw YardmasterException.conflict("ambiguous-version", request.version() + " matches " + matches.size()
                    + " builds of " + request.packageName() + " (" + String.join(", ", matches.stream().map(b -> b.nevra).toList())
                    + "): give version-release or buildId.");
        }
        return matches.get(0);
    }

    static void requirePackageName(String name) {
        if (name == null || !Names.PACKAGE.matcher(name).matches()) {
            throw YardmasterException.badRequest("invalid-package-name",
                    "'" + Names.printable(name) + "' is not a package name (letters, digits, . _ + -).");
        }
    }

    private static String requireReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw YardmasterException.badRequest("reason-required", "Say why: a reason is recorded with every promotion.");
        }
        if (reason.length() > 1000) {
            throw YardmasterException.badRequest("reason-too-long", "Keep the reason under 1,000 characters.");
        }
        return reason.strip();
    }

    private AuditLog.Entry entry(Actor actor, String action, Promotion promotion) {
        return audit.entry(actor, action).environment(promotion.environment.name).packageName(promotion.packageName)
                .subject("promotion " + promotion.id + ": " + promotion.build.nevra).detail("promotionId", promotion.id)
                .detail("buildId", promotion.build.id).detail("reason", promotion.reason);
    }

    private static YardmasterException conflict(String slug, String message, Environment env, Build build) {
        return new YardmasterException(409, slug, "Conflict", message,
                Map.of("environment", env.name, "package", build.packageName));
    }

    private static Map<String, Object> context(Promotion promotion) {
        return Map.of("environment", promotion.environment.name, "package", promotion.packageName);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
