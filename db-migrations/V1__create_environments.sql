-- Environments in lifecycle order. The configured list (yardmaster.environments) is
-- synchronised into this table at start; an environment dropped from the configuration is
-- retired, never deleted, because promotions and audit events keep referring to it.
CREATE TABLE environment (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9-]{0,31}$'),
    position    INTEGER     NOT NULL CHECK (position >= 0),
    retired     BOOLEAN     NOT NULL DEFAULT FALSE,
    -- A per-environment lock ("deploys locked by bob: incident 42") refuses promotions and rolls.
    locked_by   TEXT,
    lock_reason TEXT,
    locked_at   TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT environment_lock_complete CHECK ((locked_by IS NULL) = (locked_at IS NULL))
);

INSERT INTO environment (name, position) VALUES ('review', 0), ('staging', 1), ('prod', 2);
