package dev.yardmaster.console;

import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.function.Consumer;

/**
 * One Server-Sent Events stream per open list page (dashboard, rolls, environments, approvals):
 * a {@code changed} event names what kind of thing changed; the page fetches itself again.
 * Under /events rather than /api: the browser's session cookie authenticates pages.
 */
@Path("/events")
public class ConsoleEventsResource {

    private final ConsoleEvents events;

    ConsoleEventsResource(ConsoleEvents events) {
        this.events = events;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(Roles.VIEWER)
    public void stream(@HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink, @Context Sse sse) {
        Consumer<ConsoleEvents.Change> subscriber = new Consumer<>() {
            @Override
            public void accept(ConsoleEvents.Change change) {
                if (sink.isClosed()) {
                    events.unsubscribe(this);
                    return;
                }
                sink.send(event(sse, change)).exceptionally(failure -> {
                    events.unsubscribe(this);
                    return null;
                });
            }
        };
        events.subscribe(subscriber);
        sink.send(sse.newEventBuilder().comment("connected").build());
        // A reconnecting browser: tell it at once, from the audit log, if it missed a change.
        if (lastEventId != null && lastEventId.strip().matches("[0-9]{1,18}")) {
            ConsoleEvents.Change missed = events.missedSince(Long.parseLong(lastEventId.strip()));
            if (missed != null) {
                sink.send(event(sse, missed));
            }
        }
    }

    private static OutboundSseEvent event(Sse sse, ConsoleEvents.Change change) {
        OutboundSseEvent.Builder builder = sse.newEventBuilder().name("changed").data(change.topic());
        // Roll progress is not audited: it carries no id, so the browser keeps the last audited one.
        return change.id() > 0 ? builder.id(Long.toString(change.id())).build() : builder.build();
    }
}
