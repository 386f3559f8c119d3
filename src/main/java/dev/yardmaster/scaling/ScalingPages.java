package dev.yardmaster.scaling;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The scaling pages: groups per environment and node type with spot and backup side by side,
 * their instances, a confirmation step before any capacity change, and first-boot settings.
 */
@Path("/scaling")
@Produces(MediaType.TEXT_HTML)
public class ScalingPages {

    /** A spot group and its backup (or a lone group) of one node type, with their instances. */
    public record Pair(String nodeType, ScalingGroup main, ScalingGroup backup, List<ScalingInstance> instances,
            Map<String, String> bootedWith) {
        public boolean paired() {
            return backup != null;
        }

        /** "flingerator 1.2-1, gnip-worker 0.3-1": what the instance installed at first boot. */
        public String bootedWithOf(ScalingInstance instance) {
            return bootedWith.get(instance.instanceId);
        }
    }

    /** One environment's groups. */
    public record Section(Environment environment, boolean isProtected, boolean mayChange, List<Pair> pairs) {
        public int instanceCount() {
            return pairs.stream().mapToInt(p -> p.instances().size()).sum();
        }
    }

    /** A change waiting for the user's confirmation; {@code problem} says why it cannot be made. */
    public record Confirmation(String kind, ScalingGroup group, ScalingGroup backup, int from, int to, int count,
            boolean honorCooldown, String problem) {
        public boolean isShift() {
            return kind.equals("shift");
        }

        public int backupAfter() {
            return backup == null ? 0 : backup.desiredCapacity + count;
        }

        public int launched() {
            return Math.max(0, to - from);
        }

        public int terminated() {
            return Math.max(0, from - to);
        }
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance overview(boolean enabled, ScalingDiscovery lastDiscovery, List<Section> sections,
                boolean mayDiscover);

        static native TemplateInstance confirm(Confirmation change);

        static native TemplateInstance firstBoot(String environment, String nodeType, String repoUrl, String userData,
                String fingerprint, List<FirstBoot.TemplateStatus> templates, boolean mayChange, boolean locked);
    }

    private final AutoScaling scaling;
    private final FirstBoot firstBoot;
    private final Environments environments;
    private final CurrentUser user;
    private final Flash flash;
    private final Ec2Inventory inventory;

