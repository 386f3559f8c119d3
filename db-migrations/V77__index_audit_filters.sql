-- Every filter of the audit page and API reads newest first ("... ORDER BY id DESC LIMIT 51"),
-- so each filter column gets an index that ends in id: a page is then one short index range
-- read backwards, whatever the table's size, instead of collecting every match and sorting it
-- (an action shared by 300,000 of 1,000,000 events). AuditIndexTest asks EXPLAIN for each.
-- The database's collation decides whether "action LIKE 'promotion.%'" can use a plain index;
-- text_pattern_ops can, under any collation.
CREATE INDEX audit_event_actor_id ON audit_event (actor, id);
CREATE INDEX audit_event_on_behalf_of_id ON audit_event (on_behalf_of, id) WHERE on_behalf_of IS NOT NULL;
CREATE INDEX audit_event_action_id ON audit_event (action, id);
CREATE INDEX audit_event_action_prefix ON audit_event (action text_pattern_ops);
CREATE INDEX audit_event_environment_id ON audit_event (environment, id);
CREATE INDEX audit_event_package_id ON audit_event (package, id);
DROP INDEX audit_event_actor;
DROP INDEX audit_event_action;
