package dev.yardmaster.audit;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Proves the audit log: recomputes every event's hash in Java (no database function in the
 * trust path), follows the chain in id order and holds its head against the newest signed
 * checkpoint. Each kind of tampering has its own reason: a replaced function or a disabled
 * trigger, a rewritten row, a removed or reordered row, renumbering, a chain recomputed after
 * a rewrite, a cut tail.
 *
 * <p>The walk reads {@value #CHUNK} rows per query on a connection it returns at once, so a
 * walk over millions of events never holds a JDBC connection for long. After an intact walk the
 * head is remembered: the next walk starts there (incremental) unless a full walk is asked for;
 * the remembered event's hash and the signed checkpoint are still checked each time.
 */
@ApplicationScoped
public class ChainVerifier {

    static final int CHUNK = 5000;

    /**
     * SHA-256 of each audit function's source as the migrations define it (V2, V76). A change
     * here comes with a migration that replaces the function; anything else is tampering.
     */
    static final Map<String, String> FUNCTIONS = Map.of(
            "audit_event_digest", "b00c218d49ce4e549cfc763227b2f76d8984c77f6af17f46291f6147306d7707",
            "audit_event_chain", "465fc1acb98d3bf9569adcc5add81ea082af083b0032fe46bfabfd01aa396c4a",
            "audit_event_is_append_only", "6eb93032691c028b9598786408e261414d1e0a49b7f0594842aa6d9cf9e8ec0a");
    static final Map<String, String> TRIGGERS = Map.of(
            "audit_event_no_update_delete", "audit_event_is_append_only",
            "audit_event_no_truncate", "audit_event_is_append_only",
            "audit_event_chain_insert", "audit_event_chain");

    /** One verified position of the chain. */
    record Position(long id, String hash, long seq) {
    }

    private final DataSource dataSource;
    private final AuditCheckpoints checkpoints;
    private volatile Position lastIntact;

    ChainVerifier(DataSource dataSource, AuditCheckpoints checkpoints) {
        this.dataSource = dataSource;
        this.checkpoints = checkpoints;
    }

    /** Kinds of failure, stable for bots (the {@code problem} field). */
    public enum Problem {
        REPLACED_FUNCTION, DISABLED_TRIGGER, REWRITTEN_ROW, BROKEN_LINK, RENUMBERED, RECHAINED, CUT_TAIL, FORGED_CHECKPOINT
    }

    public AuditLog.Verification verify(boolean full) {
        long started = System.nanoTime();
        Result result = walk(full);
        return result.toVerification((System.nanoTime() - started) / 1_000_000);
    }

    private final class Result {
        boolean intact = true;
        long checked;
        Long brokenAt;
        String reason;
        Problem problem;
        Position head;
        Long from;
        AuditCheckpoint checkpoint;

        Result fail(Problem kind, Long at, String why) {
            intact = false;
            problem = kind;
            brokenAt = at;
            reason = why;
            return this;
        }

        AuditLog.Verification toVerification(long millis) {
            return new AuditLog.Verification(intact, checked, brokenAt, reason, problem == null ? null : problem.name(),
                    head == null ? 0 : head.seq(), head == null ? null : head.id(), from, checkpoint, millis);
        }
    }

    private Result walk(boolean full) {
        Result result = new Result();
        try {
            Optional<String> tampered = checkFunctionsAndTriggers(result);
            if (tampered.isPresent()) {
                return result;
            }
            Optional<AuditCheckpoints.SignedHead> signed = checkpoints.newestSigned();
            result.checkpoint = signed.map(AuditCheckpoints.SignedHead::checkpoint).orElse(null);
            Position start = full ? null : lastIntact;
            if (start != null) {
                Optional<Position> now = positionOf(start.id());
                if (now.isEmpty() || !now.get().hash().equals(start.hash()) || now.get().seq() != start.seq()) {
                    // Something changed before the remembered head: a full walk names it; if the
                    // full walk finds the chain consistent, it was recomputed after a rewrite.
                    Position changed = start;
                    lastIntact = null;
                    Result fromStart = walk(true);
                    if (!fromStart.intact) {
                        return fromStart;
                    }
                    lastIntact = null;
                    return fromStart.fail(Problem.RECHAINED, changed.id(), "event " + changed.id()
                            + " no longer has the hash an earlier walk verified: events up to it were removed, inserted or"
                            + " rewritten and the chain recomputed");
                }
                result.from = start.id();
            }
            String expectedPrev = start == null ? AuditDigest.GENESIS : start.hash();
            long expectedSeq = start == null ? 1 : start.seq() + 1;
            long after = start == null ? 0 : start.id();
            result.head = start;
            while (true) {
                int rows = 0;
                try (Connection c = dataSource.getConnection(); PreparedStatement q = c.prepareStatement("""
                        SELECT id, seq, occurred_at, actor, on_behalf_of, roles, client_id, source_ip, user_agent, action,
                               outcome, environment, package, subject, details::text, prev_hash, hash
                        FROM audit_event WHERE id > ? ORDER BY id LIMIT ?""")) {
                    q.setLong(1, after);
                    q.setInt(2, CHUNK);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            long id = rs.getLong(1);
                            long seq = rs.getLong(2);
                            String prev = rs.getString(16);
                            String hash = rs.getString(17);
                            result.checked++;
                            if (!prev.equals(expectedPrev)) {
                                return result.fail(Problem.BROKEN_LINK, id,
                                        "prev_hash does not match the hash of the event before it (an event was removed or reordered)");
                            }
                            AuditDigest event = new AuditDigest(id, rs.getObject(3, OffsetDateTime.class), rs.getString(4),
                                    rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                                    rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13), rs.getString(14),
                                    rs.getString(15));
                            if (!hash.equals(event.hash(prev))) {
                                return result.fail(Problem.REWRITTEN_ROW, id,
                                        "content does not match its hash (the event was altered after it was recorded)");
                            }
                            if (seq != expectedSeq) {
                                return result.fail(Problem.RENUMBERED, id,
                                        "the event is number " + seq + " where " + expectedSeq + " was expected (the numbering was rewritten)");
                            }
                            expectedPrev = hash;
                            expectedSeq++;
                            after = id;
                            result.head = new Position(id, hash, seq);
                        }
                    }
                }
                if (rows < CHUNK) {
                    break;
                }
            }
            if (signed.isPresent() && signed.get().forgedNewer() > 0) {
                return result.fail(Problem.FORGED_CHECKPOINT, null, signed.get().forgedNewer()
                        + " checkpoint file(s) newer than the last good one do not carry this key's signature");
            }
            if (result.checkpoint != null) {
                AuditCheckpoint cp = result.checkpoint;
                long headId = result.head == null ? 0 : result.head.id();
                if (headId < cp.lastId()) {
                    return result.fail(Problem.CUT_TAIL, result.head == null ? null : headId, "the log ends at event " + headId
                            + " (" + (result.head == null ? 0 : result.head.seq()) + " events) but a checkpoint signed at "
                            + cp.signedAt() + " covers " + cp.count() + " events up to event " + cp.lastId()
                            + ": the newest events were deleted (the tail was cut)");
                }
                Optional<Position> signedRow = positionOf(cp.lastId());
                if (signedRow.isEmpty() || !signedRow.get().hash().equals(cp.lastHash()) || signedRow.get().seq() != cp.count()) {
                    return result.fail(Problem.RECHAINED, cp.lastId(), "event " + cp.lastId()
                            + " does not have the hash the checkpoint signed at " + cp.signedAt()
                            + " (events up to it were rewritten, removed or inserted and the chain recomputed)");
                }
            }
            if (result.head != null) {
                lastIntact = result.head;
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the audit log: " + e.getMessage(), e);
        }
    }

    /** Forgets the remembered position, so the next walk is full (tests, after a restore). */
    void forget() {
        lastIntact = null;
    }

    private Optional<Position> positionOf(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement q = c.prepareStatement("SELECT id, hash, seq FROM audit_event WHERE id = ?")) {
            q.setLong(1, id);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(new Position(rs.getLong(1), rs.getString(2), rs.getLong(3))) : Optional.empty();
            }
        }
    }

    /** Compares the audit functions with their migrated source and checks that every trigger is in place and enabled. */
    private Optional<String> checkFunctionsAndTriggers(Result result) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Map<String, String> found = new LinkedHashMap<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = current_schema() AND p.proname = ANY (?)""")) {
                q.setArray(1, c.createArrayOf("text", FUNCTIONS.keySet().toArray()));
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        found.merge(rs.getString(1), sha256(rs.getString(2)), (a, b) -> "overloaded");
                    }
                }
            }
            for (var expected : FUNCTIONS.entrySet()) {
                if (!expected.getValue().equals(found.get(expected.getKey()))) {
                    String why = "function " + expected.getKey() + (found.containsKey(expected.getKey())
                            ? " was replaced: its source is not the one the migrations installed"
                            : " is missing");
                    result.fail(Problem.REPLACED_FUNCTION, null, why);
                    return Optional.of(why);
                }
            }
            Map<String, String> triggers = new LinkedHashMap<>();
            try (PreparedStatement q = c.prepareStatement("""
                    SELECT t.tgname, t.tgenabled, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                    WHERE t.tgrelid = 'audit_event'::regclass AND NOT t.tgisinternal""");
                    ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    triggers.put(rs.getString(1), rs.getString(2) + ":" + rs.getString(3));
                }
            }
            for (String name : triggers.keySet()) {
                if (!TRIGGERS.containsKey(name)) {
                    // A trigger of someone else's could change rows after the chain trigger hashed them.
                    String why = "trigger " + name + " on audit_event is not one the migrations installed";
                    result.fail(Problem.DISABLED_TRIGGER, null, why);
                    return Optional.of(why);
                }
            }
            for (var expected : TRIGGERS.entrySet()) {
                String state = triggers.get(expected.getKey());
                if (state == null || !state.equals("O:" + expected.getValue())) {
                    String why = "trigger " + expected.getKey() + (state == null ? " is missing"
                            : state.startsWith("O:") ? " calls another function" : " is disabled");
                    result.fail(Problem.DISABLED_TRIGGER, null, why);
                    return Optional.of(why);
                }
            }
            return Optional.empty();
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
