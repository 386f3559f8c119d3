package dev.yardmaster.build;

import dev.yardmaster.repo.RepoFiles;
import dev.yardmaster.repo.RepoServers;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Keeps the build table in step with build/: reads the header of every new or changed RPM,
 * marks vanished files missing (never deletes them: promotions point at them), and records
 * every file it cannot index with the reason. Scans run on a schedule, on request and, in
 * local mode, when build/ changes; requests that arrive during a scan share one follow-up
 * scan, and only one replica scans at a time (advisory lock).
 */
@ApplicationScoped
public class BuildCatalog {

    private static final Logger LOG = Logger.getLogger(BuildCatalog.class);
    /** What rpmbuild produces; anything else could not be passed safely to a command later. */
    static final Pattern SAFE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._+~^-]*\\.rpm$");
    private static final int CHUNK = 200;
    private static final int READERS = 4;

    /** What one scan did. */
    public record ScanResult(boolean ran, int indexed, int unchanged, int rejected, int missing, long millis,
            OffsetDateTime finishedAt, String error) {
        static ScanResult skipped(String why) {
            return new ScanResult(false, 0, 0, 0, 0, 0, OffsetDateTime.now(ZoneOffset.UTC), why);
        }
    }

    /**
     * Fired on the scanning thread after every scan that ran, outside its transaction: what
     * else reads the repo server (the environment directories) follows the fresh catalog.
     */
    public record Scanned(ScanResult result) {
    }

    private record Known(long id, long size, OffsetDateTime mtime, Build.State state) {
    }

    sealed interface Outcome permits Indexed, Rejected {
    }

    record Indexed(RepoFiles.Entry entry, RpmHeader header, String sha256) implements Outcome {
    }

    record Rejected(RepoFiles.Entry entry, String reason) implements Outcome {
    }

    private final RepoServers repos;
    private final CatalogConfig config;
    private final Object gate = new Object();
    private CompletableFuture<ScanResult> current;
    private CompletableFuture<ScanResult> next;
    private volatile ScanResult last;
    private volatile Thread watcher;
    private final jakarta.enterprise.event.Event<Scanned> scanned;

    /** Counts scans (yardmaster_scans_total). */
    @jakarta.inject.Inject
    dev.yardmaster.observability.Meters meters;

    BuildCatalog(RepoServers repos, CatalogConfig config, jakarta.enterprise.event.Event<Scanned> scanned) {
        this.repos = repos;
        this.config = config;
        this.scanned = scanned;
    }

    /** Whether a repo server is configured at all. */
    public boolean isConfigured() {
        return repos.config().path().isPresent();
    }

    /** The last finished scan, if any (for the page and health). */
    public Optional<ScanResult> lastScan() {
        return Optional.ofNullable(last);
    }

    /**
     * Asks for a scan. If one is running, the caller shares the single scan that follows it
     * (files may have changed after the running one listed build/).
     */
    public CompletableFuture<ScanResult> requestScan() {
        synchronized (gate) {
            if (current == null) {
                current = new CompletableFuture<>();
                CompletableFuture<ScanResult> mine = current;
                Thread.ofVirtual().name("build-catalog-scan").start(this::scanLoop);
                return mine;
            }
            if (next == null) {
                next = new CompletableFuture<>();
            }
            return next;
        }
    }

    /** Scans and waits for the result. */
    public ScanResult scanNow(Duration timeout) {
        try {
            return requestScan().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return ScanResult.skipped("scan did not finish: " + e.getMessage());
        }
    }

    @Scheduled(every = "${yardmaster.catalog.scan-interval:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        requestScan();
    }

    private void scanLoop() {
        while (true) {
            CompletableFuture<ScanResult> mine;
            synchronized (gate) {
                mine = current;
            }
            ScanResult result;
            try {
                result = scanOnce();
                if (result.ran()) {
                    meters.scan("ok");
                }
            } catch (RuntimeException | IOException e) {
                LOG.warn("Build scan failed", e);
                result = ScanResult.skipped(e.getMessage());
                meters.scan("failed");
            }
            if (result.ran()) {
                last = result;
                try {
                    scanned.fire(new Scanned(result));
                } catch (RuntimeException e) {
                    LOG.warn("After the build scan", e);
                }
            }
            mine.complete(result);
            synchronized (gate) {
                if (next == null) {
                    current = null;
                    return;
                }
                current = next;
                next = null;
            }
        }
    }

    private ScanResult scanOnce() throws IOException {
        Optional<RepoFiles> files = repos.files();
        if (files.isEmpty()) {
            return ScanResult.skipped("yardmaster.repo.path is not configured");
        }
        // One replica at a time: the others skip, the holder's result lands in the same table.
        return QuarkusTransaction.requiringNew().timeout(600).call(() -> {
            boolean locked = (Boolean) Build.getEntityManager()
                    .createNativeQuery("SELECT pg_try_advisory_xact_lock(hashtext('yardmaster.build-catalog'))")
                    .getSingleResult();
            if (!locked) {
                return ScanResult.skipped("another replica is scanning");
            }
            try (RepoFiles open = files.get()) {
                return scan(open);
            }
        });
    }

    private ScanResult scan(RepoFiles files) throws IOException, InterruptedException {
        long started = System.nanoTime();
        List<RepoFiles.Entry> entries = files.listBuild();
        Map<String, Known> known = new HashMap<>();
        for (Object[] row : Build.getEntityManager()
                .createQuery("select b.fileName, b.id, b.fileSize, b.fileMtime, b.state from Build b", Object[].class)
                .getResultList()) {
            known.put((String) row[0], new Known((Long) row[1], (Long) row[2], (OffsetDateTime) row[3], (Build.State) row[4]));
        }
        Instant settled = Instant.now().minus(config.settleTime());
        List<Outcome> outcomes = new ArrayList<>();
        List<RepoFiles.Entry> toRead = new ArrayList<>();
        int unchanged = 0;
        List<Long> returned = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        boolean deferred = false;
        for (RepoFiles.Entry entry : entries) {
            listed.add(entry.name());
            if (!entry.name().endsWith(".rpm")) {
                continue;
            }
            String refusal = refusal(entry, settled);
            if (refusal != null) {
                deferred |= refusal.startsWith("still being copied");
                outcomes.add(new Rejected(entry, refusal));
                continue;
            }
            Known k = known.get(entry.name());
            if (k != null && k.size() == entry.size() && k.mtime().toInstant().equals(truncate(entry.modified()))) {
                unchanged++;
                if (k.state() != Build.State.present) {
                    returned.add(k.id());
                }
                continue;
            }
            toRead.add(entry);
        }
        // Vanished first, so a build renamed in build/ is not mistaken for a duplicate of itself.
        List<String> vanished = known.entrySet().stream()
                .filter(e -> e.getValue().state() == Build.State.present && !listed.contains(e.getKey()))
                .map(Map.Entry::getKey).toList();
        if (!vanished.isEmpty()) {
            Build.update("state = ?1 where fileName in ?2", Build.State.missing, vanished);
        }
        int indexed = 0;
        int rejected = 0;
        // Looked up once, not per file: a cold scan of thousands of builds is mostly inserts.
        Set<String> wasRejected = new HashSet<>(Build.getEntityManager()
                .createQuery("select r.fileName from RejectedFile r", String.class).getResultList());
        Map<String, String> owners = presentOwners();
        for (Outcome outcome : outcomes) {
            rejected++;
            deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
        }
        List<Outcome> batch = new ArrayList<>(outcomes);
        // The readers work ahead while this thread writes what they have read: reading and
        // writing overlap instead of following each other. Files are taken in the order that
        // decides which of two copies of one NEVRA wins, so the first one seen is the winner.
        List<RepoFiles.Entry> ordered = new ArrayList<>(toRead);
        ordered.sort(java.util.Comparator.comparing(RepoFiles.Entry::symlink).thenComparing(RepoFiles.Entry::name));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(READERS, ordered.size())),
                Thread.ofPlatform().name("build-catalog-reader-", 0).daemon().factory());
        try {
            List<Future<Outcome>> reads = new ArrayList<>(ordered.size());
            for (RepoFiles.Entry entry : ordered) {
                reads.add(pool.submit(() -> read(files, entry)));
            }
            for (Future<Outcome> read : reads) {
                Outcome outcome = refuseDuplicate(owners, awaitRead(read));
                outcomes.add(outcome);
                if (outcome instanceof Indexed) {
                    indexed++;
                } else {
                    rejected++;
                    deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
                }
                batch.add(outcome);
                if (batch.size() == CHUNK) {
                    write(batch, wasRejected);
                    batch.clear();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        write(batch, wasRejected);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (!returned.isEmpty()) {
            // Unchanged rows are not written at all: rewriting 5,000 rows cost an unchanged rescan
            // 1-2 s. Only files that were missing and are back. One array, not an IN list.
            Build.getEntityManager().createNativeQuery(
                    "UPDATE build SET last_seen_at = ?1, state = 'present' WHERE id = ANY(CAST(?2 AS bigint[]))")
                    .setParameter(1, now).setParameter(2, returned.stream().map(String::valueOf)
                            .collect(java.util.stream.Collectors.joining(",", "{", "}")))
                    .executeUpdate();
        }
        Set<String> rejectedNow = new HashSet<>();
        outcomes.stream().filter(o -> o instanceof Rejected).forEach(o -> rejectedNow.add(((Rejected) o).entry().name()));
        RejectedFile.delete(rejectedNow.isEmpty() ? "1 = 1" : "fileName not in ?1",
                rejectedNow.isEmpty() ? new Object[0] : new Object[] {rejectedNow});
        if (deferred) {
            // Look again once the copy has had time to finish, not only at the next tick.
            CompletableFuture.delayedExecutor(config.settleTime().toMillis() + 500, TimeUnit.MILLISECONDS)
                    .execute(this::requestScan);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (indexed + rejected + vanished.size() > 0) {
            LOG.infof("Build scan of %s: %d indexed, %d unchanged, %d rejected, %d now missing in %d ms", files.describe(),
                    indexed, unchanged, rejected, vanished.size(), millis);
        }
        return new ScanResult(true, indexed, unchanged, rejected, vanished.size(), millis, now, null);
    }

    /** NEVRA → file name of every present build: a later file with one of these NEVRAs is a copy. */
    private static Map<String, String> presentOwners() {
        Map<String, String> owner = new HashMap<>();
        for (Object[] row : Build.getEntityManager()
                .createQuery("select b.nevra, b.fileName from Build b where b.state = :present", Object[].class)
                .setParameter("present", Build.State.present).getResultList()) {
            owner.put((String) row[0], (String) row[1]);
        }
        return owner;
    }

    /**
     * A second file carrying a NEVRA the catalog already has (a copy under another name) is
     * rejected rather than indexed: one NEVRA is one build, and promotions refer to it. Called
     * in the order real files before symlinks, then by name: the same choice every scan.
     */
    private static Outcome refuseDuplicate(Map<String, String> owners, Outcome outcome) {
        if (outcome instanceof Indexed indexed) {
            String name = indexed.entry().name();
            String first = owners.putIfAbsent(indexed.header().nevra(), name);
            if (first != null && !first.equals(name)) {
                return new Rejected(indexed.entry(), "same NEVRA (" + indexed.header().nevra() + ") as " + first
                        + ", which is already in the catalog");
            }
        }
        return outcome;
    }

    private static Outcome awaitRead(Future<Outcome> read) throws InterruptedException {
        try {
            return read.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Why a file cannot be indexed before even opening it, or null. */
    static String refusal(RepoFiles.Entry entry, Instant settled) {
        if (!SAFE_NAME.matcher(entry.name()).matches()) {
            return "file name has spaces, non-ASCII or shell characters; rename it to what rpmbuild produces";
        }
        if (entry.symlink() && !entry.targetInsideBuild()) {
            return entry.regularFile() ? "symlink pointing outside build/ (" + entry.target() + ")"
                    : "dangling symlink (" + entry.target() + ")";
        }
        if (!entry.regularFile()) {
            return "not a regular file";
        }
        if (entry.size() == 0) {
            return "empty file (0 bytes)";
        }
        if (entry.modified().isAfter(settled)) {
            return "still being copied (changed moments ago); read again in the next scan";
        }
        return null;
    }

    /** Reads one file's header and hash; never throws for a bad file, it is rejected instead. */
    static Outcome read(RepoFiles files, RepoFiles.Entry entry) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // Buffered: the header parser reads in small pieces, each a system call (or SFTP request) otherwise.
        try (InputStream in = new DigestInputStream(new java.io.BufferedInputStream(files.open(entry.name()), 65536), sha256)) {
            RpmHeader header = RpmHeader.read(new NonClosing(in));
            in.transferTo(OutputStream.nullOutputStream());
            RepoFiles.Entry after = files.stat(entry.name());
            if (after.size() != entry.size() || !after.modified().equals(entry.modified())) {
                return new Rejected(after, "still being copied (size or time changed while reading); read again in the next scan");
            }
            return new Indexed(entry, header, HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new Rejected(entry, "not a readable RPM: " + why);
        }
    }

    /** Column order of {@link #UPSERT}; one statement both adds new files and re-reads changed ones. */
    private static final String UPSERT = """
            INSERT INTO build (file_name, package, epoch, version, release, arch, nevra, summary, build_time, build_host,
                license, file_size, sha256, source_rpm, vcs, changelog_text, changelog_author, changelog_time,
                commit_author, commit_reviewer, commit_message, unreviewed, file_mtime, state, last_seen_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'present', ?)
            ON CONFLICT (file_name) DO UPDATE SET package = excluded.package, epoch = excluded.epoch,
                version = excluded.version, release = excluded.release, arch = excluded.arch, nevra = excluded.nevra,
                summary = excluded.summary, build_time = excluded.build_time, build_host = excluded.build_host,
                license = excluded.license, file_size = excluded.file_size, sha256 = excluded.sha256,
                source_rpm = excluded.source_rpm, vcs = excluded.vcs, changelog_text = excluded.changelog_text,
                changelog_author = excluded.changelog_author, changelog_time = excluded.changelog_time,
                commit_author = excluded.commit_author, commit_reviewer = excluded.commit_reviewer,
                commit_message = excluded.commit_message, unreviewed = excluded.unreviewed,
                file_mtime = excluded.file_mtime, state = 'present', last_seen_at = excluded.last_seen_at
            """;

    /**
     * Writes one chunk of outcomes. Builds go in as one JDBC batch (an entity persist per file
     * with database-generated ids was one round trip each and most of a cold index's time);
     * the few rejected files go through the entities.
     */
    private void write(List<Outcome> batch, Set<String> wasRejected) {
        if (batch.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Indexed> builds = batch.stream().filter(o -> o instanceof Indexed).map(o -> (Indexed) o).toList();
        if (!builds.isEmpty()) {
            Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
                try (PreparedStatement insert = connection.prepareStatement(UPSERT)) {
                    for (Indexed indexed : builds) {
                        bind(insert, indexed, now);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            });
            List<String> backFromRejected = builds.stream().map(b -> b.entry().name()).filter(wasRejected::contains).toList();
            if (!backFromRejected.isEmpty()) {
                RejectedFile.delete("fileName in ?1", backFromRejected);
            }
        }
        for (Outcome outcome : batch) {
            if (outcome instanceof Rejected rejected) {
                RejectedFile file = RejectedFile.findById(rejected.entry().name());
                if (file == null) {
                    file = new RejectedFile();
                    file.fileName = rejected.entry().name();
                }
                file.reason = rejected.reason();
                file.fileSize = rejected.entry().size();
                file.fileMtime = OffsetDateTime.ofInstant(truncate(rejected.entry().modified()), ZoneOffset.UTC);
                file.lastSeenAt = now;
                file.persist();
            }
        }
        Build.getEntityManager().flush();
        Build.getEntityManager().clear();
    }

    private static void bind(PreparedStatement insert, Indexed indexed, OffsetDateTime now) throws SQLException {
        RpmHeader h = indexed.header();
        int i = 0;
        insert.setString(++i, indexed.entry().name());
        insert.setString(++i, h.name());
        insert.setInt(++i, h.epoch());
        insert.setString(++i, h.version());
        insert.setString(++i, h.release());
        insert.setString(++i, h.arch());
        insert.setString(++i, h.nevra());
        insert.setString(++i, h.summary());
        insert.setObject(++i, h.buildTime());
        insert.setString(++i, h.buildHost());
        insert.setString(++i, h.license());
        insert.setLong(++i, indexed.entry().size());
        insert.setString(++i, indexed.sha256());
        insert.setString(++i, h.sourceRpm());
        insert.setString(++i, h.vcs());
        insert.setString(++i, h.changelogText());
        insert.setString(++i, h.changelogAuthor());
        insert.setObject(++i, h.changelogTime());
        insert.setString(++i, h.commitAuthor());
        insert.setString(++i, h.commitReviewer());
        insert.setString(++i, h.commitMessage());
        insert.setBoolean(++i, h.unreviewed());
        insert.setObject(++i, OffsetDateTime.ofInstant(truncate(indexed.entry().modified()), ZoneOffset.UTC));
        insert.setObject(++i, now);
    }

    /** PostgreSQL keeps microseconds; compare at that precision. */
    static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    void watch(@Observes StartupEvent start) {
        Optional<Path> local = repos.localBuildDir();
        if (local.isEmpty() || !config.watch()) {
            return;
        }
        watcher = Thread.ofVirtual().name("build-catalog-watch").start(() -> {
            try (WatchService service = FileSystems.getDefault().newWatchService()) {
                local.get().register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY);
                while (!Thread.currentThread().isInterrupted()) {
                    var key = service.take();
                    key.pollEvents();
                    key.reset();
                    requestScan();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Not watching %s for changes (%s); the scheduled scan still runs", local.get(), e.getMessage());
            }
        });
    }

    void stopWatching(@Observes ShutdownEvent stop) {
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
        }
    }

    /** Lets the header reader stop early without closing the digest stream under it. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}
