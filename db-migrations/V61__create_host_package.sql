-- What each host was last seen running, per package: written by every roll's rpm -q (check and
-- verify steps) and by "check now" on the drift page. One row per host name and package; a
-- failed check keeps the last installed version and says why it could not look.
CREATE TABLE host_package (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host_name       TEXT        NOT NULL CHECK (length(host_name) BETWEEN 1 AND 253),
    environment     TEXT        NOT NULL CHECK (environment ~ '^[a-z][a-z0-9-]{0,31}$'),
    package_name    TEXT        NOT NULL CHECK (package_name ~ '^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$'),
    -- NULL with a NULL error: the package is not installed.
    installed_evr   TEXT        CHECK (installed_evr ~ '^([0-9]{1,10}:)?[A-Za-z0-9._+~^]{1,64}-[A-Za-z0-9._+~^]{1,64}$'),
    checked_at      TIMESTAMPTZ NOT NULL,
    source          TEXT        NOT NULL CHECK (source IN ('roll', 'check')),
    roll_id         BIGINT      REFERENCES roll (id) ON DELETE SET NULL,
    -- Why the last check could not read the version (unreachable, timeout); NULL when it could.
    error           TEXT        CHECK (length(error) <= 500),
    CONSTRAINT host_package_one_row UNIQUE (host_name, package_name)
);
CREATE INDEX host_package_environment ON host_package (environment, package_name);
