-- V62's statement triggers moved catalog_version at a transaction's first write to a build, a
-- promotion or an environment, and so held that row's lock until the commit. A promotion writes
-- the audit log too, whose chain trigger takes an advisory lock: two concurrent promotions took
-- the two locks in opposite orders and deadlocked (PromotionTest, twenty at once). The number now
-- moves at commit, by deferred row triggers, once per transaction: nothing else is locked after
-- it, and readers still see the new number and the new rows together.
DROP TRIGGER build_catalog_insert ON build;
DROP TRIGGER build_catalog_update ON build;
DROP TRIGGER build_catalog_delete ON build;
DROP TRIGGER promotion_catalog_insert ON promotion;
DROP TRIGGER promotion_catalog_update ON promotion;
DROP TRIGGER promotion_catalog_delete ON promotion;
DROP TRIGGER environment_catalog_insert ON environment;
DROP TRIGGER environment_catalog_update ON environment;
DROP TRIGGER environment_catalog_delete ON environment;
-- The TRUNCATE triggers stay (constraint triggers cannot fire on TRUNCATE); TRUNCATE takes an
-- exclusive table lock anyway.

CREATE FUNCTION catalog_version_move_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Fires for every changed row at commit; the first moves the number, the rest see the mark.
    IF current_setting('yardmaster.catalog_version_moved', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE catalog_version SET version = version + 1 WHERE id = 1;
        PERFORM set_config('yardmaster.catalog_version_moved', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER build_catalog_version AFTER INSERT OR UPDATE OR DELETE ON build
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_move_once();
CREATE CONSTRAINT TRIGGER promotion_catalog_version AFTER INSERT OR UPDATE OR DELETE ON promotion
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_move_once();
CREATE CONSTRAINT TRIGGER environment_catalog_version AFTER INSERT OR UPDATE OR DELETE ON environment
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_move_once();
