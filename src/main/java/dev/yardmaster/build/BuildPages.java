package dev.yardmaster.build;

import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The Builds page (filter, search, sort, paging) and a page per build. */
@Path("/builds")
@Produces(MediaType.TEXT_HTML)
public class BuildPages {

    static final int PAGE_SIZE = 50;
    static final int REJECTED_PAGE_SIZE = 100;

    /** A row of the list: the build and where it is live. */
    public record Row(Build build, List<String> liveIn) {
    }

    /**
     * The filter as typed, to show it back and build links; {@code next} is the cursor of the
     * next page (the last build id shown), null on the last page.
     */
    public record Filter(String packageName, String q, String sort, boolean first, String next) {
        public String link(String after) {
            return "/builds?package=" + enc(packageName) + "&q=" + enc(q) + "&sort=" + enc(sort)
                    + (after == null ? "" : "&after=" + enc(after));
        }

        public String firstLink() {
            return link(null);
        }

        private static String enc(String v) {
            return v == null ? "" : URLEncoder.encode(v, StandardCharsets.UTF_8);
        }
    }

    /** A page of rejected files, their total and the next page's cursor (the last name shown). */
    public record Rejections(List<RejectedFile> files, long total, String next) {
        public String link() {
            return "/builds?rejected-after=" + URLEncoder.encode(next, StandardCharsets.UTF_8) + "#rejected";
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(Filter filter, List<Row> rows, List<BuildResource.PackageView> packages,
                Rejections rejected, BuildCatalog.ScanResult lastScan, boolean configured);

        static native TemplateInstance build(Build build, List<String> liveIn);
    }

    private final BuildQueries queries;
    private final BuildCatalog catalog;
    private final Flash flash;

    BuildPages(BuildQueries queries, BuildCatalog catalog, Flash flash) {
        this.queries = queries;
        this.catalog = catalog;
        this.flash = flash;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance list(@QueryParam("package") String packageName, @QueryParam("q") String q,
            @QueryParam("sort") @DefaultValue("time") String sort, @QueryParam("after") Long after,
            @QueryParam("rejected-after") String rejectedAfter) {
        BuildQueries.Order order = "version".equals(sort) ? BuildQueries.Order.version : BuildQueries.Order.time;
        BuildQueries.Slice<Build> page = queries.sorted(packageName, q, order, after, PAGE_SIZE);
        Map<Long, List<String>> live = queries.liveIn(page.items());
        List<Row> rows = page.items().stream().map(b -> new Row(b, live.getOrDefault(b.id, List.of()))).toList();
        if (rejectedAfter != null && (rejectedAfter.length() > 255 || rejectedAfter.chars().anyMatch(Character::isISOControl))) {
            throw YardmasterException.badRequest("invalid-cursor", "rejected-after must be at most 255 characters.");
        }
        BuildQueries.Slice<RejectedFile> rejected = queries.rejected(rejectedAfter, REJECTED_PAGE_SIZE);
        // The package filter offers the first page of packages; any other is still reachable by URL.
        return Templates.list(new Filter(packageName, q, order.name(), after == null, page.next()), rows,
                queries.packages(null, BuildResource.MAX_PACKAGES).items(),
                new Rejections(rejected.items(), rejected.items().isEmpty() ? 0 : queries.rejectedCount(), rejected.next()),
                catalog.lastScan().orElse(null), catalog.isConfigured());
    }

    @GET
    @Path("/{id:[0-9]+}")
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance build(@PathParam("id") long id) {
        Build build = Build.findById(id);
        if (build == null) {
            throw YardmasterException.notFound("build", "There is no build " + id + ".");
        }
        return Templates.build(build, queries.liveIn(List.of(build)).getOrDefault(build.id, List.of()));
    }

    @POST
    @Path("/rescan")
    @RolesAllowed(Roles.DEPLOYER)
    public Response rescan() {
        BuildCatalog.ScanResult result = catalog.scanNow(Duration.ofMinutes(5));
        if (!result.ran()) {
            return flash.redirectWithError("/builds", "The scan did not run: " + result.error());
        }
        return flash.redirect("/builds", "Scanned build/ in " + result.millis() + " ms: " + result.indexed() + " new or changed, "
                + result.rejected() + " rejected, " + result.missing() + " gone.");
    }
}
