-- Why the audit page showed ids 2, 4, 6, ... while verify counted 74 events: id was an
-- identity column, so every INSERT drew one value for the column's default before the BEFORE
-- trigger ran, and audit_event_chain drew a second one (nextval under its lock, so that id
-- order is chain order). Each event used two values and kept the second.
--
-- Existing ids stay as they are: they are part of every row's hash, and renumbering would
-- break the chain. From now on only the trigger draws an id. Sequences never roll back, so an
-- id can still be lost to a transaction that rolled back; the new column seq is the event's
-- number in the log (1, 2, 3, ...) without gaps, assigned under the same lock from the
-- previous row's. The page shows seq; ids remain the permalinks. seq is outside the hash, so
-- the verifier checks that it counts up by one and a signed checkpoint carries it as count.
ALTER TABLE audit_event ALTER COLUMN id DROP IDENTITY;
CREATE SEQUENCE audit_event_id_seq OWNED BY audit_event.id;
SELECT setval('audit_event_id_seq', coalesce(max(id), 0) + 1, false) FROM audit_event;

ALTER TABLE audit_event ADD COLUMN seq BIGINT;
ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete;
UPDATE audit_event e SET seq = n.seq
FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM audit_event) n
WHERE e.id = n.id;
ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete;
ALTER TABLE audit_event ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_event ADD CONSTRAINT audit_event_seq_unique UNIQUE (seq);

CREATE OR REPLACE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_hash TEXT;
    last_seq BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('yardmaster.audit_event'));
    -- The id is drawn under the lock, so id order is chain order.
    NEW.id := nextval('audit_event_id_seq');
    SELECT hash, seq INTO last_hash, last_seq FROM audit_event ORDER BY id DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.hash := audit_event_digest(NEW, NEW.prev_hash);
    RETURN NEW;
END;
$$;

-- The sequence was created after V75's grants; the runtime role draws from it in the trigger.
DO $$
BEGIN
    IF '${runtime_role}' <> current_user THEN
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE audit_event_id_seq TO %I', '${runtime_role}');
    END IF;
END;
$$;
