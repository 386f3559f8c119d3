-- Fencing: every claim of a roll's lease moves `fence` up by one; the runner states its fence in
-- every write about the roll and its hosts, so a holder that lost the lease writes nothing.
-- `version` is the optimistic lock of people's and the runner's changes to a roll.
ALTER TABLE roll ADD COLUMN fence BIGINT NOT NULL DEFAULT 0 CHECK (fence >= 0);
ALTER TABLE roll ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- Idempotency keys belong to the principal that sent them and to the request they came with:
-- another principal's key is another key, and the same key with another body is refused.
ALTER TABLE roll DROP CONSTRAINT roll_idempotency_key_key;
ALTER TABLE roll ADD COLUMN idempotency_principal TEXT;
ALTER TABLE roll ADD COLUMN request_hash TEXT CHECK (request_hash ~ '^[0-9a-f]{64}$');
UPDATE roll SET idempotency_principal = created_by WHERE idempotency_key IS NOT NULL;
ALTER TABLE roll ADD CONSTRAINT roll_idempotency_principal CHECK ((idempotency_key IS NULL) = (idempotency_principal IS NULL));
CREATE UNIQUE INDEX roll_idempotency ON roll (idempotency_principal, idempotency_key) WHERE idempotency_key IS NOT NULL;
