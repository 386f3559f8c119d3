-- Flood control for refusals (issue #16): per principal and minute, the first
-- yardmaster.audit.refusals-per-minute refusals are audited one by one; the rest only count
-- here, and one request.refused.summary event per principal and minute reports them (webhooks
-- get that summary, not the flood). Any replica counts, so the limit holds across replicas;
-- whichever replica claims a finished minute writes its summary.
CREATE TABLE audit_refusal_window (
    principal   TEXT        NOT NULL,
    minute      TIMESTAMPTZ NOT NULL,
    recorded    INTEGER     NOT NULL DEFAULT 0 CHECK (recorded >= 0),
    suppressed  INTEGER     NOT NULL DEFAULT 0 CHECK (suppressed >= 0),
    -- The first few refused requests that were only counted, as "METHOD /path" (at most 10).
    examples    TEXT[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (principal, minute)
);
