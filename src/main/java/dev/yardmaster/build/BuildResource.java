package dev.yardmaster.build;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The build catalog for bots: packages, builds (cursor-paged), rejected files, rescans. */
@Path("/api")
@Tag(name = "Builds")
public class BuildResource {

    /** A build as the API shows it. */
    public record BuildView(long id, String fileName, @JsonProperty("package") String packageName, int epoch,
            String version, String release, String arch, String nevra, String summary, OffsetDateTime buildTime,
            String buildHost, String license, long fileSize, String sha256, String sourceRpm, String vcs,
            String changelog, String changelogAuthor, OffsetDateTime changelogTime, String commitAuthor,
            String commitReviewer, String commitMessage, boolean unreviewed, String state, List<String> liveIn) {
        static BuildView of(Build b, List<String> liveIn) {
            return new BuildView(b.id, b.fileName, b.packageName, b.epoch == null ? 0 : b.epoch, b.version, b.release,
                    b.arch, b.nevra, b.summary, b.buildTime, b.buildHost, b.license, b.fileSize, b.sha256, b.sourceRpm,
                    b.vcs, b.changelogText, b.changelogAuthor, b.changelogTime, b.commitAuthor, b.commitReviewer,
                    b.commitMessage, b.unreviewed, b.state.name(), liveIn);
        }
    }

    public record Page(List<BuildView> builds, Long nextCursor) {
    }

    public record PackageView(String name, long builds, String latest) {
    }

    public record RejectedView(String fileName, String reason, Long size, OffsetDateTime lastSeenAt) {
    }

    private final BuildCatalog catalog;
    private final BuildQueries queries;
    private final CurrentUser user;
    private final AuditLog audit;
    private final CatalogCache cache;

    BuildResource(BuildCatalog catalog, BuildQueries queries, CurrentUser user, AuditLog audit, CatalogCache cache) {
        this.catalog = catalog;
        this.cache = cache;
        this.queries = queries;
        this.user = user;
        this.audit = audit;
    }

    @GET
    @Path("/packages")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Packages that have builds, with their newest version",
            description = "By name, at most limit per page; a Link header with rel=\"next\" names the next page (after=<last name>).")
    @APIResponse(responseCode = "200", description = "Packages by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = PackageView.class)))
    public Response packages(@QueryParam("after") String after, @QueryParam("limit") @DefaultValue("1000") int limit,
            @Context Request request, @Context UriInfo uri) {
        checkLimit(limit, MAX_PACKAGES);
        checkName("after", after);
        String key = "packages" + keyPart(after) + keyPart(limit);
        return cache.answerPage(key, request, () -> queries.packages(after, limit),
                next -> uri.getRequestUriBuilder().replaceQueryParam("after", next).build());
    }

    /** The most packages or rejected files one page holds. */
    static final int MAX_PACKAGES = 1000;

    private static void checkLimit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw YardmasterException.badRequest("invalid-limit", "limit must be between 1 and " + max + ".");
        }
    }

    private static void checkName(String param, String value) {
        if (value != null && (value.length() > 255 || value.chars().anyMatch(Character::isISOControl))) {
            throw YardmasterException.badRequest("invalid-cursor",
                    param + " must be at most 255 characters, without control characters.");
        }
    }

    @GET
    @Path("/builds")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Builds, newest first", description = "Filter by package and free text (file name, version, commit line, author, reviewer); page with nextCursor. The order (id descending) is stable while new builds arrive.")
    @APIResponse(responseCode = "200", description = "A page of builds; nextCursor is null on the last page",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Page.class)))
    public Response builds(@QueryParam("package") String packageName, @QueryParam("q") String q,
            @QueryParam("cursor") Long cursor, @QueryParam("limit") @DefaultValue("50") int limit, @Context Request request) {
        checkLimit(limit, 500);
        // Answers are the same for every reader, so they are shared (see CatalogCache).
        String key = "builds" + keyPart(packageName) + keyPart(q) + keyPart(cursor) + keyPart(limit);
        return cache.answer(key, request, () -> page(packageName, q, cursor, limit));
    }

    /**
     * A parameter in a cache key, length-prefixed so that no two queries meet: not an absent
     * parameter and the text "null", nor text that holds the separator.
     */
    private static String keyPart(Object value) {
        if (value == null) {
            return "|-";
        }
        String text = value.toString();
        return "|" + text.length() + ":" + text;
    }

    private Page page(String packageName, String q, Long cursor, int limit) {
        List<Build> builds = queries.newestFirst(packageName, q, cursor, limit + 1);
        boolean more = builds.size() > limit;
        List<Build> page = more ? builds.subList(0, limit) : builds;
        var live = queries.liveIn(page);
        return new Page(page.stream().map(b -> BuildView.of(b, live.getOrDefault(b.id, List.of()))).toList(),
                more ? page.get(page.size() - 1).id : null);
    }

    @GET
    @Path("/builds/{id:[0-9]+}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One build with every header field")
    public BuildView build(@PathParam("id") long id) {
        Build build = Build.findById(id);
        if (build == null) {
            throw YardmasterException.notFound("build", "There is no build " + id + ".");
        }
        return BuildView.of(build, queries.liveIn(List.of(build)).getOrDefault(build.id, List.of()));
    }

    @GET
    @Path("/builds/rejected")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Files in build/ that could not be indexed, and why",
            description = "By name, at most limit per page; a Link header with rel=\"next\" names the next page (after=<last name>).")
    @APIResponse(responseCode = "200", description = "Rejected files by name",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(type = SchemaType.ARRAY, implementation = RejectedView.class)))
    public Response rejected(@QueryParam("after") String after, @QueryParam("limit") @DefaultValue("1000") int limit,
            @Context UriInfo uri) {
        checkLimit(limit, MAX_PACKAGES);
        checkName("after", after);
        BuildQueries.Slice<RejectedFile> page = queries.rejected(after, limit);
        Response.ResponseBuilder ok = Response.ok(page.items().stream()
                .map(r -> new RejectedView(r.fileName, r.reason, r.fileSize, r.lastSeenAt)).toList(), MediaType.APPLICATION_JSON_TYPE);
        if (page.next() != null) {
            ok.link(uri.getRequestUriBuilder().replaceQueryParam("after", page.next()).build(), "next");
        }
        return ok.build();
    }

    @POST
    @Path("/builds/rescan")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Scan build/ now and wait for the result", description = "Requests that arrive during a scan share the next one.")
    public BuildCatalog.ScanResult rescan() {
        BuildCatalog.ScanResult result = catalog.scanNow(Duration.ofMinutes(5));
        if (!result.ran() && result.error() != null && result.error().contains("not configured")) {
            throw new YardmasterException(503, "repo-not-configured", "Service unavailable",
                    "No repo server is configured (yardmaster.repo.path).", java.util.Map.of());
        }
        return result;
    }
}
