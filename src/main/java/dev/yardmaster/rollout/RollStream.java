package dev.yardmaster.rollout;

import dev.yardmaster.core.YardmasterException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One SSE stream per browser or bot: first what it missed (events after Last-Event-ID, from the
 * database, at most {@link RollConfig#replayLimit()}), then live events as this instance hears
 * them (LISTEN/NOTIFY via {@link RollEvents}). A stream is a subscriber only while its client is
 * connected: the subscription ends with the connection. Unknown rolls are refused before
 * anything is subscribed, and streams are capped per principal and overall.
 */
@ApplicationScoped
public class RollStream {

    private static final int REPLAY_PAGE = 2000;
    private final RollEvents events;
    private final RollQueries queries;
    private final RollConfig config;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, AtomicInteger> openPerPrincipal = new ConcurrentHashMap<>();

    RollStream(RollEvents events, RollQueries queries, RollConfig config) {
        this.events = events;
        this.queries = queries;
        this.config = config;
    }

    /**
     * The stream of one roll, or with {@code rollId} null of the roll-level events of all rolls.
     * 404 for an unknown roll; 429 with Retry-After when {@code principal} or this instance has
     * as many streams open as allowed.
     */
    public Multi<OutboundSseEvent> open(String principal, Long rollId, Long lastId, Sse sse) {
        if (rollId != null && !queries.exists(rollId)) {
            throw YardmasterException.notFound("roll", "There is no roll " + rollId + ".");
        }
        reserve(principal);
        long from = lastId == null ? (rollId == null ? latestId() : 0) : lastId;
        return Multi.createFrom().<OutboundSseEvent>emitter(emitter -> {
            Subscriber subscriber = new Subscriber(rollId, emitter, sse);
            emitter.onTermination(() -> {
                events.unsubscribe(subscriber);
                release(principal);
            });
            events.subscribe(subscriber);
            emitter.emit(sse.newEventBuilder().comment("connected").build());
            subscriber.replay(from);
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The stream position a client asks for: Last-Event-ID when it is a number, else {@code since}. */
    public static Long position(String lastEventId, Long since) {
        if (lastEventId != null && lastEventId.strip().matches("[0-9]{1,18}")) {
            return Long.valueOf(lastEventId.strip());
        }
        return since;
    }

    /** Streams open on this instance now. */
    public int openStreams() {
        return open.get();
    }

    private void reserve(String principal) {
        AtomicInteger mine = openPerPrincipal.computeIfAbsent(principal, p -> new AtomicInteger());
        if (mine.incrementAndGet() > config.maxStreamsPerPrincipal()) {
            mine.decrementAndGet();
            throw tooMany("You have " + config.maxStreamsPerPrincipal() + " roll event streams open; close one first.");
        }
        if (open.incrementAndGet() > config.maxStreams()) {
            open.decrementAndGet();
            mine.decrementAndGet();
            throw tooMany("This instance serves " + config.maxStreams() + " roll event streams, its limit.");
        }
    }

    private void release(String principal) {
        open.decrementAndGet();
        AtomicInteger mine = openPerPrincipal.get(principal);
        if (mine != null) {
            mine.decrementAndGet();
        }
    }

    private static YardmasterException tooMany(String message) {
        return new YardmasterException(429, "too-many-streams", "Too Many Requests", message, Map.of("retryAfter", 10));
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
        private final MultiEmitter<? super OutboundSseEvent> emitter;
        private final Sse sse;
        private final Set<Long> sent = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > REMEMBERED;
            }
        });
        private boolean replaying = true;
        private final ArrayDeque<RollEvents.Sent> held = new ArrayDeque<>();

        Subscriber(Long rollId, MultiEmitter<? super OutboundSseEvent> emitter, Sse sse) {
            this.rollId = rollId;
            this.emitter = emitter;
            this.sse = sse;
        }

        /** Replays at most the configured number of events; past that the client is told to reload. */
        void replay(long from) {
            long last = from;
            int replayed = 0;
            while (!emitter.isCancelled()) {
                final long after = last;
                int page = Math.min(REPLAY_PAGE, config.replayLimit() - replayed);
                if (page <= 0) {
                    synchronized (this) {
                        emitter.emit(sse.newEventBuilder().name("ReplayTruncated").data("{\"after\": " + last + "}").build());
                    }
                    break;
                }
                List<RollEvents.Sent> events = QuarkusTransaction.requiringNew().call(() -> RollEvent.after(rollId, after, page)
                        .stream().map(e -> new RollEvents.Sent(e.id, e.rollId, e.type, e.data)).toList());
                synchronized (this) {
                    events.forEach(this::sendOnce);
                }
                replayed += events.size();
                if (events.size() < page) {
                    break;
                }
                last = events.get(events.size() - 1).id();
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
                if (held.size() < config.replayLimit()) {
                    held.add(event);
                }
                return;
            }
            sendOnce(event);
        }

        private void sendOnce(RollEvents.Sent event) {
            if (!sent.add(event.id()) || emitter.isCancelled()) {
                return;
            }
            emitter.emit(sse.newEventBuilder().id(Long.toString(event.id())).name(event.type()).data(event.data()).build());
        }
    }
}
