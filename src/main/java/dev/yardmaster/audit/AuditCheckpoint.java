package dev.yardmaster.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * A signed statement about the head of the audit log: "at {@code signedAt} the log held
 * {@code count} events and ended at event {@code lastId}, whose hash was {@code lastHash}".
 * Signed with Ed25519 by a key the database never sees, so neither a rewrite of the chain nor a
 * cut tail can be hidden from a verifier that holds the public key.
 */
public record AuditCheckpoint(int version, long lastId, String lastHash, long count, String signedAt, String keyId,
        String signature) {

    static final int VERSION = 1;

    /** The exact bytes signed; bin/audit-verify builds the same text. */
    public static String payload(long lastId, String lastHash, long count, String signedAt) {
        return "yardmaster-audit-checkpoint/" + VERSION + "\nlastId=" + lastId + "\nlastHash=" + lastHash
                + "\ncount=" + count + "\nsignedAt=" + signedAt + "\n";
    }

    public String payload() {
        return payload(lastId, lastHash, count, signedAt);
    }

    /** Whether {@code key} signed exactly this checkpoint. */
    public boolean signedBy(PublicKey key) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(payload().getBytes(StandardCharsets.UTF_8));
            return version == VERSION && verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }
}
