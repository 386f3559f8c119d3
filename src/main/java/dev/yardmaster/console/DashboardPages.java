package dev.yardmaster.console;

import dev.yardmaster.drift.Drift;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.promotion.Promotion;
import dev.yardmaster.rollout.HostStatus;
import dev.yardmaster.rollout.Roll;
import dev.yardmaster.rollout.RollStatus;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The landing page, answering a release engineer's four morning questions: what runs where
 * (environment × package), what is rolling, what drifts, and what waits for me.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardPages {

    /** One environment as a column head: its name, protection and lock. */
    public record Column(Environment environment, boolean isProtected, boolean mayChange) {
    }

    /** A package's live build in each environment, in lifecycle order (null where nothing is live). */
    public record Row(String packageName, List<Promotion> live) {
    }

    /** An active roll with how many of its hosts are done. */
    public record Rolling(Roll roll, long done, long hosts) {
        public long percent() {
            return hosts == 0 ? 0 : 100 * done / hosts;
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(List<Column> columns, List<Row> rows, List<Rolling> rolling,
                List<Drift.PackageDrift> drifting, int driftingHosts, List<Promotion> pending, boolean mayApprove);
    }

    private final Environments environments;
    private final Drift drift;
    private final CurrentUser user;
    private final ConsoleView console;

    DashboardPages(Environments environments, Drift drift, CurrentUser user, ConsoleView console) {
        this.environments = environments;
        this.drift = drift;
        this.user = user;
        this.console = console;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    public TemplateInstance dashboard() {
        List<Environment> envs = Environment.inLifecycleOrder();
        List<Column> columns = envs.stream()
                .map(e -> new Column(e, environments.isProtected(e), user.has(environments.roleToChange(e)))).toList();
        List<Drift.PackageDrift> drifting = drift.report(null, null).stream().filter(d -> d.counts().drifting() > 0).toList();
        return Templates.dashboard(columns, matrix(envs), rolling(), drifting,
                drifting.stream().mapToInt(d -> d.counts().drifting()).sum(), Promotion.awaitingApproval(),
                console.mayApprove());
    }

    /** Packages (rows) × environments (columns): the live build of each. */
    static List<Row> matrix(List<Environment> envs) {
        Map<String, Promotion[]> byPackage = new HashMap<>();
        for (int i = 0; i < envs.size(); i++) {
            for (Promotion p : Promotion.liveIn(envs.get(i))) {
                byPackage.computeIfAbsent(p.packageName, k -> new Promotion[envs.size()])[i] = p;
            }
        }
        return new TreeSet<>(byPackage.keySet()).stream().map(pkg -> new Row(pkg, Arrays.asList(byPackage.get(pkg)))).toList();
    }

    /** Active rolls, newest first, with their done/total host counts in one query. */
    static List<Rolling> rolling() {
        List<RollStatus> active = Arrays.stream(RollStatus.values()).filter(RollStatus::isActive).toList();
        List<Roll> rolls = Roll.list("status in ?1 order by id desc", active);
        if (rolls.isEmpty()) {
            return List.of();
        }
        Map<Long, long[]> counts = new HashMap<>();
        List<Object[]> rows = Roll.getEntityManager().createQuery(
                "select h.rollId, h.status, count(h) from RollHost h where h.rollId in ?1 group by h.rollId, h.status", Object[].class)
                .setParameter(1, rolls.stream().map(r -> r.id).toList()).getResultList();
        for (Object[] row : rows) {
            long[] c = counts.computeIfAbsent((Long) row[0], k -> new long[2]);
            long n = (Long) row[2];
            c[1] += n;
            if (((HostStatus) row[1]).isComplete()) {
                c[0] += n;
            }
        }
        return rolls.stream().map(r -> {
            long[] c = counts.getOrDefault(r.id, new long[2]);
            return new Rolling(r, c[0], c[1]);
        }).toList();
    }
}
