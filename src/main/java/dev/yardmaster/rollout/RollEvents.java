package dev.yardmaster.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.yardmaster.rollout.store.RollStore;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Roll events: written to {@code roll_event} in the transaction of the state change they
 * announce, then {@code NOTIFY roll_events} (delivered on commit). Every instance LISTENs and
 * hands committed events to its local subscribers (SSE connections), so a browser connected to
 * any replica sees every roll.
 */
@ApplicationScoped
public class RollEvents {

    private static final Logger LOG = Logger.getLogger(RollEvents.class);

    /** An event as sent to browsers. */
    public record Sent(long id, long rollId, String type, String data) {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final AgroalDataSource dataSource;
    private final RollStore store;
    private final Set<Consumer<Sent>> subscribers = new CopyOnWriteArraySet<>();
    private volatile boolean running;
    private Thread listener;

    RollEvents(EntityManager em, ObjectMapper json, AgroalDataSource dataSource, RollStore store) {
        this.store = store;
        this.em = em;
        this.json = json;
        this.dataSource = dataSource;
    }

    /** Persists an event in the caller's transaction and notifies every instance on commit. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(long rollId, String type, Object data) {
        try {
            store.recordEvent(em, rollId, type, json.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The event a notification carries, or null when it carries only an id (read it from the table). */
    static Sent inline(String payload) {
        String[] parts = payload.split(" ", 4);
        if (parts.length < 4) {
            return null;
        }
        return new Sent(Long.parseLong(parts[0]), Long.parseLong(parts[1]), parts[2], parts[3]);
    }

    public void subscribe(Consumer<Sent> subscriber) {
        subscribers.add(subscriber);
    }

    public void unsubscribe(Consumer<Sent> subscriber) {
        subscribers.remove(subscriber);
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    void onStart(@Observes StartupEvent event) {
        running = true;
        listener = Thread.ofPlatform().daemon().name("roll-events-listener").start(this::listen);
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + RollStore.CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null || notifications.length == 0) {
                        continue;
                    }
                    List<Sent> events = new ArrayList<>();
                    List<Long> ids = new ArrayList<>();
                    for (PGNotification n : notifications) {
                        try {
                            Sent event = inline(n.getParameter());
                            if (event != null) {
                                events.add(event);
                            } else {
                                ids.add(Long.valueOf(n.getParameter()));
                            }
                        } catch (NumberFormatException e) {
                            LOG.debugf("ignoring notification %s", n.getParameter());
                        }
                    }
                    dispatch(connection, events, ids);
                }
            } catch (Exception e) {
                if (running) {
                    LOG.warnf("roll event listener: %s; reconnecting", e.getMessage());
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    private void dispatch(Connection connection, List<Sent> events, List<Long> ids) throws Exception {
        if (subscribers.isEmpty() || events.isEmpty() && ids.isEmpty()) {
            return;
        }
        if (!ids.isEmpty()) {
            read(connection, ids, events);
        }
        // In id order within a batch, as they were when every event was read back by id.
        events.sort(java.util.Comparator.comparingLong(Sent::id));
        for (Sent event : events) {
            for (Consumer<Sent> subscriber : subscribers) {
                try {
                    subscriber.accept(event);
                } catch (RuntimeException e) {
                    LOG.debugf(e, "subscriber failed");
                }
            }
        }
    }

    private static void read(Connection connection, List<Long> ids, List<Sent> events) throws Exception {
        try (PreparedStatement query = connection.prepareStatement(
                "select id, roll_id, type, data from roll_event where id = any(?) order by id")) {
            query.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(new Sent(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4)));
                }
            }
        }
    }
}
