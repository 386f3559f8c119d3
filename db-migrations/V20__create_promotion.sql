-- A request to make a build installable in an environment, and what became of it.
-- History of a package in an environment = its applied and superseded promotions in order.
CREATE TABLE promotion (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    build_id        BIGINT      NOT NULL REFERENCES build (id),
    environment_id  BIGINT      NOT NULL REFERENCES environment (id),
    package         TEXT        NOT NULL,
    state           TEXT        NOT NULL CHECK (state IN
                        ('requested', 'approved', 'applied', 'failed', 'rejected', 'expired', 'superseded')),
    reason          TEXT        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    forced          BOOLEAN     NOT NULL DEFAULT FALSE,
    rollback_of     BIGINT      REFERENCES promotion (id),
    requested_by    TEXT        NOT NULL,
    on_behalf_of    TEXT,
    client_id       TEXT,
    requested_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ,
    decided_by      TEXT,
    decided_at      TIMESTAMPTZ,
    decision_note   TEXT,
    applied_at      TIMESTAMPTZ,
    superseded_at   TIMESTAMPTZ,
    superseded_by   BIGINT      REFERENCES promotion (id),
    failure         TEXT,
    idempotency_key TEXT,
    CONSTRAINT promotion_applied_has_time CHECK (state NOT IN ('applied', 'superseded') OR applied_at IS NOT NULL),
    CONSTRAINT promotion_decider_is_not_requester CHECK (decided_by IS NULL OR state = 'expired'
        OR decided_by <> requested_by OR state = 'failed')
);

-- Exactly one live build per package and environment.
CREATE UNIQUE INDEX promotion_live ON promotion (environment_id, package) WHERE state = 'applied';
-- At most one open request per build and environment.
CREATE UNIQUE INDEX promotion_open ON promotion (environment_id, build_id) WHERE state IN ('requested', 'approved');
CREATE UNIQUE INDEX promotion_idempotency ON promotion (requested_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX promotion_history ON promotion (environment_id, package, applied_at);
CREATE INDEX promotion_build ON promotion (build_id);
