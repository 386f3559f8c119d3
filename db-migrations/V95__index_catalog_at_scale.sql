-- The catalog at 100,000+ builds (issue 20): search served by trigram indexes, builds sorted by
-- rpm version in the database, and one row per package with its count and newest build, so
-- /api/packages reads a few hundred rows instead of every build.

-- pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it, no
-- superuser needed. Debian ships it in postgresql-15's contrib.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Evr.sortKey(): bytes whose order is rpm's version order, never empty once written. Written by
-- the catalog and the Build entity; rows from before this migration (or inserted by hand) have
-- the empty default until the next scan fills it in.
ALTER TABLE build ADD COLUMN evr_key BYTEA NOT NULL DEFAULT '\x';
CREATE INDEX build_evr_key_unset ON build (id) WHERE evr_key = '\x';

-- The list pages' keyset orders over present builds: newest first (id), by build time, and by
-- package then highest version.
CREATE INDEX build_present_id ON build (id DESC) WHERE state = 'present';
CREATE INDEX build_present_time ON build ((coalesce(build_time, '-infinity'::timestamptz)) DESC, id DESC)
    WHERE state = 'present';
CREATE INDEX build_present_version ON build (package, evr_key DESC, id DESC) WHERE state = 'present';

-- Search (q=): substrings of the file name and the commit line, exact initials. The API's
-- query uses these very expressions.
CREATE INDEX build_file_name_trgm ON build USING gin (lower(file_name) gin_trgm_ops);
CREATE INDEX build_commit_message_trgm ON build USING gin (lower(commit_message) gin_trgm_ops);
CREATE INDEX build_commit_author_lower ON build (lower(commit_author));
CREATE INDEX build_commit_reviewer_lower ON build (lower(commit_reviewer));

-- Rejected files are listed by name (the primary key) and cleaned up by scans; nothing more.

-- One row per package with present builds. Kept by statement triggers on build (below), so
-- every writer (the scan, another replica, a person in psql) keeps it right without knowing.
-- The reference is checked at commit: a statement that removes a package's newest build points
-- the row at the next one in the same statement's trigger.
CREATE TABLE package_summary (
    package         TEXT    PRIMARY KEY,
    builds          INTEGER NOT NULL CHECK (builds > 0),
    latest_build_id BIGINT  NOT NULL REFERENCES build (id) DEFERRABLE INITIALLY DEFERRED
);

-- Counts move by what a statement changed (present rows added minus present rows removed), so
-- a scan writing 200 builds of a package that has 100,000 touches 200 rows, not 100,000; the
-- newest build is the first entry of build_present_version. The count is taken in full only
-- for a package that has no row yet. A concurrent writer's UPDATE waits for the row and adds
-- its delta to the committed count, so two replicas' statements do not lose one another.
CREATE FUNCTION package_summary_apply(packages TEXT[], deltas INTEGER[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT package, sum(n)::integer AS n FROM unnest(packages, deltas) AS u(package, n) GROUP BY package
    )
    UPDATE package_summary s SET builds = greatest(1, s.builds + d.n), latest_build_id = l.id
    FROM delta d CROSS JOIN LATERAL (
        SELECT b.id FROM build b WHERE b.package = d.package AND b.state = 'present'
        ORDER BY b.evr_key DESC, b.id DESC LIMIT 1
    ) l
    WHERE s.package = d.package;

    INSERT INTO package_summary AS s (package, builds, latest_build_id)
    SELECT p.package, (SELECT count(*) FROM build b WHERE b.package = p.package AND b.state = 'present'), l.id
    FROM (SELECT DISTINCT package FROM unnest(packages) AS u(package)) p
    CROSS JOIN LATERAL (
        SELECT b.id FROM build b WHERE b.package = p.package AND b.state = 'present'
        ORDER BY b.evr_key DESC, b.id DESC LIMIT 1
    ) l
    WHERE NOT EXISTS (SELECT 1 FROM package_summary x WHERE x.package = p.package)
    ON CONFLICT (package) DO UPDATE SET builds = excluded.builds, latest_build_id = excluded.latest_build_id;

    DELETE FROM package_summary s
    WHERE s.package = ANY (packages)
      AND NOT EXISTS (SELECT 1 FROM build b WHERE b.package = s.package AND b.state = 'present');
END
$$;

CREATE FUNCTION package_summary_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM package_summary_apply(array_agg(package), array_agg(n))
    FROM (SELECT package, count(*)::integer AS n FROM new_rows WHERE state = 'present' GROUP BY package) t
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION package_summary_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Every package the statement touched is looked at again (a re-read file may have a new
    -- version), with a delta of zero when no row changed state.
    PERFORM package_summary_apply(array_agg(package), array_agg(n))
    FROM (SELECT package, sum(n)::integer AS n FROM (
            SELECT package, CASE WHEN state = 'present' THEN 1 ELSE 0 END AS n FROM new_rows
            UNION ALL
            SELECT package, CASE WHEN state = 'present' THEN -1 ELSE 0 END FROM old_rows) u
        GROUP BY package) t
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE FUNCTION package_summary_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM package_summary_apply(array_agg(package), array_agg(n))
    FROM (SELECT package, -count(*)::integer AS n FROM old_rows WHERE state = 'present' GROUP BY package) t
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER build_package_summary_insert AFTER INSERT ON build REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION package_summary_after_insert();
CREATE TRIGGER build_package_summary_update AFTER UPDATE ON build REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION package_summary_after_update();
CREATE TRIGGER build_package_summary_delete AFTER DELETE ON build REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION package_summary_after_delete();

INSERT INTO package_summary (package, builds, latest_build_id)
SELECT DISTINCT ON (package) package, count(*) OVER (PARTITION BY package), id
FROM build WHERE state = 'present'
ORDER BY package, evr_key DESC, id DESC;
