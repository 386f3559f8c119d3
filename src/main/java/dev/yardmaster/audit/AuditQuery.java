package dev.yardmaster.audit;

import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.People;
import io.quarkus.panache.common.Parameters;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A filter over the audit log, shared by the API, the page and the exports: actor (also
 * matches whom a bot acted for), action (a trailing {@code *} matches a prefix), environment,
 * package and a half-open time range. Pages walk backwards from a cursor (an event id).
 */
public record AuditQuery(String actor, String action, String environment, String packageName,
        OffsetDateTime from, OffsetDateTime to) {

    /** Parses query-string values; blank means no filter, a bad time is a 400 problem. */
    public static AuditQuery of(String actor, String action, String environment, String packageName,
            String from, String to) {
        return new AuditQuery(blankToNull(actor), blankToNull(action), blankToNull(environment),
                blankToNull(packageName), time("from", from), time("to", to));
    }

    /** Newest first, at most {@code limit} events older than {@code cursor} (null: from the newest). */
    public List<AuditEvent> newestFirst(Long cursor, int limit) {
        return page(cursor, limit, false);
    }

    /** Oldest first, at most {@code limit} events newer than {@code after}; exports walk this way. */
    public List<AuditEvent> oldestFirst(Long after, int limit) {
        return page(after, limit, true);
    }

    private List<AuditEvent> page(Long cursor, int limit, boolean ascending) {
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (actor != null) {
            // People.key: the same person whatever the case (expression indexes in V70).
            where.add("(lower(actor) = :actor or lower(onBehalfOf) = :actor)");
            params.and("actor", People.key(actor));
        }
        if (action != null && action.endsWith("*")) {
            where.add("action like :action");
            params.and("action", action.substring(0, action.length() - 1).replace("%", "\\%").replace("_", "\\_") + "%");
        } else if (action != null) {
            where.add("action = :action");
            params.and("action", action);
        }
        if (environment != null) {
            where.add("environment = :environment");
            params.and("environment", environment);
        }
        if (packageName != null) {
            where.add("packageName = :package");
            params.and("package", packageName);
        }
        if (from != null) {
            where.add("occurredAt >= :from");
            params.and("from", from);
        }
        if (to != null) {
            where.add("occurredAt < :to");
            params.and("to", to);
        }
        if (cursor != null) {
            where.add(ascending ? "id > :cursor" : "id < :cursor");
            params.and("cursor", cursor);
        }
        String query = (where.isEmpty() ? "1 = 1" : String.join(" and ", where))
                + (ascending ? " order by id asc" : " order by id desc");
        return AuditEvent.<AuditEvent>find(query, params).range(0, limit - 1).list();
    }

    /** The filter as query parameters, for links that keep it (export, next page). */
    public Map<String, String> asParameters() {
        Map<String, String> params = new LinkedHashMap<>();
        put(params, "actor", actor);
        put(params, "action", action);
        put(params, "environment", environment);
        put(params, "package", packageName);
        put(params, "from", from == null ? null : from.toString());
        put(params, "to", to == null ? null : to.toString());
        return params;
    }

    private static void put(Map<String, String> params, String key, String value) {
        if (value != null) {
            params.put(key, value);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    static OffsetDateTime time(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.strip());
        } catch (DateTimeParseException e) {
            try {
                // The page's datetime-local inputs send no offset: read them as UTC.
                return java.time.LocalDateTime.parse(value.strip()).atOffset(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                throw new YardmasterException(400, "invalid-time", "Bad request",
                        name + " must be an ISO-8601 time, e.g. 2026-11-25T08:00:00Z.", Map.of());
            }
        }
    }
}
