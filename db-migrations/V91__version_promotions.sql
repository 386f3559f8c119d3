-- Optimistic lock of a promotion: approve and reject racing each other cannot both win.
ALTER TABLE promotion ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
