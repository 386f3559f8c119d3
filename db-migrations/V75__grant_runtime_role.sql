-- Two database roles (issue #16, "an audit log you can prove"). Flyway migrates as the owner
-- of the schema; the console runs as the runtime role named by the placeholder runtime_role
-- (quarkus.flyway.placeholders.runtime_role, by default quarkus.datasource.username). The
-- runtime role owns nothing, so it cannot ALTER TABLE (no DISABLE TRIGGER), replace a
-- function or drop anything; on audit_event it may only SELECT and INSERT, and the triggers
-- refuse UPDATE, DELETE and TRUNCATE for everyone else.
--
-- The role itself is created outside Flyway (bin/lib/common.sh for bin/demo and bin/test, a
-- DBA or the Helm chart's documentation in production): the owner need not be allowed to
-- create roles. When both names are the same (a single-role installation from before this
-- migration) nothing is granted and the console keeps running as the owner, with a warning.
DO $$
DECLARE
    runtime TEXT := '${runtime_role}';
BEGIN
    IF runtime = current_user THEN
        RAISE WARNING 'the console runs as the schema owner %: the audit log is not protected from it', runtime;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = runtime) THEN
        RAISE EXCEPTION 'the runtime role % does not exist: CREATE ROLE % LOGIN PASSWORD ... first (README, "Running on Kubernetes")',
            runtime, runtime;
    END IF;
    -- On PostgreSQL 15 and later nobody but the owner may create in public already; older
    -- servers let every role create there.
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', runtime);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', runtime);
    -- Tables and sequences later migrations create are the runtime role's to write, too.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', runtime);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', runtime);
    -- The audit log: read and append, nothing else. Flyway's history is the owner's alone.
    EXECUTE format('REVOKE ALL ON audit_event FROM %I', runtime);
    EXECUTE format('GRANT SELECT, INSERT ON audit_event TO %I', runtime);
    IF to_regclass('flyway_schema_history') IS NOT NULL THEN
        EXECUTE format('REVOKE ALL ON flyway_schema_history FROM %I', runtime);
    END IF;
END;
$$;
