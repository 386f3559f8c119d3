package dev.yardmaster.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    static final String CHANNEL = "roll_events";

    /** An event as sent to browsers. */
    public record Sent(long id, long rollId, String type, String data) {
    }

    private final EntityManager em;
    private final ObjectMapper json;
    private final AgroalDataSource dataSource;
    private final Set<Consumer<Sent>> subscribers = new CopyOnWriteArraySet<>();
    private volatile boolean running;
    private Thread listener;

    RollEvents(EntityManager em, ObjectMapper json, AgroalDataSource dataSource) {
        this.em = em;
        this.json = json;
        this.dataSource = dataSource;
    }

    /** Persists an event in the caller's transaction and notifies every instance on commit. */
    @Transactional(Transactional.TxType.MANDATORY)
    public RollEvent record(long rollId, String type, Object data) {
        RollEvent event = new RollEvent();
        event.rollId = rollId;
        event.type = type;
        try {
            event.data = json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        event.persist();
        em.flush();
        em.createNativeQuery("select pg_notify('" + CHANNEL + "', ?1)").setParameter(1, event.id.toString()).getSingleResult();
        return event;
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
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications == null || notifications.length == 0) {
                        continue;
                    }
                    List<Long> ids = new ArrayList<>();
                    for (PGNotification n : notifications) {
                        try {
                            ids.add(Long.valueOf(n.getParameter()));
                        } catch (NumberFormatException e) {
                            LOG.debugf("ignoring notification %s", n.getParameter());
                        }
                    }
                    dispatch(connection, ids);
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

    private void dispatch(Connection connection, List<Long> ids) throws Exception {
        if (ids.isEmpty() || subscribers.isEmpty()) {
            return;
        }
        List<Sent> events = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(
                "select id, roll_id, type, data from roll_event where id = any(?) order by id")) {
            query.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    events.add(new Sent(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4)));
                }
            }
        }
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
}
