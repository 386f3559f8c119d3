package dev.yardmaster.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * How long a roll has been working: the sum of its RUNNING spans, read from its RollChanged
 * events (each status change is persisted with its time before it is announced). Time spent
 * waiting for a person after the canary, paused, or finished before a retry is not counted, so a
 * roll retried an hour after it failed does not claim an hour of work.
 *
 * @param closed the spans that ended
 * @param open how long the span still running has lasted (null when the roll is not running)
 * @param recorded false when the roll has no recorded RUNNING change (rolls made before events
 *     were kept, or written straight into the table): the time is then start to finish, idle
 *     time included, and the page says so
 */
public record RunningTime(Duration closed, Duration open, boolean recorded) {

    /** One status change of a roll: its status and when it was stored. */
    public record Change(String status, OffsetDateTime at) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The spans of the given changes, in order, as of {@code now}. Pure: tested without a database. */
    public static RunningTime of(List<Change> changes, OffsetDateTime now) {
        Duration closed = Duration.ZERO;
        OffsetDateTime since = null;
        boolean recorded = false;
        for (Change change : changes) {
            boolean running = RollStatus.RUNNING.name().equals(change.status());
            recorded |= running;
            if (running && since == null) {
                since = change.at();
            } else if (!running && since != null) {
                closed = closed.plus(Duration.between(since, change.at()));
                since = null;
            }
        }
        return new RunningTime(closed, since == null ? null : Duration.between(since, now), recorded);
    }

    /** The roll's running time from its stored RollChanged events; start to finish when none says RUNNING. */
    public static RunningTime of(Roll roll, OffsetDateTime now) {
        List<Object[]> rows = RollEvent.getEntityManager().createQuery(
                "select data, createdAt from RollEvent where rollId = ?1 and type = 'RollChanged' order by id", Object[].class)
                .setParameter(1, roll.id).getResultList();
        List<Change> changes = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            changes.add(new Change(status((String) row[0]), (OffsetDateTime) row[1]));
        }
        RunningTime spans = of(changes, now);
        if (spans.recorded() || roll.startedAt == null) {
            return spans;
        }
        OffsetDateTime end = roll.finishedAt != null ? roll.finishedAt : now;
        return roll.status == RollStatus.RUNNING
                ? new RunningTime(Duration.ZERO, Duration.between(roll.startedAt, end), false)
                : new RunningTime(Duration.between(roll.startedAt, end), null, false);
    }

    private static String status(String data) {
        try {
            return JSON.readTree(data).path("status").asText("");
        } catch (IOException e) {
            return "";
        }
    }

    /** Milliseconds of the spans that ended (for the page's live clock). */
    public long closedMillis() {
        return closed.toMillis();
    }

    /** Milliseconds of the span still running, or -1 when the roll is not running. */
    public long openMillis() {
        return open == null ? -1 : open.toMillis();
    }
}