    ScalingPages(AutoScaling scaling, FirstBoot firstBoot, Environments environments, CurrentUser user, Flash flash,
            Ec2Inventory inventory) {
        this.inventory = inventory;
        this.scaling = scaling;
        this.firstBoot = firstBoot;
        this.environments = environments;
        this.user = user;
        this.flash = flash;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance overview() {
        List<Section> sections = new ArrayList<>();
        for (Environment env : Environment.inLifecycleOrder()) {
            Map<String, List<ScalingGroup>> byNodeType = ScalingGroup.inEnvironment(env.name).stream()
                    .collect(Collectors.groupingBy(g -> g.nodeType, LinkedHashMap::new, Collectors.toList()));
            List<Pair> pairs = new ArrayList<>();
            byNodeType.forEach((nodeType, groups) -> pairs.addAll(pairs(nodeType, groups, inventory)));
            sections.add(new Section(env, environments.isProtected(env), user.has(environments.roleToChange(env)), pairs));
        }
        return Templates.overview(scaling.enabled(), ScalingDiscovery.latest().orElse(null), sections,
                user.has(Roles.DEPLOYER));
    }

    static List<Pair> pairs(String nodeType, List<ScalingGroup> groups, Ec2Inventory inventory) {
        List<Pair> pairs = new ArrayList<>();
        List<ScalingGroup> used = new ArrayList<>();
        for (ScalingGroup group : groups) {
            if (group.isSpot()) {
                ScalingGroup backup = groups.stream().filter(g -> g.isBackup() && group.name.equals(g.backupFor)).findFirst().orElse(null);
                List<ScalingInstance> instances = new ArrayList<>(group.instances);
                if (backup != null) {
                    instances.addAll(backup.instances);
                    used.add(backup);
                }
                pairs.add(new Pair(nodeType, group, backup, instances, booted(inventory, group.environment, instances)));
                used.add(group);
            }
        }
        for (ScalingGroup group : groups) {
            if (!used.contains(group)) {
                pairs.add(new Pair(nodeType, group, null, group.instances, booted(inventory, group.environment, group.instances)));
            }
        }
        return pairs;
    }

    private static Map<String, String> booted(Ec2Inventory inventory, String environment, List<ScalingInstance> instances) {
        Ec2Inventory.BootHistory history = inventory.bootHistory(environment);
        Map<String, String> booted = new LinkedHashMap<>();
        instances.forEach(i -> booted.put(i.instanceId, history.describe(i.launchedAt)));
        return booted;
    }

    @GET
    @Path("groups/{name}/capacity")
    @RolesAllowed(Roles.DEPLOYER)
    public TemplateInstance confirmCapacity(@PathParam("name") String name, @QueryParam("desired") String desired,
            @QueryParam("honorCooldown") String honorCooldown) {
        ScalingGroup group = scaling.requireGroup(name);
        environments.checkMayChange(user, environments.require(group.environment), "Scaling " + group.name);
        Integer to = number(desired);
        String problem = null;
        if (to == null) {
            problem = "Enter the number of instances " + group.name + " should run.";
        } else if (to < group.minSize || to > group.maxSize) {
            problem = group.name + " accepts a desired capacity from " + group.minSize + " to " + group.maxSize + "; " + to
                    + " is outside.";
        } else if (to == group.desiredCapacity) {
            problem = group.name + " already runs " + to + ".";
        }
        return Templates.confirm(new Confirmation("capacity", group, null, group.desiredCapacity, to == null ? 0 : to, 0,
                honorCooldown != null, problem));
    }

    @POST
    @Path("groups/{name}/capacity")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response setCapacity(@PathParam("name") String name, @FormParam("desired") String desired,
            @FormParam("honorCooldown") String honorCooldown) {
        AutoScaling.CapacityChange change = scaling.setDesiredCapacity(user, user.actor(), name, number(desired),
                honorCooldown != null);
        return flash.redirect("/scaling#env-" + change.environment(), change.group() + ": desired capacity " + change.from()
                + " → " + change.to() + "." + said(change.activities()));
    }

    @GET
    @Path("groups/{name}/shift")
    @RolesAllowed(Roles.DEPLOYER)
    public TemplateInstance confirmShift(@PathParam("name") String name, @QueryParam("count") String count,
            @QueryParam("honorCooldown") String honorCooldown) {
        ScalingGroup spot = scaling.requireGroup(name);
        environments.checkMayChange(user, environments.require(spot.environment), "Shifting capacity of " + spot.name);
        ScalingGroup backup = spot.backup().orElseThrow(() -> YardmasterException.conflict("no-backup-group",
                spot.name + " has no on-demand backup group."));
        Integer n = number(count);
        String problem = null;
        if (n == null || n < 1) {
            problem = "Enter how many instances to move from " + spot.name + " to " + backup.name + ".";
        } else if (spot.desiredCapacity - n < spot.minSize) {
            problem = spot.name + " runs " + spot.desiredCapacity + " and may not go below " + spot.minSize + ".";
        } else if (backup.desiredCapacity + n > backup.maxSize) {
            problem = backup.name + " runs " + backup.desiredCapacity + " and may not go above " + backup.maxSize + ".";
        }
        int shift = n == null ? 0 : n;
        return Templates.confirm(new Confirmation("shift", spot, backup, spot.desiredCapacity, spot.desiredCapacity - shift,
                shift, honorCooldown != null, problem));
    }

    @POST
    @Path("groups/{name}/shift")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response shift(@PathParam("name") String name, @FormParam("count") String count,
            @FormParam("honorCooldown") String honorCooldown) {
        AutoScaling.Shift shift = scaling.shiftToBackup(user, user.actor(), name, number(count), honorCooldown != null);
        List<AutoScaling.Activity> all = new ArrayList<>(shift.backup().activities());
        all.addAll(shift.spot().activities());
        return flash.redirect("/scaling#env-" + shift.spot().environment(), "Shifted " + shift.count() + " from "
                + shift.spot().group() + " (" + shift.spot().from() + " → " + shift.spot().to() + ") to " + shift.backup().group()
                + " (" + shift.backup().from() + " → " + shift.backup().to() + ")." + said(all));
    }

    @POST
    @Path("discover")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response discover() {
        ScalingDiscovery run = scaling.discover(user.name());
        return flash.redirect("/scaling", "Discovered " + run.groups + " groups with " + run.instances + " instances."
                + (run.notes == null ? "" : " Notes: " + run.notes));
    }

    @GET
    @Path("first-boot/{environment}/{nodeType}")
    @RolesAllowed(Roles.VIEWER)
    public TemplateInstance firstBoot(@PathParam("environment") String environment, @PathParam("nodeType") String nodeType) {
        Environment env = environments.require(environment);
        String userData = firstBoot.userData(env.name, nodeType);
        String fingerprint = FirstBoot.fingerprint(userData);
        return Templates.firstBoot(env.name, nodeType, firstBoot.repoUrl(env.name), userData, fingerprint,
                FirstBoot.launchTemplates(env.name, nodeType, fingerprint), user.has(environments.roleToChange(env)),
                env.isLocked());
    }

    @POST
    @Path("first-boot/{environment}/{nodeType}/launch-template-versions")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @RolesAllowed(Roles.DEPLOYER)
    public Response createLaunchTemplateVersions(@PathParam("environment") String environment,
            @PathParam("nodeType") String nodeType) {
        List<AutoScaling.TemplateVersion> created = scaling.createLaunchTemplateVersions(user, user.actor(), environment, nodeType);
        return flash.redirect("/scaling/first-boot/" + environment + "/" + nodeType, "Created " + created.stream()
                .map(v -> v.templateName() + " v" + v.version()).collect(Collectors.joining(", "))
                + " with this first-boot user data, now the default version.");
    }

    private static String said(List<AutoScaling.Activity> activities) {
        if (activities.isEmpty()) {
            return " AWS has not reported an activity yet.";
        }
        return " AWS: " + activities.stream().map(AutoScaling.Activity::description).collect(Collectors.joining("; ")) + ".";
    }

    private static Integer number(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(text.strip());
        } catch (NumberFormatException e) {
            throw YardmasterException.badRequest("not-a-number", "'" + Names.printable(text) + "' is not a whole number.");
        }
    }
}
