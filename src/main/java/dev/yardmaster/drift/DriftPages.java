package dev.yardmaster.drift;

import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.promotion.RepoChange;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import dev.yardmaster.web.Flash;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The drift page: per environment and package, which hosts run something else than the promoted build. */
@Path("/drift")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed(Roles.VIEWER)
public class DriftPages {

    /** An environment's changes made outside Yardmaster, for the banner, and whether this user may acknowledge them. */
    public record OutsideChanges(String environment, boolean mayAcknowledge, List<RepoChange> changes) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance drift(List<Drift.PackageDrift> report, List<String> environments, String environment,
                String packageName, List<OutsideChanges> outsideChanges, int limit);
    }

    /** Hosts listed per card unless all are asked for: a 1,000-host environment stays one screen of rows. */
    static final int HOSTS_SHOWN = 50;

    private final Drift drift;
    private final Environments environmentRules;
    private final CurrentUser user;
    private final Flash flash;

    DriftPages(Drift drift, Environments environmentRules, CurrentUser user, Flash flash) {
        this.drift = drift;
        this.environmentRules = environmentRules;
        this.user = user;
        this.flash = flash;
    }

    @GET
    @Transactional
    public TemplateInstance page(@QueryParam("environment") String environment, @QueryParam("package") String packageName,
            @QueryParam("show") String show) {
        // A repo changed by hand explains drift the hosts alone cannot: shown here until acknowledged.
        List<OutsideChanges> outside = Environment.inLifecycleOrder().stream()
                .map(env -> new OutsideChanges(env.name, user.has(environmentRules.roleToChange(env)), RepoChange.unacknowledged(env)))
                .filter(c -> !c.changes().isEmpty()).toList();
        return Templates.drift(drift.report(environment, packageName),
                Environment.inLifecycleOrder().stream().map(e -> e.name).toList(),
                environment == null ? "" : environment.strip(), packageName == null ? "" : packageName.strip(), outside,
                "all".equals(show) ? Integer.MAX_VALUE : HOSTS_SHOWN);
    }

    @POST
    @Path("/check")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response check(@FormParam("environment") String environment, @FormParam("package") String packageName) {
        Drift.CheckResult result = drift.check(user.actor(), environment, packageName);
        String back = "/drift?environment=" + URLEncoder.encode(environment.strip(), StandardCharsets.UTF_8)
                + (packageName == null || packageName.isBlank() ? ""
                        : "&package=" + URLEncoder.encode(packageName.strip(), StandardCharsets.UTF_8));
        String message = "Asked " + result.hosts() + " hosts in " + environment.strip() + ": " + result.answered() + " answered"
                + (result.failed() > 0 ? ", " + result.failed() + " could not be asked (shown as unknown)" : "") + ".";
        return flash.redirect(back, message);
    }
}
