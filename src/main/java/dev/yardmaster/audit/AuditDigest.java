package dev.yardmaster.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;

/**
 * The hash of one audit event, computed in Java so that verifying the log trusts no function
 * stored in the database. It is the same canonical form as the SQL function the insert
 * trigger uses (V2, audit_event_digest): the fields joined with {@code |}, text through
 * PostgreSQL's quote_nullable, the time in microseconds since the epoch, details as
 * PostgreSQL prints the jsonb. bin/audit-verify repeats it in Python for offline checks;
 * AuditCheckpointTest keeps the three in step.
 */
public record AuditDigest(long id, OffsetDateTime occurredAt, String actor, String onBehalfOf, String roles,
        String clientId, String sourceIp, String userAgent, String action, String outcome, String environment,
        String packageName, String subject, String detailsText) {

    public static final String GENESIS = "0".repeat(64);

    /** The hex SHA-256 of this event chained to {@code previous}. */
    public String hash(String previous) {
        StringBuilder text = new StringBuilder(256).append(id).append('|').append(micros(occurredAt));
        for (String field : new String[] {actor, onBehalfOf, roles, clientId, sourceIp, userAgent, action, outcome,
            environment, packageName, subject, detailsText, previous}) {
            text.append('|').append(quoteNullable(field));
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long micros(OffsetDateTime time) {
        Instant instant = time.toInstant();
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
    }

    /** PostgreSQL's quote_nullable: NULL unquoted; else quotes doubled, E'' when a backslash is present. */
    static String quoteNullable(String value) {
        if (value == null) {
            return "NULL";
        }
        StringBuilder quoted = new StringBuilder(value.length() + 2);
        if (value.indexOf('\\') >= 0) {
            quoted.append('E');
        }
        quoted.append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\'' || c == '\\') {
                quoted.append(c);
            }
            quoted.append(c);
        }
        return quoted.append('\'').toString();
    }
}
