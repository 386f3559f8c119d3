package dev.yardmaster.rollout;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.function.Consumer;

/**
 * One SSE connection per browser: first what it missed (events after Last-Event-ID, from the
 * database), then live events as this instance hears them (LISTEN/NOTIFY via {@link RollEvents}).
 */
@ApplicationScoped
public class RollStream {

    private static final int REPLAY_PAGE = 2000;
    private final RollEvents events;

    RollStream(RollEvents events) {
        this.events = events;
    }

    /** @param rollId one roll, or null for the roll-level events of all rolls */
    public void open(Long rollId, Long lastId, SseEventSink sink, Sse sse) {
        Subscriber subscriber = new Subscriber(rollId, sink, sse);
        events.subscribe(subscriber);
        sink.send(sse.newEventBuilder().comment("connected").build());
        long from = lastId == null ? (rollId == null ? latestId() : 0) : lastId;
        subscriber.replay(from);
    }

    private static long latestId() {
        return QuarkusTransaction.requiringNew().call(() -> {
            Long max = RollEvent.getEntityManager().createQuery("select max(id) from RollEvent", Long.class).getSingleResult();
            return max == null ? 0L : max;
        });
    }

    private final class Subscriber implements Consumer<RollEvents.Sent> {
        private final Long rollId;
        private final SseEventSink sink;
        private final Sse sse;
        private long sentUpTo = -1;
        private boolean replaying = true;
        private final java.util.ArrayDeque<RollEvents.Sent> held = new java.util.ArrayDeque<>();

        Subscriber(Long rollId, SseEventSink sink, Sse sse) {
            this.rollId = rollId;
            this.sink = sink;
            this.sse = sse;
        }

        void replay(long from) {
            long last = from;
            while (true) {
                final long after = last;
                List<RollEvents.Sent> page = QuarkusTransaction.requiringNew().call(() -> RollEvent.after(rollId, after, REPLAY_PAGE)
                        .stream().map(e -> new RollEvents.Sent(e.id, e.rollId, e.type, e.data)).toList());
                synchronized (this) {
                    for (RollEvents.Sent event : page) {
                        send(event);
                    }
                }
                if (page.size() < REPLAY_PAGE) {
                    break;
                }
                last = page.get(page.size() - 1).id();
            }
            synchronized (this) {
                sentUpTo = Math.max(sentUpTo, last);
                replaying = false;
                while (!held.isEmpty()) {
                    RollEvents.Sent event = held.poll();
                    if (event.id() > sentUpTo) {
                        send(event);
                    }
                }
            }
        }

        @Override
        public synchronized void accept(RollEvents.Sent event) {
            if (rollId != null && event.rollId() != rollId || rollId == null && event.type().equals("HostChanged")) {
                return;
            }
            if (replaying) {
                held.add(event);
                return;
            }
            if (event.id() > sentUpTo) {
                send(event);
            }
        }

        private void send(RollEvents.Sent event) {
            if (sink.isClosed()) {
                events.unsubscribe(this);
                return;
            }
            sentUpTo = Math.max(sentUpTo, event.id());
            OutboundSseEvent out = sse.newEventBuilder().id(Long.toString(event.id())).name(event.type()).data(event.data()).build();
            sink.send(out).exceptionally(error -> {
                events.unsubscribe(this);
                return null;
            });
        }
    }
}
