-- Every RPM found in the repo server's build/ directory, read from its header. Rows are never
-- deleted: a file that disappears is marked missing, because promotions keep pointing at it.
CREATE TABLE build (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name       TEXT        NOT NULL UNIQUE,
    package         TEXT        NOT NULL,
    epoch           INTEGER     CHECK (epoch IS NULL OR epoch >= 0),
    version         TEXT        NOT NULL,
    release         TEXT        NOT NULL,
    arch            TEXT        NOT NULL,
    nevra           TEXT        NOT NULL,
    summary         TEXT,
    build_time      TIMESTAMPTZ,
    build_host      TEXT,
    license         TEXT,
    file_size       BIGINT      NOT NULL CHECK (file_size >= 0),
    sha256          TEXT        CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    source_rpm      TEXT,
    vcs             TEXT,
    changelog_text  TEXT,
    changelog_author TEXT,
    changelog_time  TIMESTAMPTZ,
    commit_author   TEXT,
    commit_reviewer TEXT,
    commit_message  TEXT,
    unreviewed      BOOLEAN     NOT NULL DEFAULT TRUE,
    file_mtime      TIMESTAMPTZ NOT NULL,
    state           TEXT        NOT NULL DEFAULT 'present' CHECK (state IN ('present', 'missing')),
    first_seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX build_package ON build (package);
CREATE UNIQUE INDEX build_nevra_present ON build (nevra) WHERE state = 'present';
