package dev.yardmaster.audit;

import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The audit log for people: filters, a permalink per event, exports of what is filtered. */
@Path("/audit")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class AuditPages {

    static final int PAGE_SIZE = 50;

    /** What the filter form shows back, as typed. */
    public record Filter(String actor, String action, String environment, String packageName, String from,
            String to) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(Filter filter, List<AuditEvent> events, String nextPage,
                String exportQuery, List<String> environments, List<String> actions);

        static native TemplateInstance event(AuditEvent event, String detailsJson);

        static native TemplateInstance verify(AuditLog.Verification result);
    }

    private final com.fasterxml.jackson.databind.ObjectMapper json;
    private final AuditLog auditLog;
    private final HeavyReads heavyReads;
    private final CurrentUser currentUser;

    AuditPages(com.fasterxml.jackson.databind.ObjectMapper json, AuditLog auditLog, HeavyReads heavyReads,
            CurrentUser currentUser) {
        this.json = json;
        this.auditLog = auditLog;
        this.heavyReads = heavyReads;
        this.currentUser = currentUser;
    }

    /** Walks the chain on request (not on every page view); {@code full} re-hashes every event. */
    @GET
    @Path("/verify")
    public TemplateInstance verify(@QueryParam("full") boolean full) {
        heavyReads.admit(currentUser.name()).ifPresent(wait -> {
            throw new YardmasterException(429, "too-many-heavy-reads", "Too many requests",
                    "Verify reads the whole log: try again in " + wait.toSeconds() + " s.", Map.of());
        });
        return Templates.verify(auditLog.verify(full));
    }

    @GET
    public TemplateInstance list(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") Long cursor) {
        AuditQuery query = AuditQuery.of(actor, action, environment, packageName, from, to);
        List<AuditEvent> events = query.newestFirst(cursor, PAGE_SIZE + 1);
        String nextPage = null;
        if (events.size() > PAGE_SIZE) {
            events = events.subList(0, PAGE_SIZE);
            Map<String, String> params = new LinkedHashMap<>(query.asParameters());
            params.put("cursor", events.get(events.size() - 1).id.toString());
            nextPage = "/audit?" + encode(params);
        }
        // Read from the table rather than through the environment package, which sits above the
        // audit log (it writes to it); the audit log's pages need only the names.
        @SuppressWarnings("unchecked")
        List<String> environments = AuditEvent.getEntityManager().createNativeQuery(
                "SELECT name FROM environment WHERE NOT retired ORDER BY position").getResultList();
        // A skip scan over the (action, id) index: one probe per distinct action, where
        // "select distinct action" read every row of a large log.
        @SuppressWarnings("unchecked")
        List<String> actions = AuditEvent.getEntityManager().createNativeQuery("""
                WITH RECURSIVE a(action) AS (
                    (SELECT action FROM audit_event ORDER BY action LIMIT 1)
                    UNION ALL
                    SELECT (SELECT e.action FROM audit_event e WHERE e.action > a.action ORDER BY e.action LIMIT 1)
                    FROM a WHERE a.action IS NOT NULL)
                SELECT action FROM a WHERE action IS NOT NULL LIMIT 200""").getResultList();
        return Templates.list(new Filter(actor, action, environment, packageName, from, to), events, nextPage,
                encode(query.asParameters()), environments, actions);
    }

    @GET
    @Path("/{id:[0-9]+}")
    public TemplateInstance event(@PathParam("id") long id) throws Exception {
        AuditEvent event = AuditEvent.findById(id);
        if (event == null) {
            throw YardmasterException.notFound("audit-event", "There is no audit event " + id + ".");
        }
        return Templates.event(event, json.writerWithDefaultPrettyPrinter().writeValueAsString(event.details));
    }

    static String encode(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
