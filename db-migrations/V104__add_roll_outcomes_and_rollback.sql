-- Honest outcomes: a roll that got through its hosts but left some of them off the target (failed,
-- unreachable; skipped hosts aside) ends SUCCEEDED_WITH_FAILURES, never SUCCEEDED.
ALTER TABLE roll DROP CONSTRAINT roll_status_check;
ALTER TABLE roll ADD CONSTRAINT roll_status_check CHECK (status IN ('PENDING', 'RUNNING', 'WAITING', 'PAUSED',
    'SUCCEEDED', 'SUCCEEDED_WITH_FAILURES', 'FAILED', 'CANCELED'));

-- Automatic rollback. on_failure: what a halted roll does (halt, or rollback: re-promote the
-- environment's previous build and roll the touched hosts back). rollback_of: the halted roll a
-- rollback roll undoes (at most one rollback per roll; a rollback is never rolled back).
-- rollback_due: set with the halt, in its transaction, and cleared when the rollback roll exists
-- or could not be started, so a console killed in between starts it after the restart.
ALTER TABLE roll ADD COLUMN on_failure TEXT NOT NULL DEFAULT 'halt' CHECK (on_failure IN ('halt', 'rollback'));
ALTER TABLE roll ADD COLUMN rollback_of BIGINT REFERENCES roll (id);
ALTER TABLE roll ADD COLUMN rollback_due BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE roll ADD CONSTRAINT roll_rollback_halts CHECK (rollback_of IS NULL OR on_failure = 'halt');
CREATE UNIQUE INDEX roll_one_rollback ON roll (rollback_of) WHERE rollback_of IS NOT NULL;
CREATE INDEX roll_rollback_due ON roll (id) WHERE rollback_due;

-- A host of a rollback roll goes back to the build it ran before the failed roll touched it
-- (that roll's from_evr): its own target, instead of the roll's.
ALTER TABLE roll_host ADD COLUMN target_evr TEXT
    CHECK (target_evr ~ '^([0-9]{1,10}:)?[A-Za-z0-9._+~^]{1,64}-[A-Za-z0-9._+~^]{1,64}$');
