-- Rolls: one package to one build on the hosts of one environment, in batches. Every roll and
-- host transition is written here before it is announced (roll_event, NOTIFY roll_events).
CREATE TABLE roll (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    package_name    TEXT        NOT NULL CHECK (package_name ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$'),
    environment     TEXT        NOT NULL CHECK (environment ~ '^[a-z][a-z0-9-]{0,31}$'),
    target_evr      TEXT        NOT NULL CHECK (target_evr ~ '^([0-9]{1,10}:)?[A-Za-z0-9._+~^]{1,64}-[A-Za-z0-9._+~^]{1,64}$'),
    status          TEXT        NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'WAITING', 'PAUSED',
                                                          'SUCCEEDED', 'FAILED', 'CANCELED')),
    reason          TEXT,
    -- The plan as submitted (JSON): strategy, timeouts, budgets, selection.
    plan            TEXT        NOT NULL,
    batch_count     INTEGER     NOT NULL CHECK (batch_count >= 0),
    -- The last batch started; -1 before the first.
    current_batch   INTEGER     NOT NULL DEFAULT -1 CHECK (current_batch >= -1),
    -- Set by "cancel and interrupt": running hosts are stopped too, not left to finish.
    interrupt       BOOLEAN     NOT NULL DEFAULT FALSE,
    created_by      TEXT        NOT NULL,
    idempotency_key TEXT UNIQUE CHECK (length(idempotency_key) <= 200),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    -- Which instance executes the roll, until when (heartbeat renews it).
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ
);
-- One active roll per package and environment.
CREATE UNIQUE INDEX roll_one_active ON roll (package_name, environment)
    WHERE status IN ('PENDING', 'RUNNING', 'WAITING', 'PAUSED');
CREATE INDEX roll_created ON roll (created_at DESC);

CREATE TABLE roll_host (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roll_id     BIGINT      NOT NULL REFERENCES roll (id) ON DELETE CASCADE,
    position    INTEGER     NOT NULL CHECK (position >= 0),
    batch       INTEGER     NOT NULL CHECK (batch >= 0),
    name        TEXT        NOT NULL,
    address     TEXT        NOT NULL,
    port        INTEGER     NOT NULL CHECK (port BETWEEN 1 AND 65535),
    source      TEXT        NOT NULL,
    source_id   TEXT,
    service     TEXT        NOT NULL,
    status      TEXT        NOT NULL CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'AT_TARGET', 'SKIPPED',
                                                      'FAILED', 'UNREACHABLE', 'HOST_KEY_CHANGED', 'TIMED_OUT',
                                                      'UNHEALTHY', 'CANCELED')),
    step        TEXT        NOT NULL CHECK (step IN ('QUEUED', 'CONNECT', 'CHECK', 'UPDATE', 'VERIFY', 'RESTART',
                                                    'HEALTH', 'DONE')),
    reason      TEXT,
    from_evr    TEXT,
    to_evr      TEXT,
    restarts    INTEGER     NOT NULL DEFAULT 0,
    attempts    INTEGER     NOT NULL DEFAULT 0,
    log         TEXT        NOT NULL DEFAULT '',
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    UNIQUE (roll_id, position),
    UNIQUE (roll_id, address, port)
);
CREATE INDEX roll_host_status ON roll_host (roll_id, status);

CREATE TABLE roll_event (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    roll_id    BIGINT      NOT NULL REFERENCES roll (id) ON DELETE CASCADE,
    type       TEXT        NOT NULL CHECK (type ~ '^[A-Z][A-Za-z]+$'),
    data       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX roll_event_roll ON roll_event (roll_id, id);
