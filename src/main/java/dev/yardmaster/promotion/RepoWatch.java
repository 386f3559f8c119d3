package dev.yardmaster.promotion;

import dev.yardmaster.build.CatalogConfig;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.repo.RepoConfig;
import dev.yardmaster.repo.RepoServers;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * In local mode, has {@link RepoAdoption} read the environment directories as soon as one
 * changes (inotify, like the catalog's watch on build/), so a change made by hand is seen
 * within a second rather than at the next scan. Events that arrive close together share one read.
 */
@ApplicationScoped
public class RepoWatch {

    private static final Logger LOG = Logger.getLogger(RepoWatch.class);
    /**
     * A hand change is several file events (ln, then createrepo_c's renames); reading once they
     * have been quiet this long records one change, not one per step.
     */
    static final Duration QUIET = Duration.ofMillis(700);

    private final RepoAdoption adoption;
    private final RepoServers servers;
    private final CatalogConfig catalog;
    private final Object gate = new Object();
    private boolean pending;
    private boolean running;
    private volatile Thread watcher;

    RepoWatch(RepoAdoption adoption, RepoServers servers, CatalogConfig catalog) {
        this.adoption = adoption;
        this.servers = servers;
        this.catalog = catalog;
    }

    /**
     * In local mode, reads a directory as soon as it changes (inotify on each environment
     * directory, like the catalog's watch on build/), after {@link #QUIET} without further events.
     */
    void watch(@Observes StartupEvent start) {
        RepoConfig config = servers.config();
        if (config.mode() != RepoConfig.Mode.local || config.path().isEmpty() || !catalog.watch()) {
            return;
        }
        Path root = Path.of(config.path().get());
        List<String> names = QuarkusTransaction.requiringNew().call(
                () -> Environment.inLifecycleOrder().stream().map(e -> e.name).toList());
        watcher = Thread.ofVirtual().name("repo-adoption-watch").start(() -> {
            try (WatchService service = FileSystems.getDefault().newWatchService()) {
                int watched = 0;
                for (String env : names) {
                    Path dir = root.resolve(env);
                    if (Files.isDirectory(dir)) {
                        dir.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                                StandardWatchEventKinds.ENTRY_MODIFY);
                        watched++;
                    }
                }
                if (watched == 0) {
                    return;
                }
                while (!Thread.currentThread().isInterrupted()) {
                    var key = service.take();
                    boolean relevant = key.pollEvents().stream().anyMatch(e -> !String.valueOf(e.context())
                            .equals(EnvironmentRepo.LOCK_FILE));
                    key.reset();
                    if (relevant) {
                        requestRead();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("Not watching the environment directories under %s (%s); every scan still reads them", root,
                        e.getMessage());
            }
        });
    }

    /** Asks for a read soon; events that arrive before it starts share it. */
    void requestRead() {
        synchronized (gate) {
            pending = true;
            if (running) {
                return;
            }
            running = true;
        }
        CompletableFuture.delayedExecutor(QUIET.toMillis(), TimeUnit.MILLISECONDS).execute(this::readWhilePending);
    }

    private void readWhilePending() {
        while (true) {
            synchronized (gate) {
                if (!pending) {
                    running = false;
                    return;
                }
                pending = false;
            }
            try {
                List<RepoAdoption.Outcome> outcomes = adoption.readAll();
                if (outcomes.stream().anyMatch(o -> !o.read() && o.error() != null
                        && (o.error().contains("could not take") || o.error().contains("could not acquire")))) {
                    // Someone holds a directory's lock (a person at work, or a promotion): look again after them.
                    CompletableFuture.delayedExecutor(RepoAdoption.LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS).execute(this::requestRead);
                }
            } catch (RuntimeException e) {
                LOG.warn("Reading the environment directories failed", e);
            }
        }
    }

    void stopWatching(@Observes ShutdownEvent stop) {
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
        }
    }
}
