package dev.yardmaster.rollout;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The roll runner's hot writes and reads in plain JDBC, one statement each: they happen a few
 * times per host, hundreds of times per roll, on the cores the fleet's sshd also needs. A
 * stored step was a JTA transaction with an entity load, an upsert, an event insert, a flush
 * and a NOTIFY (about half of the runner's CPU); it is now one statement in autocommit that
 * changes the host's row, writes the HostChanged event built from the row as changed, records
 * what rpm -q said for the drift view, and notifies every instance, all committed together.
 */
@ApplicationScoped
class HostRows {

    /** What one stored step changes on a host's row; what is left null or zero stays as it is. */
    static final class Change {
        Step step;
        HostStatus status;
        /** The host is done: its reason (null clears it) and the finish time are written. */
        boolean finished;
        String reason;
        /** A new attempt starts: attempts + 1 and the start time. */
        boolean started;
        /** The version found before the change, kept if one is already stored. */
        String fromEvrIfUnset;
        String toEvr;
        int restarts;
    }

    /** A host's row after a stored change. */
    record Stored(Step step, HostStatus status, String fromEvr) {
    }

    /** What rpm -q said on the host, for the drift view; {@code evr} null: not installed. */
    record Seen(String environment, String packageName, String evr) {
    }

    /** The roll's status and whether a cancel asked to interrupt running hosts. */
    record State(RollStatus status, boolean interrupt) {
    }

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
                WHERE id = ?
                RETURNING id, roll_id, name, batch, status, step, reason, from_evr, to_evr, restarts
            ), seen AS (
                INSERT INTO host_package (host_name, environment, package_name, installed_evr, checked_at, source, roll_id, error)
                SELECT name, ?, ?, ?, now(), 'roll', roll_id, NULL FROM h WHERE ?
                ON CONFLICT (host_name, package_name) DO UPDATE SET environment = excluded.environment,
                    installed_evr = excluded.installed_evr, checked_at = excluded.checked_at, source = excluded.source,
                    roll_id = excluded.roll_id, error = NULL
            ), event AS (
                INSERT INTO roll_event (roll_id, type, data)
                SELECT roll_id, 'HostChanged', json_build_object('id', id, 'name', name, 'batch', batch, 'status', status,
                    'step', step, 'reason', reason, 'fromEvr', from_evr, 'toEvr', to_evr, 'restarts', restarts)::text
                FROM h
                RETURNING id, roll_id, type, data
            )
            SELECT h.step, h.status, h.from_evr, pg_notify('%s', CASE WHEN octet_length(event.data) <= %d
                THEN event.id || ' ' || event.roll_id || ' ' || event.type || ' ' || event.data ELSE event.id::text END)
            FROM h, event
            """.formatted(RollEvents.CHANNEL, RollEvents.MAX_INLINE);

    private final AgroalDataSource dataSource;

    HostRows(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Applies {@code change} and {@code log} to the host's row, records {@code seen} (if given)
     * and announces the row as changed, in one statement and one commit.
     */
    Stored store(long hostId, Change change, String log, Seen seen) {
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
                setText(s, ++i, seen == null ? null : seen.environment());
                setText(s, ++i, seen == null ? null : seen.packageName());
                setText(s, ++i, seen == null ? null : seen.evr());
                s.setBoolean(++i, seen != null);
                try (ResultSet row = s.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalStateException("roll host " + hostId + " is gone");
                    }
                    return new Stored(Step.valueOf(row.getString(1)), HostStatus.valueOf(row.getString(2)), row.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not store the step of roll host " + hostId + ": " + e.getMessage(), e);
        }
    }

    /** The roll's status now (the runner asks before each host it starts). */
    State state(long rollId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement s = connection.prepareStatement("SELECT status, interrupt FROM roll WHERE id = ?")) {
            s.setLong(1, rollId);
            try (ResultSet row = s.executeQuery()) {
                if (!row.next()) {
                    throw new IllegalStateException("roll " + rollId + " is gone");
                }
                return new State(RollStatus.valueOf(row.getString(1)), row.getBoolean(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the status of roll " + rollId + ": " + e.getMessage(), e);
        }
    }

    private static void setText(PreparedStatement s, int index, String value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.VARCHAR);
        } else {
            s.setString(index, value);
        }
    }
}
