-- Outbound webhooks: one row per (audit event, endpoint) to deliver. Rows are written in the
-- transaction that records the audit event (an outbox), so a notification is never sent for
-- a change that rolled back and never lost for one that committed. Any replica may deliver;
-- FOR UPDATE SKIP LOCKED keeps two from sending the same row at once.
CREATE TABLE webhook_delivery (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint        TEXT        NOT NULL,
    audit_event_id  BIGINT      NOT NULL REFERENCES audit_event (id),
    event_type      TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    UNIQUE (endpoint, audit_event_id)
);

CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
