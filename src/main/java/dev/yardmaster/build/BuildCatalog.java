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

    private record Known(long id, long size, OffsetDateTime mtime, Build.State state, String nevra) {
    }

    private sealed interface Outcome permits Indexed, Rejected {
    }

    private record Indexed(RepoFiles.Entry entry, RpmHeader header, String sha256) implements Outcome {
    }

    private record Rejected(RepoFiles.Entry entry, String reason) implements Outcome {
    }

    private final RepoServers repos;
    private final CatalogConfig config;
    private final Object gate = new Object();
    private CompletableFuture<ScanResult> current;
    private CompletableFuture<ScanResult> next;
    private volatile ScanResult last;
    private volatile Thread watcher;

    BuildCatalog(RepoServers repos, CatalogConfig config) {
        this.repos = repos;
        this.config = config;
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
            } catch (RuntimeException | IOException e) {
                LOG.warn("Build scan failed", e);
                result = ScanResult.skipped(e.getMessage());
            }
            if (result.ran()) {
                last = result;
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
        try (RepoFiles reader = files.get()) {
            return QuarkusTransaction.requiringNew().timeout(600).call(() -> {
                boolean locked = (Boolean) Build.getEntityManager()
                        .createNativeQuery("SELECT pg_try_advisory_xact_lock(hashtext('yardmaster.build-catalog'))")
                        .getSingleResult();
                if (!locked) {
                    return ScanResult.skipped("another replica is scanning");
                }
                return scan(reader);
            });
        }
    }

    private ScanResult scan(RepoFiles files) throws IOException, InterruptedException {
        long started = System.nanoTime();
        List<RepoFiles.Entry> entries = files.listBuild();
        Map<String, Known> known = new HashMap<>();
        for (Object[] row : Build.getEntityManager()
                .createQuery("select b.fileName, b.id, b.fileSize, b.fileMtime, b.state, b.nevra from Build b", Object[].class)
                .getResultList()) {
            known.put((String) row[0], new Known((Long) row[1], (Long) row[2], (OffsetDateTime) row[3], (Build.State) row[4],
                    (String) row[5]));
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
        // Vanished first: a file that reappears under another name may take over its NEVRA.
        List<String> vanished = known.entrySet().stream()
                .filter(e -> e.getValue().state() == Build.State.present && !listed.contains(e.getKey()))
                .map(Map.Entry::getKey).toList();
        if (!vanished.isEmpty()) {
            Build.update("state = ?1 where fileName in ?2", Build.State.missing, vanished);
        }
        Set<String> reread = new HashSet<>();
        toRead.forEach(e -> reread.add(e.name()));
        Map<String, String> nevraOwner = new HashMap<>();
        known.forEach((name, k) -> {
            if (k.state() == Build.State.present && listed.contains(name) && !reread.contains(name)) {
                nevraOwner.put(k.nevra(), name);
            }
        });
        // The same NEVRA twice: the real file wins over a symlink, then the first name; the same every scan.
        List<Outcome> read = new ArrayList<>(readAll(files, toRead));
        read.sort(java.util.Comparator.comparing((Outcome o) -> entryOf(o).symlink()).thenComparing(o -> entryOf(o).name()));
        for (Outcome outcome : read) {
            if (outcome instanceof Indexed in) {
                String owner = nevraOwner.putIfAbsent(in.header().nevra(), in.entry().name());
                if (owner != null && !owner.equals(in.entry().name())) {
                    outcome = new Rejected(in.entry(), "same name, version and arch (" + in.header().nevra() + ") as "
                            + owner + "; a NEVRA can be in build/ only once, remove one of them");
                }
            }
            outcomes.add(outcome);
        }
        int indexed = 0;
        int rejected = 0;
        List<Outcome> batch = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Indexed) {
                indexed++;
            } else {
                rejected++;
                deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
            }
            batch.add(outcome);
            if (batch.size() == CHUNK) {
                write(batch, known);
                batch.clear();
            }
        }
        write(batch, known);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (!returned.isEmpty()) {
            // Unchanged rows are not written at all (an unchanged rescan rewrites nothing); only
            // files that were missing and are back. One statement with an array, not an IN list.
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

    private static RepoFiles.Entry entryOf(Outcome outcome) {
        return outcome instanceof Indexed i ? i.entry() : ((Rejected) outcome).entry();
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

    private List<Outcome> readAll(RepoFiles files, List<RepoFiles.Entry> entries) throws InterruptedException {
        if (entries.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(READERS, entries.size()));
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (RepoFiles.Entry entry : entries) {
                futures.add(pool.submit(() -> read(files, entry)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> future : futures) {
                try {
                    outcomes.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e.getCause());
                }
            }
            return outcomes;
        } finally {
            pool.shutdown();
        }
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

    private void write(List<Outcome> batch, Map<String, Known> known) {
        if (batch.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Indexed> inserts = new ArrayList<>();
        for (Outcome outcome : batch) {
            if (outcome instanceof Indexed indexed) {
                Known k = known.get(indexed.entry().name());
                if (k == null) {
                    inserts.add(indexed);
                } else {
                    upsert(Build.findById(k.id()), indexed, now);
                }
            } else if (outcome instanceof Rejected rejected) {
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
        insert(inserts, now);
    }

    /**
     * New builds in one JDBC batch (a cold index of thousands of files would otherwise be
     * thousands of round trips: IDENTITY keys stop Hibernate from batching inserts).
     */
    private static void insert(List<Indexed> inserts, OffsetDateTime now) {
        if (inserts.isEmpty()) {
            return;
        }
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (java.sql.PreparedStatement insert = connection.prepareStatement("""
                    INSERT INTO build (file_name, package, epoch, version, release, arch, nevra, summary, build_time,
                        build_host, license, file_size, sha256, source_rpm, vcs, changelog_text, changelog_author,
                        changelog_time, commit_author, commit_reviewer, commit_message, unreviewed, file_mtime, state,
                        last_seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'present', ?)""")) {
                for (Indexed indexed : inserts) {
                    RpmHeader h = indexed.header();
                    int c = 1;
                    insert.setString(c++, indexed.entry().name());
                    insert.setString(c++, h.name());
                    insert.setInt(c++, h.epoch());
                    insert.setString(c++, h.version());
                    insert.setString(c++, h.release());
                    insert.setString(c++, h.arch());
                    insert.setString(c++, h.nevra());
                    insert.setString(c++, h.summary());
                    insert.setObject(c++, h.buildTime());
                    insert.setString(c++, h.buildHost());
                    insert.setString(c++, h.license());
                    insert.setLong(c++, indexed.entry().size());
                    insert.setString(c++, indexed.sha256());
                    insert.setString(c++, h.sourceRpm());
                    insert.setString(c++, h.vcs());
                    insert.setString(c++, h.changelogText());
                    insert.setString(c++, h.changelogAuthor());
                    insert.setObject(c++, h.changelogTime());
                    insert.setString(c++, h.commitAuthor());
                    insert.setString(c++, h.commitReviewer());
                    insert.setString(c++, h.commitMessage());
                    insert.setBoolean(c++, h.unreviewed());
                    insert.setObject(c++, OffsetDateTime.ofInstant(truncate(indexed.entry().modified()), ZoneOffset.UTC));
                    insert.setObject(c, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    /** Rejected rows of files indexed now are removed in one statement at the end of the scan. */
    private static void upsert(Build build, Indexed indexed, OffsetDateTime now) {
        RpmHeader h = indexed.header();
        build.fileName = indexed.entry().name();
        build.packageName = h.name();
        build.epoch = h.epoch();
        build.version = h.version();
        build.release = h.release();
        build.arch = h.arch();
        build.nevra = h.nevra();
        build.summary = h.summary();
        build.buildTime = h.buildTime();
        build.buildHost = h.buildHost();
        build.license = h.license();
        build.fileSize = indexed.entry().size();
        build.sha256 = indexed.sha256();
        build.sourceRpm = h.sourceRpm();
        build.vcs = h.vcs();
        build.changelogText = h.changelogText();
        build.changelogAuthor = h.changelogAuthor();
        build.changelogTime = h.changelogTime();
        build.commitAuthor = h.commitAuthor();
        build.commitReviewer = h.commitReviewer();
        build.commitMessage = h.commitMessage();
        build.unreviewed = h.unreviewed();
        build.fileMtime = OffsetDateTime.ofInstant(truncate(indexed.entry().modified()), ZoneOffset.UTC);
        build.state = Build.State.present;
        build.lastSeenAt = now;
        build.persist();
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
