package dev.yardmaster.console;

import dev.yardmaster.audit.AuditEvent;
import dev.yardmaster.rollout.RollEvents;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What the console's lists hear: every audited change (promotion, approval, lock, host, roll
 * control) is announced on {@code NOTIFY console_events} in the transaction that records it, so
 * every replica hears it on commit; roll progress comes read-only from {@link RollEvents}.
 * Pages then fetch themselves again; the id of an audited change is the audit event's id, so a
 * reconnecting browser (Last-Event-ID) learns from the database what it missed.
 */
@ApplicationScoped
public class ConsoleEvents {

    private static final Logger LOG = Logger.getLogger(ConsoleEvents.class);
    static final String CHANNEL = "console_events";
    /**
     * Host progress arrives at up to hundreds of events a second during a roll; lists need it at
     * most this often (one page refetch per second per open list).
     */
    static final long HOST_PROGRESS_MILLIS = 1000;

    /** A change pages may show: {@code id} is the audit event's (0 for roll progress, which is not audited). */
    public record Change(long id, String topic) {
    }

    private final EntityManager em;
    private final AgroalDataSource dataSource;
    private final RollEvents rolls;
    private final Set<Consumer<Change>> subscribers = new CopyOnWriteArraySet<>();
    private final AtomicBoolean progressPending = new AtomicBoolean();
    private final Consumer<RollEvents.Sent> rollListener = this::onRoll;
    private ScheduledExecutorService timer;
    private volatile boolean running;
    private Thread listener;

    ConsoleEvents(EntityManager em, AgroalDataSource dataSource, RollEvents rolls) {
        this.em = em;
        this.dataSource = dataSource;
        this.rolls = rolls;
    }

    /** Runs inside the transaction that records the audit event: NOTIFY is delivered on its commit. */
    void announce(@Observes AuditEvent event) {
        if (!"succeeded".equals(event.outcome)) {
            return;
        }
        em.createNativeQuery("select pg_notify('" + CHANNEL + "', ?1)").setParameter(1, event.id + " " + topic(event.action))
                .getSingleResult();
    }

    /** "promotion.approved" → "promotion": what kind of thing changed. */
    static String topic(String action) {
        int dot = action.indexOf('.');
        return dot < 0 ? action : action.substring(0, dot);
    }

    public void subscribe(Consumer<Change> subscriber) {
        subscribers.add(subscriber);
    }

    public void unsubscribe(Consumer<Change> subscriber) {
        subscribers.remove(subscriber);
    }

    /** The kinds of audited change after {@code lastId}, and the newest id, read from the audit log. */
    public Change missedSince(long lastId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery(
                    "select max(id), string_agg(distinct split_part(action, '.', 1), ',') from audit_event where id > ?1 and outcome = 'succeeded'")
                    .setParameter(1, lastId).getResultList();
            Object[] row = rows.get(0);
            return row[0] == null ? null : new Change(((Number) row[0]).longValue(), (String) row[1]);
        });
    }

    private void onRoll(RollEvents.Sent event) {
        if (!event.type().equals("HostChanged")) {
            broadcast(new Change(0, "roll"));
        } else if (progressPending.compareAndSet(false, true)) {
            timer.schedule(() -> {
                progressPending.set(false);
                broadcast(new Change(0, "roll"));
            }, HOST_PROGRESS_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void broadcast(Change change) {
        for (Consumer<Change> subscriber : subscribers) {
            try {
                subscriber.accept(change);
            } catch (RuntimeException e) {
                LOG.debugf(e, "console event subscriber failed");
            }
        }
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("console-events-timer").factory());
        rolls.subscribe(rollListener);
        listener = Thread.ofPlatform().daemon().name("console-events-listener").start(this::listen);
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        rolls.unsubscribe(rollListener);
        if (listener != null) {
            listener.interrupt();
        }
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null) {
                        continue;
                    }
                    for (PGNotification n : notifications) {
                        String[] parts = n.getParameter().split(" ", 2);
                        try {
                            broadcast(new Change(Long.parseLong(parts[0]), parts.length > 1 ? parts[1] : ""));
                        } catch (NumberFormatException e) {
                            LOG.debugf("ignoring console notification %s", n.getParameter());
                        }
                    }
                }
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("console event listener: %s; reconnecting", e.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }
}
