package dev.yardmaster.rollout.store;

import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.Roll;
import dev.yardmaster.rollout.RollStatus;
import dev.yardmaster.rollout.Step;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every roll statement that writes hosts or events, and the payloads they carry, each built here
 * once: the HostChanged JSON (built in SQL from the row as changed), the RollChanged JSON, the
 * NOTIFY payload and the {@code host_package} upsert.
 *
 * <p>The runner's hot writes are plain JDBC, one statement each: they happen a few times per
 * host, hundreds of times per roll, on the cores the fleet's sshd also needs. A stored step was a
 * JTA transaction with an entity load, an upsert, an event insert, a flush and a NOTIFY (about
 * half of the runner's CPU); it is now one statement in autocommit that changes the host's row,
 * writes the HostChanged event built from the row as changed, records what rpm -q said for the
 * drift view, and notifies every instance, all committed together.
 *
 * <p>Every runner write states its fencing token ({@link Roll#fence}): the statement locks the
 * roll's row for share and changes nothing when the fence moved on (a later claim), so a claim
 * and a stale write cannot interleave.
 */
@ApplicationScoped
public class RollStore {

    /** The LISTEN/NOTIFY channel of roll events. */
    public static final String CHANNEL = "roll_events";

    /**
     * Events whose data is at most this many bytes travel in the notification itself
     * ({@code id rollId type data}; PostgreSQL takes payloads under 8,000 bytes): the listener
     * reads from the table only the larger ones. One SELECT per notification was 1,000 queries
     * per 200-host roll on every replica.
     */
    public static final int MAX_INLINE = 7000;

    /** What one stored step changes on a host's row; what is left null or zero stays as it is. */
    public static final class Change {
        public Step step;
        public HostStatus status;
        /** The host is done: its reason (null clears it) and the finish time are written. */
        public boolean finished;
        public String reason;
        /** A new attempt starts: attempts + 1 and the start time. */
        public boolean started;
        /** The version found before the change, kept if one is already stored. */
        public String fromEvrIfUnset;
        public String toEvr;
        public int restarts;
    }

    /** A host's row after a stored change. */
    public record Stored(Step step, HostStatus status, String fromEvr) {
    }

    /** What rpm -q said on the host, for the drift view; {@code evr} null: not installed. */
    public record Seen(String environment, String packageName, String evr) {
    }

    /** The roll's status, whether a cancel asked to interrupt running hosts, and its fencing token. */
    public record State(RollStatus status, boolean interrupt, long fence) {
    }

    /** The HostChanged event's data, from a {@code roll_host} row named {@code h}: the one home of its shape. */
    static final String HOST_JSON = """
            json_build_object('id', h.id, 'name', h.name, 'batch', h.batch, 'status', h.status, 'step', h.step,
                'reason', h.reason, 'fromEvr', h.from_evr, 'toEvr', h.to_evr, 'restarts', h.restarts,
                'complete', h.status NOT IN %s, 'failure', h.status IN %s)::text""".formatted(
            HostStatus.sql(HostStatus.OPEN), HostStatus.sql(HostStatus.RETRYABLE));

    /** What NOTIFY carries for an event row named {@code event}: the whole event when small enough, else its id. */
    static final String NOTIFY = """
            pg_notify('%s', CASE WHEN octet_length(event.data) <= %d
                THEN event.id || ' ' || event.roll_id || ' ' || event.type || ' ' || event.data ELSE event.id::text END)"""
            .formatted(CHANNEL, MAX_INLINE);

    /** Announces the rows of CTE {@code h} (roll_host rows as changed) as HostChanged events. */
    private static final String HOST_EVENTS = """
            event AS (
                INSERT INTO roll_event (roll_id, type, data)
                SELECT h.roll_id, 'HostChanged', %s FROM h ORDER BY h.position
                RETURNING id, roll_id, type, data
            )""".formatted(HOST_JSON);

    private static final String STORE = """
            WITH h AS (
                UPDATE roll_host SET
                    step = coalesce(?, step),
                    status = coalesce(?, status),
                    reason = CASE WHEN ? THEN ? ELSE reason END,
                    finished_at = CASE WHEN ? THEN now() ELSE finished_at END,
                    attempts = attempts + CASE WHEN ? THEN 1 ELSE 0 END,
                    started_at = CASE WHEN ? THEN now() ELSE started_at END,
                    from_evr = coalesce(from_evr, ?),
                    to_evr = coalesce(?, to_evr),
                    restarts = restarts + ?,
                    log = ?
                WHERE id = ? AND EXISTS (SELECT 1 FROM roll r WHERE r.id = roll_host.roll_id AND r.fence = ? FOR SHARE)
                RETURNING id, roll_id, name, batch, position, status, step, reason, from_evr, to_evr, restarts
            ), seen AS (
                INSERT INTO host_package (host_name, environment, package_name, installed_evr, checked_at, source, roll_id, error)
                SELECT name, ?, ?, ?, now(), 'roll', roll_id, NULL FROM h WHERE ?
                ON CONFLICT (host_name, package_name) DO UPDATE SET environment = excluded.environment,
                    installed_evr = excluded.installed_evr, checked_at = excluded.checked_at, source = excluded.source,
                    roll_id = excluded.roll_id, error = NULL
            ), %s
            SELECT h.step, h.status, h.from_evr, %s FROM h, event
            """.formatted(HOST_EVENTS, NOTIFY);

    private static final String CANCEL_PENDING = """
            WITH h AS (
                UPDATE roll_host SET status = 'CANCELED', reason = ?1 WHERE roll_id = ?2 AND status = 'PENDING'
                RETURNING id, roll_id, name, batch, position, status, step, reason, from_evr, to_evr, restarts
            ), %s
            SELECT count(%s) FROM event""".formatted(HOST_EVENTS, NOTIFY);

    private static final String REQUEUE_RETRYABLE = """
            WITH h AS (
                UPDATE roll_host SET status = 'PENDING', step = 'QUEUED', reason = 'retry ' || (attempts + 1), finished_at = NULL
                WHERE roll_id = ?1 AND status IN %s
                RETURNING id, roll_id, name, batch, position, status, step, reason, from_evr, to_evr, restarts
            ), %s
            SELECT count(%s) FROM event""".formatted(HostStatus.sql(HostStatus.RETRYABLE), HOST_EVENTS, NOTIFY);

    private static final String EVENT = """
            WITH event AS (INSERT INTO roll_event (roll_id, type, data) VALUES (?1, ?2, ?3) RETURNING id, roll_id, type, data)
            SELECT %s FROM event""".formatted(NOTIFY);

    private final AgroalDataSource dataSource;

    RollStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Applies {@code change} and {@code log} to the host's row, records {@code seen} (if given)
     * and announces the row as changed, in one statement and one commit, if {@code fence} is still
     * the roll's; empty when it is not (this holder lost the roll: nothing was written).
     */
    public Optional<Stored> storeHost(long hostId, long fence, Change change, String log, Seen seen) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            try (PreparedStatement s = connection.prepareStatement(STORE)) {
                int i = 0;
                setText(s, ++i, change.step == null ? null : change.step.name());
                setText(s, ++i, change.status == null ? null : change.status.name());
                s.setBoolean(++i, change.finished);
                setText(s, ++i, change.reason);
                s.setBoolean(++i, change.finished);
                s.setBoolean(++i, change.started);
                s.setBoolean(++i, change.started);
                setText(s, ++i, change.fromEvrIfUnset);
                setText(s, ++i, change.toEvr);
                s.setInt(++i, change.restarts);
                s.setString(++i, log);
                s.setLong(++i, hostId);
                s.setLong(++i, fence);
                setText(s, ++i, seen == null ? null : seen.environment());
                setText(s, ++i, seen == null ? null : seen.packageName());
                setText(s, ++i, seen == null ? null : seen.evr());
                s.setBoolean(++i, seen != null);
                try (ResultSet row = s.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Stored(Step.valueOf(row.getString(1)), HostStatus.valueOf(row.getString(2)),
                            row.getString(3)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the step of roll host " + hostId + ": " + e.getMessage(), e);
        }
    }

    /** The roll's status now (the runner asks before each host it starts). */
    public State state(long rollId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement s = connection.prepareStatement("SELECT status, interrupt, fence FROM roll WHERE id = ?")) {
            s.setLong(1, rollId);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("roll " + rollId + " is gone");
                }
                return new State(RollStatus.valueOf(row.getString(1)), row.getBoolean(2), row.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the status of roll " + rollId + ": " + e.getMessage(), e);
        }
    }

    /** Cancels the roll's hosts that have not started, announcing each (caller's transaction). */
    public long cancelPending(EntityManager em, long rollId, String reason) {
        return ((Number) em.createNativeQuery(CANCEL_PENDING).setParameter(1, reason).setParameter(2, rollId)
                .getSingleResult()).longValue();
    }

    /** Puts the roll's failed and unreachable hosts back in the queue, announcing each (caller's transaction). */
    public long requeueRetryable(EntityManager em, long rollId) {
        return ((Number) em.createNativeQuery(REQUEUE_RETRYABLE).setParameter(1, rollId).getSingleResult()).longValue();
    }

    /** Persists an event and notifies every instance on commit (caller's transaction). */
    public void recordEvent(EntityManager em, long rollId, String type, String data) {
        em.createNativeQuery(EVENT).setParameter(1, rollId).setParameter(2, type).setParameter(3, data).getSingleResult();
    }

    /** The RollChanged event's data: the one home of its shape ({@code outcome}: the hosts counted, see RollOutcome). */
    public static Map<String, Object> rollData(Roll roll, Map<String, Object> outcome, Long rolledBackBy) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", roll.id);
        data.put("package", roll.packageName);
        data.put("environment", roll.environment);
        data.put("target", roll.targetEvr);
        data.put("status", roll.status.name());
        data.put("label", roll.status.label());
        data.put("complete", roll.status.isComplete());
        data.put("failure", roll.status.isFailure());
        data.put("outcome", outcome);
        data.put("onFailure", roll.onFailure.name());
        data.put("rollbackOf", roll.rollbackOf);
        data.put("rolledBackBy", rolledBackBy);
        data.put("reason", roll.reason);
        data.put("currentBatch", roll.currentBatch);
        data.put("batchCount", roll.batchCount);
        return data;
    }

    private static void setText(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }
}
