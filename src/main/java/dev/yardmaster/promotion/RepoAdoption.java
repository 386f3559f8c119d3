package dev.yardmaster.promotion;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.build.Build;
import dev.yardmaster.build.BuildCatalog;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.repo.RepoServers;
import dev.yardmaster.security.Actor;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Takes the repo server's environment directories as the truth and follows them. At start and
 * after every catalog scan (and in local mode whenever a directory changes: {@link RepoWatch}) it reads what each
 * directory serves. The first time, every package found there that the console has no record
 * of is recorded live with origin {@code adopted}; later, any difference from what was last
 * recorded — a link added, removed or replaced, the metadata refreshed — is a {@link
 * RepoChange}, audited as {@code repo.changed-outside}, and the live build follows the
 * directory: it is what servers install.
 *
 * <p>Each directory is read under its repo lock (the flock promotions and people take), and the
 * console's own promotions record what they leave behind under that same lock, so a promotion
 * is never seen as a change made outside. Replicas serialise on the flock, then on an advisory
 * lock per environment; the recorded state's primary key keeps a directory from being adopted
 * twice.
 */
@ApplicationScoped
public class RepoAdoption {

    private static final Logger LOG = Logger.getLogger(RepoAdoption.class);
    /** How long a read waits for the directory's lock; a holder (a person, a promotion) is read next time. */
    static final Duration LOCK_WAIT = Duration.ofSeconds(5);

    private final RepoEffects repos;
    private final RepoServers servers;
    private final AuditLog audit;
    private final ReentrantLock reading = new ReentrantLock();

    RepoAdoption(RepoEffects repos, RepoServers servers, AuditLog audit) {
        this.repos = repos;
        this.servers = servers;
        this.audit = audit;
    }

    /** What one environment's read found. */
    public record Outcome(String environment, boolean read, boolean adopted, RepoChange change, String error) {
    }

    void afterScan(@Observes BuildCatalog.Scanned scanned) {
        readAll();
    }

    /**
     * Reads every active environment's directory and records what changed. Returns per
     * environment what happened; a directory that cannot be read now is read next time.
     */
    public List<Outcome> readAll() {
        if (servers.config().path().isEmpty()) {
            return List.of();
        }
        reading.lock();
        try {
            List<String> names = QuarkusTransaction.requiringNew().call(
                    () -> Environment.inLifecycleOrder().stream().map(e -> e.name).toList());
            List<Outcome> outcomes = new ArrayList<>();
            try (EnvironmentRepo repo = repos.repo()) {
                for (String env : names) {
                    outcomes.add(read(repo, env));
                }
            } catch (RepoException e) {
                LOG.warnf("Could not read the environment directories: %s", e.getMessage());
            }
            return outcomes;
        } finally {
            reading.unlock();
        }
    }

    private Outcome read(EnvironmentRepo repo, String env) {
        try {
            if (!repo.hasEnvironment(env)) {
                return new Outcome(env, false, false, null, "no directory " + env + "/ on the repo server");
            }
            try (RepoHost.Held lock = repo.lock(env, LOCK_WAIT)) {
                EnvironmentRepo.Snapshot now = repo.snapshot(env);
                return QuarkusTransaction.requiringNew().call(() -> record(env, now));
            }
        } catch (RepoException e) {
            LOG.debugf("Not reading %s/ this time: %s", env, e.getMessage());
            return new Outcome(env, false, false, null, e.getMessage());
        }
    }

