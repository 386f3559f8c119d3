package dev.yardmaster.build;

import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import dev.yardmaster.web.YardmasterException;
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

    /** A row of the list: the build and where it is live. */
    public record Row(Build build, List<String> liveIn) {
    }

    /** The filter as typed, to show it back and build links. */
    public record Filter(String packageName, String q, String sort, int page, int pages, int total) {
        public String link(int toPage) {
            return "/builds?package=" + enc(packageName) + "&q=" + enc(q) + "&sort=" + enc(sort) + "&page=" + toPage;
        }

        private static String enc(String v) {
            return v == null ? "" : URLEncoder.encode(v, StandardCharsets.UTF_8);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance list(Filter filter, List<Row> rows, List<BuildResource.PackageView> packages,
                List<RejectedFile> rejected, BuildCatalog.ScanResult lastScan, boolean configured);

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
            @QueryParam("sort") @DefaultValue("time") String sort, @QueryParam("page") @DefaultValue("1") int page) {
        String order = "version".equals(sort) ? "version" : "time";
        List<Build> all = queries.sorted(packageName, q, order);
        int pages = Math.max(1, (all.size() + PAGE_SIZE - 1) / PAGE_SIZE);
        int current = Math.min(Math.max(1, page), pages);
        List<Build> slice = all.subList((current - 1) * PAGE_SIZE, Math.min(all.size(), current * PAGE_SIZE));
        Map<Long, List<String>> live = queries.liveIn(slice);
        List<Row> rows = slice.stream().map(b -> new Row(b, live.getOrDefault(b.id, List.of()))).toList();
        return Templates.list(new Filter(packageName, q, order, current, pages, all.size()), rows, queries.packages(),
                RejectedFile.byName(), catalog.lastScan().orElse(null), catalog.isConfigured());
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
