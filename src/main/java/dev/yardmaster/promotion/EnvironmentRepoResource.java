package dev.yardmaster.promotion;

import dev.yardmaster.environment.AlsoServed;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What an environment's directory on the repo server serves as Yardmaster last read it, and
 * the changes made there outside the console. Its own root resource for the same reason as
 * {@link EnvironmentPackagesResource}.
 */
@Path("/api/environments/{env}/repo")
@Tag(name = "Environments")
public class EnvironmentRepoResource {

    /** One RPM in the directory: {@code target} is the build/ file a link points to (null for a plain file). */
    public record ServedFile(String file, String kind, String target, Long buildId, String nevra) {
    }

    /** The directory as last read: its files, and per package the live build and the others served. */
    public record RepoView(String environment, OffsetDateTime readAt, OffsetDateTime changedAt, String repomdSha256,
            List<ServedFile> files, Map<String, List<AlsoServed.Build>> alsoServed, List<RepoChangeView> unacknowledged) {
    }

    /** A change found in the directory that no promotion made. */
    public record RepoChangeView(long id, String environment, OffsetDateTime detectedAt, String summary,
            Map<String, Object> before, Map<String, Object> after, String acknowledgedBy, OffsetDateTime acknowledgedAt) {
        static RepoChangeView of(RepoChange c) {
            return new RepoChangeView(c.id, c.environment.name, c.detectedAt, c.summary, c.before, c.after, c.acknowledgedBy,
                    c.acknowledgedAt);
        }
    }

    /** Body of the acknowledge call (for a bot acting for a person). */
    public record Acknowledgement(String onBehalfOf) {
    }

    private final Environments environments;
    private final RepoChanges changes;
    private final CurrentUser user;

    EnvironmentRepoResource(Environments environments, RepoChanges changes, CurrentUser user) {
        this.environments = environments;
        this.changes = changes;
        this.user = user;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(summary = "What the environment's directory on the repo server serves, as last read")
    @SuppressWarnings("unchecked")
    public RepoView get(@PathParam("env") String name) {
        Environment env = environments.require(name);
        List<Object[]> state = Environment.getEntityManager().createNativeQuery(
                "SELECT observed_at, changed_at, repomd_sha256 FROM environment_repo WHERE environment_id = :env")
                .setParameter("env", env.id).getResultList();
        List<Object[]> rows = Environment.getEntityManager().createNativeQuery("""
                SELECT s.file_name, s.kind, s.target, b.id, b.nevra FROM environment_served s LEFT JOIN build b ON b.id = s.build_id
                 WHERE s.environment_id = :env ORDER BY s.file_name""").setParameter("env", env.id).getResultList();
        List<ServedFile> files = rows.stream().map(r -> new ServedFile((String) r[0], (String) r[1], (String) r[2],
                r[3] == null ? null : ((Number) r[3]).longValue(), (String) r[4])).toList();
        Object[] s = state.isEmpty() ? new Object[3] : state.get(0);
        return new RepoView(env.name, offset(s[0]), offset(s[1]), (String) s[2], files, AlsoServed.in(env),
                RepoChange.unacknowledged(env).stream().map(RepoChangeView::of).toList());
    }

    @GET
    @Path("/changes")
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(summary = "Changes made to the directory outside Yardmaster, newest first")
    public List<RepoChangeView> changes(@PathParam("env") String name, @QueryParam("open") boolean open) {
        Environment env = environments.require(name);
        return (open ? RepoChange.unacknowledged(env) : RepoChange.of(env, 100)).stream().map(RepoChangeView::of).toList();
    }

    @POST
    @Path("/changes/{id:[0-9]+}/acknowledge")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Acknowledge a change made outside Yardmaster",
            description = "Needs the role that may promote into the environment (release-manager for protected ones); audited.")
    public RepoChangeView acknowledge(@PathParam("env") String name, @PathParam("id") long id, Acknowledgement body) {
        return RepoChangeView.of(changes.acknowledge(user, user.actor(body == null ? null : body.onBehalfOf()), name, id));
    }

    private static OffsetDateTime offset(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return odt;
        }
        if (value instanceof java.time.Instant instant) {
            return instant.atOffset(java.time.ZoneOffset.UTC);
        }
        if (value instanceof java.sql.Timestamp ts) {
            return ts.toInstant().atOffset(java.time.ZoneOffset.UTC);
        }
        return null;
    }
}
