-- The audit log's actor filter compares people case-insensitively (security/People): Bob and
-- bob are one Keycloak user. These expression indexes keep that filter as fast as the plain
-- index on actor was.
CREATE INDEX audit_event_actor_lower ON audit_event (lower(actor));
CREATE INDEX audit_event_on_behalf_of_lower ON audit_event (lower(on_behalf_of));