    /** Compares what the directory serves with what was recorded, and records the difference. */
    private Outcome record(String envName, EnvironmentRepo.Snapshot now) {
        Environment env = Environment.named(envName).orElseThrow();
        Environment.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('yardmaster.repo-adoption'), :env)")
                .setParameter("env", env.id.intValue()).getSingleResult();
        Optional<EnvironmentRepo.Snapshot> recorded = recorded(env);
        Map<String, String> liveBefore = liveNevras(env);
        Map<String, Build> builds = buildsServed(now);
        boolean firstSight = recorded.isEmpty();
        boolean differs = recorded.map(r -> !r.equals(now)).orElse(false);
        // Rows are rewritten when the directory changed, or when a file the catalog did not know
        // at the last read is a build now (a read before the first scan, a copy still settling).
        store(env, now, builds, recorded.isPresent(), differs || firstSight || !storedBuilds(env).equals(resolvedIds(now, builds)));
        boolean adopted = follow(env, now, builds, firstSight);
        Map<String, String> liveAfter = liveNevras(env);
        RepoChange change = null;
        if (differs || (firstSight && changedConsoleRecords(liveBefore, liveAfter))) {
            // follow() may have cleared the session: the change refers to a managed environment.
            change = changedOutside(Environment.findById(env.id), recorded.orElse(new EnvironmentRepo.Snapshot(Map.of(), null)), now, liveBefore,
                    liveAfter);
        }
        if (adopted || change != null) {
            LOG.infof("Read %s/ on the repo server: %d RPMs%s", envName, now.files().size(),
                    change == null ? "" : "; changed outside Yardmaster: " + change.summary);
        }
        return new Outcome(envName, true, adopted, change, null);
    }

    /**
     * Records what a promotion of the console's own left in the directory, read back under the
     * lock it still holds, in the transaction that marks it applied.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void recordOwnChange(Environment env, EnvironmentRepo.Snapshot after) {
        Environment.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('yardmaster.repo-adoption'), :env)")
                .setParameter("env", env.id.intValue()).getSingleResult();
        Optional<EnvironmentRepo.Snapshot> recorded = recorded(env);
        store(env, after, buildsServed(after), recorded.isPresent(), true);
    }

    /** Packages whose live build the console had recorded (by promotion) and the directory now contradicts. */
    private static boolean changedConsoleRecords(Map<String, String> before, Map<String, String> after) {
        return before.entrySet().stream().anyMatch(e -> !e.getValue().equals(after.get(e.getKey())));
    }

    private RepoChange changedOutside(Environment env, EnvironmentRepo.Snapshot before, EnvironmentRepo.Snapshot after,
            Map<String, String> liveBefore, Map<String, String> liveAfter) {
        List<String> parts = new ArrayList<>();
        for (EnvironmentRepo.Served file : after.files().values()) {
            EnvironmentRepo.Served old = before.files().get(file.name());
            if (old == null) {
                parts.add(file.name() + " added");
            } else if (!old.equals(file)) {
                parts.add(file.name() + " replaced (was " + describe(old) + ", now " + describe(file) + ")");
            }
        }
        for (String name : before.files().keySet()) {
            if (!after.files().containsKey(name)) {
                parts.add(name + " removed");
            }
        }
        if (!java.util.Objects.equals(before.repomdSha256(), after.repomdSha256())) {
            parts.add(after.repomdSha256() == null ? "metadata removed" : "metadata refreshed");
        }
        if (parts.isEmpty()) {
            parts.add("live builds differ from the console's records");
        }
        RepoChange change = new RepoChange();
        change.environment = env;
        change.detectedAt = Promotions.now();
        String summary = String.join("; ", parts);
        change.summary = summary.length() > 2000 ? summary.substring(0, 1999) + "…" : summary;
        change.before = state(before, liveBefore);
        change.after = state(after, liveAfter);
        change.persist();
        audit.record(audit.entry(Actor.system(), "repo.changed-outside").environment(env.name)
                .subject(env.name + "/ on the repo server: " + change.summary).detail("repoChangeId", change.id)
                .detail("summary", change.summary).detail("before", change.before).detail("after", change.after));
        return change;
    }

    private static String describe(EnvironmentRepo.Served file) {
        return file.link() ? "a link to " + file.target() : "a plain file";
    }

    private static Map<String, Object> state(EnvironmentRepo.Snapshot snapshot, Map<String, String> live) {
        Map<String, Object> files = new TreeMap<>();
        snapshot.files().values().forEach(f -> files.put(f.name(), f.link() ? f.target() : "file"));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("files", files);
        state.put("repomdSha256", snapshot.repomdSha256());
        state.put("live", new TreeMap<>(live));
        return state;
    }

    /**
     * Makes each package's live build the newest one the directory serves (rpm version order:
     * what yum installs), and ends the live record of a package the directory no longer serves.
     * Returns whether any build was adopted.
     */
    private boolean follow(Environment env, EnvironmentRepo.Snapshot now, Map<String, Build> builds, boolean firstSight) {
        Map<String, List<Build>> byPackage = byPackage(builds);
        boolean unresolved = now.files().values().stream().anyMatch(f -> f.buildFile() == null
                || !builds.containsKey(f.buildFile()));
        // Looked up once, not per package: adopting a directory of 5,000 builds is 5,000 packages.
        Map<String, Live> live = live(env);
        java.util.Set<String> known = new java.util.HashSet<>(Promotion.getEntityManager().createQuery(
                "select distinct p.packageName from Promotion p where p.environment = :env and p.state in :states", String.class)
                .setParameter("env", env).setParameter("states", List.of(Promotion.State.applied, Promotion.State.superseded))
                .getResultList());
        Map<String, List<String>> servedAs = new HashMap<>();
        now.files().values().forEach(f -> {
            if (f.buildFile() != null) {
                servedAs.computeIfAbsent(f.buildFile(), k -> new ArrayList<>())
                        .add(f.link() ? f.name() + " -> build/" + f.target() : f.name() + " (plain file)");
            }
        });
        var em = Promotion.getEntityManager();
        boolean adopted = false;
        int written = 0;
        OffsetDateTime at = Promotions.now();
        for (Map.Entry<String, List<Build>> entry : byPackage.entrySet()) {
            String pkg = entry.getKey();
            Build newest = entry.getValue().stream().max(Comparator.comparing(Build::toEvr).thenComparing(b -> b.id)).orElseThrow();
            Live current = live.get(pkg);
            if (current != null && current.buildId() == newest.id) {
                continue;
            }
            boolean wasKnown = known.contains(pkg);
            String previous = current == null ? null : current.nevra();
            if (current != null) {
                // By statement, not through the entity: the session is cleared every few hundred
                // packages below, and the live row must be gone before the new one (promotion_live).
                Promotion.update("state = ?1, supersededAt = ?2 where id = ?3", Promotion.State.superseded, at, current.id());
            }
            Promotion found = new Promotion();
            found.build = em.getReference(Build.class, newest.id);
            found.environment = em.getReference(Environment.class, env.id);
            found.packageName = pkg;
            found.origin = wasKnown ? Promotion.Origin.outside : Promotion.Origin.adopted;
            found.state = Promotion.State.applied;
            found.requestedBy = Actor.system().name();
            found.requestedAt = at;
            found.appliedAt = at;
            found.reason = wasKnown ? "Changed outside Yardmaster: " + env.name + "/ on the repo server serves " + newest.nevra
                    : "Found in " + env.name + "/ on the repo server when Yardmaster " + (firstSight ? "adopted it" : "first saw it");
            found.persist();
            if (current != null) {
                Promotion.update("supersededBy = ?1 where id = ?2", found.id, current.id());
            }
            List<String> alsoServed = entry.getValue().stream().filter(b -> !b.id.equals(newest.id))
                    .sorted(Comparator.comparing(Build::toEvr).reversed()).map(b -> b.nevra).toList();
            List<String> files = entry.getValue().stream().flatMap(b -> servedAs.getOrDefault(b.fileName, List.of()).stream())
                    .sorted().toList();
            audit.record(audit.entry(Actor.system(), wasKnown ? "promotion.followed-repo" : "promotion.adopted")
                    .environment(env.name).packageName(pkg).subject("promotion " + found.id + ": " + newest.nevra)
                    .detail("promotionId", found.id).detail("buildId", newest.id).detail("origin", found.origin.name())
                    .detail("previous", previous).detail("alsoServed", alsoServed.isEmpty() ? null : alsoServed)
                    .detail("found", files));
            adopted |= !wasKnown;
            if (++written % 200 == 0) {
                // Every audit record flushes the session; with thousands of entities in it each
                // flush would walk them all. Written rows need not stay managed.
                em.flush();
                em.clear();
            }
        }
        if (!unresolved) {
            for (Live gone : live.values()) {
                if (!byPackage.containsKey(gone.packageName())) {
                    Promotion.update("state = ?1, supersededAt = ?2 where id = ?3", Promotion.State.superseded, at, gone.id());
                    audit.record(audit.entry(Actor.system(), "promotion.followed-repo").environment(env.name)
                            .packageName(gone.packageName()).subject("promotion " + gone.id() + ": " + gone.nevra())
                            .detail("promotionId", gone.id()).detail("removed", gone.nevra())
                            .detail("reason", env.name + "/ on the repo server no longer serves " + gone.packageName()));
                }
            }
        }
        return adopted;
    }

    /** The catalog's builds the directory serves, by their build/ file name (one query, not one per file). */
    private static Map<String, Build> buildsServed(EnvironmentRepo.Snapshot now) {
        List<String> names = now.files().values().stream().map(EnvironmentRepo.Served::buildFile)
                .filter(java.util.Objects::nonNull).distinct().toList();
        Map<String, Build> builds = new HashMap<>();
        for (int i = 0; i < names.size(); i += 1000) {
            Build.<Build>list("fileName in ?1", names.subList(i, Math.min(names.size(), i + 1000)))
                    .forEach(b -> builds.put(b.fileName, b));
        }
        return builds;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> storedBuilds(Environment env) {
        Map<String, Long> ids = new HashMap<>();
        List<Object[]> rows = Environment.getEntityManager()
                .createNativeQuery("SELECT file_name, build_id FROM environment_served WHERE environment_id = :env")
                .setParameter("env", env.id).getResultList();
        rows.forEach(r -> ids.put((String) r[0], r[1] == null ? null : ((Number) r[1]).longValue()));
        return ids;
    }

    private static Map<String, Long> resolvedIds(EnvironmentRepo.Snapshot now, Map<String, Build> builds) {
        Map<String, Long> ids = new HashMap<>();
        now.files().values().forEach(f -> {
            Build b = f.buildFile() == null ? null : builds.get(f.buildFile());
            ids.put(f.name(), b == null ? null : b.id);
        });
        return ids;
    }

    private static Map<String, List<Build>> byPackage(Map<String, Build> builds) {
        Map<String, List<Build>> byPackage = new TreeMap<>();
        builds.values().forEach(b -> byPackage.computeIfAbsent(b.packageName, k -> new ArrayList<>()).add(b));
        return byPackage;
    }

    /** A live promotion, as far as following the directory needs it. */
    private record Live(long id, String packageName, long buildId, String nevra) {
    }

    /**
     * The environment's live promotions by package, in one projection query: loading them as
     * entities fetched each eager build on its own, 5,000 queries per directory per scan
     * (an unchanged scan of 3 x 5,000 links took 8.5-23 s; bench/adopt.sh).
     */
    private static Map<String, Live> live(Environment env) {
        Map<String, Live> live = new TreeMap<>();
        Promotion.getEntityManager().createQuery("""
                select p.id, p.packageName, b.id, b.nevra
                  from Promotion p join p.build b where p.environment.id = :env and p.state = :applied""", Object[].class)
                .setParameter("env", env.id).setParameter("applied", Promotion.State.applied).getResultList()
                .forEach(r -> live.put((String) r[1], new Live((Long) r[0], (String) r[1], (Long) r[2], (String) r[3])));
        return live;
    }

    private static Map<String, String> liveNevras(Environment env) {
        Map<String, String> nevras = new TreeMap<>();
        live(env).values().forEach(l -> nevras.put(l.packageName(), l.nevra()));
        return nevras;
    }

    /** What was last recorded for the environment's directory, or empty if it was never read. */
    @SuppressWarnings("unchecked")
    static Optional<EnvironmentRepo.Snapshot> recorded(Environment env) {
        List<Object> sha = Environment.getEntityManager()
                .createNativeQuery("SELECT coalesce(repomd_sha256, '') FROM environment_repo WHERE environment_id = :env")
                .setParameter("env", env.id).getResultList();
        if (sha.isEmpty()) {
            return Optional.empty();
        }
        Map<String, EnvironmentRepo.Served> files = new TreeMap<>();
        List<Object[]> rows = Environment.getEntityManager().createNativeQuery(
                "SELECT file_name, kind, target FROM environment_served WHERE environment_id = :env")
                .setParameter("env", env.id).getResultList();
        for (Object[] row : rows) {
            String name = (String) row[0];
            boolean link = "link".equals(row[1]);
            String target = (String) row[2];
            // Stored targets of links into build/ are bare file names; anything else is a path.
            boolean intoBuild = link && target != null && !target.contains("/");
            files.put(name, new EnvironmentRepo.Served(name, link, target, intoBuild));
        }
        String repomd = (String) sha.get(0);
        return Optional.of(new EnvironmentRepo.Snapshot(files, repomd.isEmpty() ? null : repomd));
    }

    private static void store(Environment env, EnvironmentRepo.Snapshot now, Map<String, Build> builds, boolean exists,
            boolean changed) {
        var em = Environment.getEntityManager();
        OffsetDateTime at = Promotions.now();
        if (!exists) {
            em.createNativeQuery("INSERT INTO environment_repo (environment_id, repomd_sha256, observed_at, changed_at) "
                    + "VALUES (:env, :sha, :at, :at)").setParameter("env", env.id).setParameter("sha", now.repomdSha256())
                    .setParameter("at", at).executeUpdate();
        } else {
            em.createNativeQuery("UPDATE environment_repo SET repomd_sha256 = :sha, observed_at = :at"
                    + (changed ? ", changed_at = :at" : "") + " WHERE environment_id = :env")
                    .setParameter("env", env.id).setParameter("sha", now.repomdSha256()).setParameter("at", at).executeUpdate();
        }
        if (!changed) {
            return;
        }
        em.createNativeQuery("DELETE FROM environment_served WHERE environment_id = :env").setParameter("env", env.id)
                .executeUpdate();
        // One JDBC batch: a directory of thousands of links is one round trip, not one per file.
        em.unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (java.sql.PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO environment_served (environment_id, file_name, kind, target, build_id) VALUES (?, ?, ?, ?, ?)")) {
                for (EnvironmentRepo.Served file : now.files().values()) {
                    Build build = file.buildFile() == null ? null : builds.get(file.buildFile());
                    insert.setLong(1, env.id);
                    insert.setString(2, file.name());
                    insert.setString(3, file.link() ? "link" : "file");
                    insert.setString(4, file.target());
                    insert.setObject(5, build == null ? null : build.id, java.sql.Types.BIGINT);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }
}
