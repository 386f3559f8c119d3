-- What each environment directory on the repo server serves, as Yardmaster last saw it, and
-- the changes it found there that no promotion of its own made (issue 18).

-- How a live build came to be recorded: promoted through the console, found in the directory
-- when Yardmaster first read it ('adopted'), or followed after someone changed the directory
-- by hand ('outside'). The latter two have no promoter: requested_by is the system.
ALTER TABLE promotion ADD COLUMN origin TEXT NOT NULL DEFAULT 'console'
    CHECK (origin IN ('console', 'adopted', 'outside'));

-- One row per environment directory once Yardmaster has read it; its absence means "never
-- read", which is what decides adoption. The primary key is also what keeps two replicas
-- from adopting the same directory twice.
CREATE TABLE environment_repo (
    environment_id  BIGINT      PRIMARY KEY REFERENCES environment (id),
    -- sha256 of repodata/repomd.xml; NULL when the directory has no metadata.
    repomd_sha256   TEXT        CHECK (repomd_sha256 ~ '^[0-9a-f]{64}$'),
    observed_at     TIMESTAMPTZ NOT NULL,
    changed_at      TIMESTAMPTZ NOT NULL
);

-- The RPMs an environment directory holds: symlinks (target = the build/ file they point to,
-- or the link text when it points elsewhere) and plain files (target NULL).
CREATE TABLE environment_served (
    environment_id  BIGINT NOT NULL REFERENCES environment_repo (environment_id),
    file_name       TEXT   NOT NULL,
    kind            TEXT   NOT NULL CHECK (kind IN ('link', 'file')),
    target          TEXT,
    build_id        BIGINT REFERENCES build (id),
    PRIMARY KEY (environment_id, file_name),
    CONSTRAINT environment_served_link_has_target CHECK (kind = 'file' OR target IS NOT NULL)
);
CREATE INDEX environment_served_build ON environment_served (build_id);

-- A difference between what a directory served and what Yardmaster had recorded, found on a
-- scan or by the directory watch. Shown on the environment and drift pages until someone who
-- may promote into the environment acknowledges it.
CREATE TABLE repo_change (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    environment_id   BIGINT      NOT NULL REFERENCES environment (id),
    detected_at      TIMESTAMPTZ NOT NULL,
    summary          TEXT        NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
    before           JSONB       NOT NULL,
    after            JSONB       NOT NULL,
    acknowledged_by  TEXT,
    acknowledged_at  TIMESTAMPTZ,
    CONSTRAINT repo_change_acknowledged_complete CHECK ((acknowledged_by IS NULL) = (acknowledged_at IS NULL))
);
CREATE INDEX repo_change_open ON repo_change (environment_id) WHERE acknowledged_at IS NULL;

-- Adopted and followed builds change what the catalog API shows (where each build is live),
-- so they move catalog_version like promotions do (V63).
CREATE CONSTRAINT TRIGGER environment_served_catalog_version AFTER INSERT OR UPDATE OR DELETE ON environment_served
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_move_once();
