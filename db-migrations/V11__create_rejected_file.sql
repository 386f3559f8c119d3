-- Files in build/ that could not be indexed, and why. A row disappears when the file is
-- fixed or removed; it never blocks the other builds of a scan.
CREATE TABLE rejected_file (
    file_name     TEXT        PRIMARY KEY,
    reason        TEXT        NOT NULL,
    file_size     BIGINT,
    file_mtime    TIMESTAMPTZ,
    first_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
