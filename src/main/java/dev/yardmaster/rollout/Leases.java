package dev.yardmaster.rollout;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Roll leases between replicas, one statement each in autocommit. Every replica renews or looks
 * for rolls every heartbeat (3 s), for as long as it runs; as JTA transactions with Hibernate
 * native queries these cost 4 % of the JVM's samples during a 200-host roll (bench/rolls.sh).
 */
@ApplicationScoped
class Leases {

    /** A roll just claimed, and the holder whose lease had lapsed (null when it had none). */
    record Claimed(long rollId, String lapsedHolder) {
    }

    private static final String RENEW = """
            UPDATE roll SET lease_until = now() + make_interval(secs => ?)
             WHERE id = ANY(?) AND lease_owner = ?
            RETURNING id""";

    private static final String CLAIM = """
            WITH free AS (SELECT id, lease_owner FROM roll WHERE status IN ('PENDING', 'RUNNING', 'WAITING', 'PAUSED')
                          AND (lease_owner IS NULL OR lease_until < now()) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE roll SET lease_owner = ?, lease_until = now() + make_interval(secs => ?)
              FROM free WHERE roll.id = free.id
            RETURNING roll.id, free.lease_owner""";

    private final AgroalDataSource dataSource;

    Leases(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Extends {@code owner}'s leases of these rolls; returns the ones it still held. */
    Set<Long> renew(List<Long> rollIds, String owner, Duration lease) {
        Set<Long> kept = new HashSet<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(RENEW)) {
            Array ids = connection.createArrayOf("bigint", rollIds.toArray());
            s.setDouble(1, lease.toMillis() / 1000.0);
            s.setArray(2, ids);
            s.setString(3, owner);
            try (ResultSet rows = s.executeQuery()) {
                while (rows.next()) {
                    kept.add(rows.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not renew the roll leases: " + e.getMessage(), e);
        }
        return kept;
    }

    /** Takes the lease of the oldest unfinished roll nobody holds (or whose holder's lease lapsed), if any. */
    Claimed claim(String owner, Duration lease) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(CLAIM)) {
            s.setString(1, owner);
            s.setDouble(2, lease.toMillis() / 1000.0);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? new Claimed(rows.getLong(1), rows.getString(2)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not claim a roll: " + e.getMessage(), e);
        }
    }
}
