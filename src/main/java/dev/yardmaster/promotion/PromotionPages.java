package dev.yardmaster.promotion;

import dev.yardmaster.build.Build;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.AlsoServed;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Environment pages, the promote form, and the approval inbox (the dashboard is console/DashboardPages). */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class PromotionPages {

    /**
     * An environment with what is live in it, the other builds its directory serves, and the
     * changes made to that directory outside Yardmaster that nobody acknowledged yet.
     */
    public record EnvironmentCard(Environment environment, boolean isProtected, boolean mayChange, List<Promotion> live,
            Map<String, List<AlsoServed.Build>> alsoServed, List<RepoChange> changes) {

        /** The package's other served builds, newest first. */
        public List<AlsoServed.Build> alsoServedOf(String packageName) {
            return alsoServed.getOrDefault(packageName, List.of());
        }
    }

    /** A package in an environment with its history, newest first. */
    public record PackageHistory(String packageName, List<Promotion> history) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance environments(List<EnvironmentCard> cards, List<Promotion> pending);

        static native TemplateInstance environment(EnvironmentCard card, List<PackageHistory> packages,
                List<Promotion> recent);

        static native TemplateInstance promote(Build build, List<EnvironmentCard> cards, boolean isAdmin);

        static native TemplateInstance approvals(List<Promotion> pending, List<Promotion> decided);
    }

    private final Promotions promotions;
    private final Environments environments;
    private final RepoChanges repoChanges;
    private final CurrentUser user;
    private final Flash flash;

    PromotionPages(Promotions promotions, Environments environments, RepoChanges repoChanges, CurrentUser user, Flash flash) {
        this.promotions = promotions;
        this.environments = environments;
        this.repoChanges = repoChanges;
        this.user = user;
        this.flash = flash;
    }

    @GET
    @Path("environments")
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance environments() {
        return Templates.environments(cards(), Promotion.awaitingApproval());
    }

    @GET
    @Path("environments/{env}")
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance environment(@PathParam("env") String name) {
        Environment env = environments.require(name);
        List<String> packages = Promotion.<Promotion>list("environment = ?1 and state in ?2", env,
                List.of(Promotion.State.applied, Promotion.State.superseded)).stream()
                .map(p -> p.packageName).distinct().sorted().toList();
        List<PackageHistory> histories = packages.stream()
                .map(pkg -> new PackageHistory(pkg, Promotion.historyOf(env, pkg))).toList();
        List<Promotion> recent = Promotion.<Promotion>find("environment = ?1 order by id desc", env).range(0, 19).list();
        return Templates.environment(card(env), histories, recent);
    }

    /** Served by {@link BuildPromoteForm} (BuildPages owns the /builds root path). */
    TemplateInstance promoteForm(@PathParam("id") long id) {
        Build build = Build.findById(id);
        if (build == null) {
            throw YardmasterException.notFound("build", "There is no build " + id + ".");
        }
        return Templates.promote(build, cards(), user.has(Roles.ADMIN));
    }

    /** Served by {@link BuildPromoteForm}. */
    Response promote(@PathParam("id") long id, @FormParam("environment") String environment,
            @FormParam("reason") String reason, @FormParam("force") String force) {
        Promotions.Result result = promotions.request(user, user.actor(), new Promotions.Request(null, null, id,
                environment, reason, "on".equals(force), null));
        Promotion p = result.promotion();
        String message = switch (p.state) {
            case requested -> p.build.nevra + " waits for a second release manager's approval to enter " + p.environment.name + ".";
            case applied -> result.created() ? p.build.nevra + " is live in " + p.environment.name + "."
                    : p.build.nevra + " was already live in " + p.environment.name + "; nothing changed.";
            default -> "Promotion " + p.id + " is " + p.state + ".";
        };
        return flash.redirect("/environments/" + p.environment.name, message);
    }

    @POST
    @Path("environments/{env}/packages/{pkg}/rollback")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response rollback(@PathParam("env") String env, @PathParam("pkg") String pkg, @FormParam("reason") String reason) {
        Promotion p = promotions.rollback(user, user.actor(), env, pkg, reason).promotion();
        return flash.redirect("/environments/" + p.environment.name, pkg + " is back at " + p.build.nevra + " in " + env + ".");
    }

    @POST
    @Path("environments/{env}/repo-changes/{id:[0-9]+}/acknowledge")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response acknowledge(@PathParam("env") String env, @PathParam("id") long id, @FormParam("back") String back) {
        RepoChange change = repoChanges.acknowledge(user, user.actor(), env, id);
        // Back to the page the banner was on; only a path of this site.
        String to = back != null && back.matches("^/[A-Za-z0-9/_?=&.-]{0,200}$") && !back.startsWith("//") ? back
                : "/environments/" + change.environment.name;
        return flash.redirect(to, "Acknowledged the change to " + change.environment.name + "/: " + change.summary + ".");
    }

    @GET
    @Path("promotions/approvals")
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance approvals() {
        List<Promotion> decided = Promotion.<Promotion>find("decidedBy is not null order by decidedAt desc").range(0, 19).list();
        return Templates.approvals(Promotion.awaitingApproval(), decided);
    }

    @POST
    @Path("promotions/{id:[0-9]+}/approve")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.RELEASE_MANAGER)
    public Response approve(@PathParam("id") long id, @FormParam("note") String note) {
        Promotion p = promotions.approve(user, user.actor(), id, note);
        return flash.redirect("/promotions/approvals", "Approved: " + p.build.nevra + " is live in " + p.environment.name + ".");
    }

    @POST
    @Path("promotions/{id:[0-9]+}/reject")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.RELEASE_MANAGER)
    public Response reject(@PathParam("id") long id, @FormParam("note") String note) {
        Promotion p = promotions.reject(user, user.actor(), id, note);
        return flash.redirect("/promotions/approvals", "Rejected promotion of " + p.build.nevra + " to " + p.environment.name + ".");
    }

    List<EnvironmentCard> cards() {
        return Environment.inLifecycleOrder().stream().map(this::card).collect(Collectors.toList());
    }

    private EnvironmentCard card(Environment env) {
        return new EnvironmentCard(env, environments.isProtected(env), user.has(environments.roleToChange(env)),
                Promotion.liveIn(env), AlsoServed.in(env), RepoChange.unacknowledged(env));
    }
}
