package dev.yardmaster.rollout.store;

import dev.yardmaster.rollout.RollStatus;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Roll leases between replicas, one statement each in autocommit. Every replica renews or looks
 * for rolls every heartbeat (3 s), for as long as it runs; as JTA transactions with Hibernate
 * native queries these cost 4 % of the JVM's samples during a 200-host roll (bench/rolls.sh).
 *
 * <p>Every claim moves the roll's fencing token up by one; renewing and releasing state it, so a
 * holder whose lease was taken over (or who released it) cannot extend or drop the new holder's.
 */
@ApplicationScoped
public class Leases {

    /** A roll just claimed, its new fencing token, and the holder whose lease had lapsed (null when it had none). */
    public record Claimed(long rollId, long fence, String lapsedHolder) {
    }

    private static final String RENEW = """
            UPDATE roll SET lease_until = now() + make_interval(secs => ?)
              FROM unnest(?::bigint[], ?::bigint[]) AS held(id, fence)
             WHERE roll.id = held.id AND roll.fence = held.fence AND roll.lease_owner = ?
            RETURNING roll.id""";

    private static final String CLAIM = """
            WITH free AS (SELECT id, lease_owner FROM roll WHERE status IN %s
                          AND (lease_owner IS NULL OR lease_until < now()) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE roll SET lease_owner = ?, lease_until = now() + make_interval(secs => ?), fence = roll.fence + 1
              FROM free WHERE roll.id = free.id
            RETURNING roll.id, roll.fence, free.lease_owner""".formatted(RollStatus.sql(RollStatus.ACTIVE));

    private static final String RELEASE = "UPDATE roll SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND fence = ?";

    private static final String RELEASE_ALL = "UPDATE roll SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?";

    private final AgroalDataSource dataSource;

    Leases(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Extends {@code owner}'s leases of these rolls (id → fence); returns the ones it still held. */
    public Set<Long> renew(Map<Long, Long> fences, String owner, Duration lease) {
        Set<Long> kept = new HashSet<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(RENEW)) {
            Long[] ids = fences.keySet().toArray(Long[]::new);
            Long[] tokens = new Long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                tokens[i] = fences.get(ids[i]);
            }
            s.setDouble(1, lease.toMillis() / 1000.0);
            s.setArray(2, connection.createArrayOf("bigint", ids));
            s.setArray(3, connection.createArrayOf("bigint", tokens));
            s.setString(4, owner);
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
    public Claimed claim(String owner, Duration lease) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(CLAIM)) {
            s.setString(1, owner);
            s.setDouble(2, lease.toMillis() / 1000.0);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? new Claimed(rows.getLong(1), rows.getLong(2), rows.getString(3)) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not claim a roll: " + e.getMessage(), e);
        }
    }

    /** Gives up one lease, if {@code fence} is still the roll's: the execution ended, no host of it is in flight. */
    public void release(long rollId, long fence) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(RELEASE)) {
            s.setLong(1, rollId);
            s.setLong(2, fence);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not release the lease of roll " + rollId + ": " + e.getMessage(), e);
        }
    }

    /** Gives up every lease of {@code owner} (hand-over at shutdown). */
    public void releaseAll(String owner) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement s = connection.prepareStatement(RELEASE_ALL)) {
            s.setString(1, owner);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("could not release the roll leases: " + e.getMessage(), e);
        }
    }
}
