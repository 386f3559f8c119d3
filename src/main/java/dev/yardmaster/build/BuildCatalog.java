package dev.yardmaster.build;

import dev.yardmaster.build.BuildFiles.Indexed;
import dev.yardmaster.build.BuildFiles.Outcome;
import dev.yardmaster.build.BuildFiles.Rejected;
import dev.yardmaster.repo.RepoFiles;
import dev.yardmaster.repo.RepoServers;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
        Map<String, CatalogTable.Known> known = CatalogTable.known();
        Map<String, CatalogTable.KnownRejection> wasRejected = CatalogTable.knownRejections();
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
            String refusal = BuildFiles.refusal(entry, settled);
            if (refusal != null) {
                deferred |= refusal.startsWith("still being copied");
                outcomes.add(new Rejected(entry, refusal));
                continue;
            }
            CatalogTable.Known k = known.get(entry.name());
            if (k != null && k.same(entry)) {
                unchanged++;
                if (!k.present()) {
                    returned.add(k.id());
                }
                continue;
            }
            CatalogTable.KnownRejection r = wasRejected.get(entry.name());
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
            CatalogTable.execute("UPDATE build SET state = 'missing' WHERE id = ANY(?)", CatalogTable.ids(vanished));
        }
        known = null;
        int indexed = 0;
        for (Outcome outcome : outcomes) {
            rejected++;
            deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
        }
        CatalogTable.write(outcomes, wasRejected, rejectedNow);
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
                ahead.add(pool.submit(() -> BuildFiles.read(files, entry)));
            }
            while (!ahead.isEmpty()) {
                batch.add(awaitRead(ahead.poll()));
                if (next < ordered.size()) {
                    RepoFiles.Entry entry = ordered.get(next++);
                    ahead.add(pool.submit(() -> BuildFiles.read(files, entry)));
                }
                if (batch.size() == CHUNK || ahead.isEmpty()) {
                    List<Outcome> resolved = CatalogTable.refuseDuplicates(owners, batch);
                    for (Outcome outcome : resolved) {
                        if (outcome instanceof Indexed) {
                            indexed++;
                        } else {
                            rejected++;
                            deferred |= ((Rejected) outcome).reason().startsWith("still being copied");
                        }
                    }
                    CatalogTable.write(resolved, wasRejected, rejectedNow);
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
            CatalogTable.execute("UPDATE build SET last_seen_at = ?, state = 'present' WHERE id = ANY(?)", now, CatalogTable.ids(returned));
        }
        // Files rejected before and not now (fixed, indexed or gone), as one statement whatever
        // their number; the names of 50,000 rejected files are one array parameter.
        if (wasRejected.keySet().stream().anyMatch(name -> !rejectedNow.contains(name))) {
            CatalogTable.execute("DELETE FROM rejected_file WHERE file_name <> ALL(?)", CatalogTable.names(rejectedNow));
        }
        CatalogTable.fillSortKeys();
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


    private static Outcome awaitRead(Future<Outcome> read) throws InterruptedException {
        try {
            return read.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
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

}
