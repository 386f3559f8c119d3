-- One number that changes whenever anything the catalog API shows changes: builds, promotions
-- (where each build is live) and environments (their names and order). Each replica caches the
-- catalog's serialized answers under this number and checks it, one primary-key read, per
-- request; writes from any replica, or by hand in psql, move it in the same transaction.
CREATE TABLE catalog_version (
    id      SMALLINT PRIMARY KEY CHECK (id = 1),
    version BIGINT   NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 1);

-- Statement triggers with transition tables: a scan that writes 5,000 builds moves the number
-- once, and a statement that changed no row (an unchanged rescan) does not move it.
CREATE FUNCTION catalog_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' OR EXISTS (SELECT 1 FROM changed) THEN
        UPDATE catalog_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER build_catalog_insert AFTER INSERT ON build REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER build_catalog_update AFTER UPDATE ON build REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER build_catalog_delete AFTER DELETE ON build REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER build_catalog_truncate AFTER TRUNCATE ON build
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();

CREATE TRIGGER promotion_catalog_insert AFTER INSERT ON promotion REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER promotion_catalog_update AFTER UPDATE ON promotion REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER promotion_catalog_delete AFTER DELETE ON promotion REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER promotion_catalog_truncate AFTER TRUNCATE ON promotion
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();

CREATE TRIGGER environment_catalog_insert AFTER INSERT ON environment REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER environment_catalog_update AFTER UPDATE ON environment REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER environment_catalog_delete AFTER DELETE ON environment REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
CREATE TRIGGER environment_catalog_truncate AFTER TRUNCATE ON environment
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump();
