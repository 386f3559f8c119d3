package dev.yardmaster.rollout;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    /**
     * Events commit in another order than their ids were drawn (five hosts of a roll write at
     * once, on one replica or two), so NOTIFY can bring id 146 before 145: a subscriber
     * remembers which ids it sent rather than the highest one, or it would drop 145 for good
     * (a browser on the surviving replica missed a host's last step that way). Commits run out
     * of order by at most the transactions in flight at once, so the last 2048 ids are plenty
     * (~160 kB per connection).
     */
    private static final int REMEMBERED = 2048;

    private final class Subscriber implements Consumer<RollEvents.Sent> {
        private final Long rollId;
        private final SseEventSink sink;
        private final Sse sse;
        private final Set<Long> sent = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        });
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
                        sendOnce(event);
                    }
                }
                if (page.size() < REPLAY_PAGE) {
                    break;
                }
                last = page.get(page.size() - 1).id();
            }
            synchronized (this) {
                replaying = false;
                while (!held.isEmpty()) {
                    RollEvents.Sent event = held.poll();
                    // What the client had before it connected (Last-Event-ID) is not sent again.
                    if (event.id() > from) {
                        sendOnce(event);
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
            sendOnce(event);
        }

        private void sendOnce(RollEvents.Sent event) {
            if (!sent.add(event.id())) {
                return;
            }
            if (sink.isClosed()) {
                events.unsubscribe(this);
                return;
            }
            OutboundSseEvent out = sse.newEventBuilder().id(Long.toString(event.id())).name(event.type()).data(event.data()).build();
            sink.send(out).exceptionally(error -> {
                events.unsubscribe(this);
                return null;
            });
        }
    }
}
