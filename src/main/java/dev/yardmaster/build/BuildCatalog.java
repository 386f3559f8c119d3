package dev.yardmaster.build;

import dev.yardmaster.core.Names;
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
import java.sql.PreparedStatement;
import java.sql.SQLException;
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
    private static final int CHUNK = 200;
    private static final int READERS = 4;
    private static final int READ_AHEAD = 4 * CHUNK;

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

    /** A build row as a scan compares it: mtime in microseconds, as PostgreSQL keeps it. */
    private record Known(long id, long size, long mtimeMicros, boolean present) {
        boolean same(RepoFiles.Entry entry) {
            return size == entry.size() && mtimeMicros == micros(entry.modified());
        }
    }

    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
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
        Map<String, Known> known = known();
        Map<String, KnownRejection> wasRejected = knownRejections();
        Instant settled = Instant.now().minus(config.settleTime());
        List<Outcome> outcomes = new ArrayList<>();
        List<RepoFiles.Entry> toRead = new ArrayList<>();
        int unchanged = 0;
        int rejected = 0;
        List<Long> returned = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        Set<String> rejectedNow = new HashSet<>();
        boolean deferred = false;
        for (RepoFiles.Entry entry : entries) {
            if (!entry.name().endsWith(".rpm")) {
                continue;
            }
            listed.add(entry.name());
            String refusal = refusal(entry, settled);
            if (refusal != null) {
                deferred |= refusal.startsWith("still being copied");
                outcomes.add(new Rejected(entry, refusal));
                continue;
            }
            Known k = known.get(entry.name());
            if (k != null && k.same(entry)) {
                unchanged++;
                if (!k.present()) {
                    returned.add(k.id());
                }
                continue;
            }
            KnownRejection r = wasRejected.get(entry.name());
            if (r != null && r.unreadable() && r.same(entry)) {
                // The same bytes could not be read last time either: 50,000 such files cost
                // every rescan their reading (and a row write each) before this.
                rejected++;
                rejectedNow.add(entry.name());
                continue;
            }
            toRead.add(entry);
        }
        // Vanished first, so a build renamed in build/ is not mistaken for a duplicate of itself.
        // One array parameter, whatever the count (an IN list broke above 32,768 files).
        List<Long> vanished = known.entrySet().stream()
                .filter(e -> e.getValue().present() && !listed.contains(e.getKey()))
                .map(e -> e.getValue().id()).toList();
        if (!vanished.isEmpty()) {
            execute("UPDATE build SET state = 'missing' WHERE id = ANY(?)", ids(vanished));
        }
        known = null;
        int indexed = 0;
        for (Outcome outcome : outcomes) {
            rejected++;
            deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
        }
        write(outcomes, wasRejected, rejectedNow);
        // The readers work ahead while this thread writes what they have read: reading and
        // writing overlap instead of following each other. Files are taken in the order that
        // decides which of two copies of one NEVRA wins, so the first one seen is the winner.
        List<RepoFiles.Entry> ordered = new ArrayList<>(toRead);
        ordered.sort(java.util.Comparator.comparing(RepoFiles.Entry::symlink).thenComparing(RepoFiles.Entry::name));
        Map<String, String> owners = new HashMap<>();
        List<Outcome> batch = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(READERS, ordered.size())),
                Thread.ofPlatform().name("build-catalog-reader-", 0).daemon().factory());
        try {
            // At most READ_AHEAD files read and not yet written: a cold index of 100,000 builds
            // otherwise holds every header it has read while the database catches up.
            java.util.ArrayDeque<Future<Outcome>> ahead = new java.util.ArrayDeque<>();
            int next = 0;
            while (next < ordered.size() && ahead.size() < READ_AHEAD) {
                RepoFiles.Entry entry = ordered.get(next++);
                ahead.add(pool.submit(() -> read(files, entry)));
            }
            while (!ahead.isEmpty()) {
                batch.add(awaitRead(ahead.poll()));
                if (next < ordered.size()) {
                    RepoFiles.Entry entry = ordered.get(next++);
                    ahead.add(pool.submit(() -> read(files, entry)));
                }
                if (batch.size() == CHUNK || ahead.isEmpty()) {
                    List<Outcome> resolved = refuseDuplicates(owners, batch);
                    for (Outcome outcome : resolved) {
                        if (outcome instanceof Indexed) {
                            indexed++;
                        } else {
                            rejected++;
                            deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
                        }
                    }
                    write(resolved, wasRejected, rejectedNow);
                    batch.clear();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (!returned.isEmpty()) {
            // Unchanged rows are not written at all: rewriting 5,000 rows cost an unchanged rescan
            // 1-2 s. Only files that were missing and are back.
            execute("UPDATE build SET last_seen_at = ?, state = 'present' WHERE id = ANY(?)", now, ids(returned));
        }
        // Files rejected before and not now (fixed, indexed or gone), as one statement whatever
        // their number; the names of 50,000 rejected files are one array parameter.
        if (wasRejected.keySet().stream().anyMatch(name -> !rejectedNow.contains(name))) {
            execute("DELETE FROM rejected_file WHERE file_name <> ALL(?)", names(rejectedNow));
        }
        fillSortKeys();
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

    private static final String UNREADABLE = "not a readable RPM";

    /**
     * Every build's file name, size and mtime, through JDBC: at 100,000 builds Hibernate's
     * row handling was most of an unchanged rescan, and this is all a rescan reads.
     */
    private static Map<String, Known> known() {
        Map<String, Known> known = new HashMap<>();
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT file_name, id, file_size, (extract(epoch FROM file_mtime) * 1000000)::bigint, state = 'present' FROM build")) {
                select.setFetchSize(10_000);
                try (java.sql.ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        known.put(rows.getString(1), new Known(rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getBoolean(5)));
                    }
                }
            }
        });
        return known;
    }

    /** A file rejected by an earlier scan, as it was then. */
    private record KnownRejection(String reason, Long size, Long mtimeMicros) {
        /** Rejected for its content, so the same bytes will be rejected again. */
        boolean unreadable() {
            return reason.startsWith(UNREADABLE);
        }

        boolean same(RepoFiles.Entry entry) {
            return size != null && size == entry.size() && mtimeMicros != null && mtimeMicros == micros(entry.modified());
        }

        boolean same(Rejected now) {
            return reason.equals(now.reason()) && same(now.entry());
        }
    }

    private static Map<String, KnownRejection> knownRejections() {
        Map<String, KnownRejection> rejections = new HashMap<>();
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT file_name, reason, file_size, "
                    + "(extract(epoch FROM file_mtime) * 1000000)::bigint FROM rejected_file")) {
                select.setFetchSize(10_000);
                try (java.sql.ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        long size = rows.getLong(3);
                        Long sizeOrNull = rows.wasNull() ? null : size;
                        long mtime = rows.getLong(4);
                        rejections.put(rows.getString(1), new KnownRejection(rows.getString(2), sizeOrNull,
                                rows.wasNull() ? null : mtime));
                    }
                }
            }
        });
        return rejections;
    }

    /**
     * Sort keys for builds that have none: rows from before migration V95, or written by hand.
     * One statement with two array parameters, however many.
     */
    static void fillSortKeys() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = Build.getEntityManager()
                .createNativeQuery("SELECT id, epoch, version, release FROM build WHERE evr_key = '\\x'").getResultList();
        if (rows.isEmpty()) {
            return;
        }
        Long[] ids = new Long[rows.size()];
        String[] keys = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Object[] row = rows.get(i);
            ids[i] = ((Number) row[0]).longValue();
            Evr evr = new Evr(row[1] == null ? 0 : ((Number) row[1]).intValue(), (String) row[2], (String) row[3]);
            keys[i] = HexFormat.of().formatHex(evr.sortKey());
        }
        execute("UPDATE build b SET evr_key = decode(k.key, 'hex') FROM unnest(?, ?) AS k(id, key) WHERE b.id = k.id",
                new SqlArray("bigint", ids), new SqlArray("text", keys));
    }

    /** An array bound as one parameter. */
    private record SqlArray(String type, Object[] values) {
    }

    private static SqlArray ids(List<Long> ids) {
        return new SqlArray("bigint", ids.toArray(new Long[0]));
    }

    private static SqlArray names(Set<String> names) {
        return new SqlArray("text", names.toArray(new String[0]));
    }

    /** One statement through the scan's own connection; arrays go as JDBC arrays. */
    private static void execute(String sql, Object... params) {
        Build.getEntityManager().flush();
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    if (params[i] instanceof SqlArray array) {
                        statement.setArray(i + 1, connection.createArrayOf(array.type(), array.values()));
                    } else {
                        statement.setObject(i + 1, params[i]);
                    }
                }
                statement.executeUpdate();
            }
        });
    }

    /**
     * {@link #refuseDuplicate} over one chunk, in order. {@code owners} holds NEVRA → file name
     * of what this scan has indexed so far, topped up here with the present builds that carry
     * the chunk's NEVRAs: one array-parameter query per chunk instead of every build's NEVRA
     * loaded for a scan that found one new file.
     */
    private static List<Outcome> refuseDuplicates(Map<String, String> owners, List<Outcome> chunk) {
        String[] nevras = chunk.stream().filter(o -> o instanceof Indexed).map(o -> ((Indexed) o).header().nevra())
                .filter(n -> !owners.containsKey(n)).distinct().toArray(String[]::new);
        if (nevras.length > 0) {
            Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
                try (PreparedStatement select = connection.prepareStatement(
                        "SELECT nevra, file_name FROM build WHERE state = 'present' AND nevra = ANY(?)")) {
                    select.setArray(1, connection.createArrayOf("text", nevras));
                    try (java.sql.ResultSet rows = select.executeQuery()) {
                        while (rows.next()) {
                            owners.putIfAbsent(rows.getString(1), rows.getString(2));
                        }
                    }
                }
            });
        }
        List<Outcome> settled = new ArrayList<>(chunk.size());
        for (Outcome outcome : chunk) {
            settled.add(refuseDuplicate(owners, outcome));
        }
        return settled;
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
        if (!Names.RPM_FILE.matcher(entry.name()).matches()) {
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
                commit_author, commit_reviewer, commit_message, unreviewed, file_mtime, state, last_seen_at, evr_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'present', ?, ?)
            ON CONFLICT (file_name) DO UPDATE SET package = excluded.package, epoch = excluded.epoch,
                version = excluded.version, release = excluded.release, arch = excluded.arch, nevra = excluded.nevra,
                summary = excluded.summary, build_time = excluded.build_time, build_host = excluded.build_host,
                license = excluded.license, file_size = excluded.file_size, sha256 = excluded.sha256,
                source_rpm = excluded.source_rpm, vcs = excluded.vcs, changelog_text = excluded.changelog_text,
                changelog_author = excluded.changelog_author, changelog_time = excluded.changelog_time,
                commit_author = excluded.commit_author, commit_reviewer = excluded.commit_reviewer,
                commit_message = excluded.commit_message, unreviewed = excluded.unreviewed,
                file_mtime = excluded.file_mtime, state = 'present', last_seen_at = excluded.last_seen_at,
                evr_key = excluded.evr_key
            """;

    private static final String UPSERT_REJECTED = """
            INSERT INTO rejected_file (file_name, reason, file_size, file_mtime, last_seen_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (file_name) DO UPDATE SET reason = excluded.reason, file_size = excluded.file_size,
                file_mtime = excluded.file_mtime, last_seen_at = excluded.last_seen_at
            """;

    /**
     * Writes one chunk of outcomes, each kind as one JDBC batch (an entity persist per file with
     * database-generated ids was one round trip each and most of a cold index's time). A file
     * rejected again for the same reason is not written: its row already says so.
     */
    private void write(List<Outcome> batch, Map<String, KnownRejection> wasRejected, Set<String> rejectedNow) {
        if (batch.isEmpty()) {
            return;
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<Indexed> builds = new ArrayList<>();
        List<Rejected> rejections = new ArrayList<>();
        for (Outcome outcome : batch) {
            if (outcome instanceof Indexed indexed) {
                builds.add(indexed);
            } else if (outcome instanceof Rejected rejected) {
                rejectedNow.add(rejected.entry().name());
                KnownRejection before = wasRejected.get(rejected.entry().name());
                if (before == null || !before.same(rejected)) {
                    rejections.add(rejected);
                }
            }
        }
        Build.getEntityManager().unwrap(org.hibernate.Session.class).doWork(connection -> {
            if (!builds.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement(UPSERT)) {
                    for (Indexed indexed : builds) {
                        bind(insert, indexed, now);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
            if (!rejections.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement(UPSERT_REJECTED)) {
                    for (Rejected rejected : rejections) {
                        insert.setString(1, rejected.entry().name());
                        insert.setString(2, rejected.reason());
                        insert.setLong(3, rejected.entry().size());
                        insert.setObject(4, OffsetDateTime.ofInstant(truncate(rejected.entry().modified()), ZoneOffset.UTC));
                        insert.setObject(5, now);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
            }
        });
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
        insert.setBytes(++i, new Evr(h.epoch(), h.version(), h.release()).sortKey());
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
