package dev.yardmaster.scaling;

import dev.yardmaster.environment.Environments;
import dev.yardmaster.security.CurrentUser;
import dev.yardmaster.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** EC2 Auto Scaling for bots: discovered groups, grow/shrink, shift to backup, first-boot user data. */
@Path("/api/scaling")
@Tag(name = "Scaling")
public class ScalingResource {

    public record InstanceView(String instanceId, String lifecycleState, String healthStatus, String availabilityZone,
            String market, String instanceType, String privateIp, String privateDns, String launchTemplateId,
            String launchTemplateVersion, OffsetDateTime launchedAt, List<String> bootedWith) {
        static InstanceView of(ScalingInstance i, Ec2Inventory.BootHistory history) {
            return new InstanceView(i.instanceId, i.lifecycleState, i.healthStatus, i.availabilityZone, i.market,
                    i.instanceType, i.privateIp, i.privateDns, i.launchTemplateId, i.launchTemplateVersion, i.launchedAt,
                    history.at(i.launchedAt).stream().map(Ec2Inventory.BootVersion::nevra).toList());
        }
    }

    public record GroupView(String name, String environment, String nodeType, String kind, String backupFor,
            String backupGroup, int minSize, int maxSize, int desiredCapacity, int defaultCooldown,
            String launchTemplateId, String launchTemplateName, String launchTemplateVersion, long inService,
            List<InstanceView> instances, OffsetDateTime discoveredAt) {
        static GroupView of(ScalingGroup g, Ec2Inventory inventory) {
            Ec2Inventory.BootHistory history = inventory.bootHistory(g.environment);
            return new GroupView(g.name, g.environment, g.nodeType, g.kind().label, g.backupFor,
                    g.isSpot() ? g.backup().map(b -> b.name).orElse(null) : null, g.minSize, g.maxSize,
                    g.desiredCapacity, g.defaultCooldown, g.launchTemplateId, g.launchTemplateName,
                    g.launchTemplateVersion, g.inService(), g.instances.stream().map(i -> InstanceView.of(i, history)).toList(),
                    g.discoveredAt);
        }
    }

    public record DiscoveryView(long id, OffsetDateTime startedAt, OffsetDateTime finishedAt, String triggeredBy,
            String outcome, int groups, int instances, String notes) {
        static DiscoveryView of(ScalingDiscovery d) {
            return new DiscoveryView(d.id, d.startedAt, d.finishedAt, d.triggeredBy, d.outcome, d.groups, d.instances, d.notes);
        }
    }

    public record GroupsView(boolean enabled, DiscoveryView lastDiscovery, List<GroupView> groups) {
    }

    public record CapacityRequest(@NotNull @Min(0) @Max(10000) Integer desiredCapacity, Boolean honorCooldown) {
    }

    public record ShiftRequest(@NotNull @Min(1) @Max(10000) Integer count, Boolean honorCooldown) {
    }

    public record FirstBootView(String environment, String nodeType, String repoUrl, String userData,
            String fingerprint, List<FirstBoot.TemplateStatus> launchTemplates) {
    }

    private final AutoScaling scaling;
    private final FirstBoot firstBoot;
    private final Environments environments;
    private final CurrentUser user;
    private final Ec2Inventory inventory;

    ScalingResource(AutoScaling scaling, FirstBoot firstBoot, Environments environments, CurrentUser user,
            Ec2Inventory inventory) {
        this.inventory = inventory;
        this.scaling = scaling;
        this.firstBoot = firstBoot;
        this.environments = environments;
        this.user = user;
    }

    @GET
    @Path("/groups")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "Discovered Auto Scaling groups with their instances", description = "From the database: no AWS call. Filter by environment and node type.")
    public GroupsView groups(@QueryParam("environment") String environment, @QueryParam("nodeType") String nodeType) {
        List<ScalingGroup> groups = environment == null ? ScalingGroup.list("order by environment, nodeType, kindLabel desc, name")
                : nodeType == null ? ScalingGroup.inEnvironment(environments.require(environment).name)
                : ScalingGroup.of(environments.require(environment).name, nodeType);
        return new GroupsView(scaling.enabled(), ScalingDiscovery.latest().map(DiscoveryView::of).orElse(null),
                groups.stream().map(g -> GroupView.of(g, inventory)).toList());
    }

    @GET
    @Path("/groups/{name}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "One discovered group")
    public GroupView group(@PathParam("name") String name) {
        return GroupView.of(scaling.requireGroup(name), inventory);
    }

    @GET
    @Path("/groups/{name}/activities")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The group's latest scaling activities, live from AWS")
    public List<AutoScaling.Activity> activities(@PathParam("name") String name) {
        return scaling.activities(scaling.requireGroup(name).name);
    }

    @POST
    @Path("/discover")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Refresh the stored groups and instances from AWS now")
    public DiscoveryView discover(@QueryParam("onBehalfOf") String onBehalfOf) {
        return DiscoveryView.of(scaling.discover(user.actor(onBehalfOf).name()));
    }

    @PUT
    @Path("/groups/{name}/desired-capacity")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Grow or shrink a group", description = "Validated against the group's min and max; deployer for review and staging, release-manager for protected environments. Answers the AWS scaling activities the change started.")
    public AutoScaling.CapacityChange setDesiredCapacity(@PathParam("name") String name, @Valid @NotNull CapacityRequest request,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        return scaling.setDesiredCapacity(user, user.actor(onBehalfOf), name, request.desiredCapacity(),
                Boolean.TRUE.equals(request.honorCooldown()));
    }

    @POST
    @Path("/groups/{name}/shift-to-backup")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Shift instances from a spot group to its on-demand backup", description = "Grows the backup by count, then shrinks the spot group by count.")
    public AutoScaling.Shift shift(@PathParam("name") String name, @Valid @NotNull ShiftRequest request,
            @QueryParam("onBehalfOf") String onBehalfOf) {
        return scaling.shiftToBackup(user, user.actor(onBehalfOf), name, request.count(),
                Boolean.TRUE.equals(request.honorCooldown()));
    }

    @GET
    @Path("/first-boot/{environment}/{nodeType}")
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The first-boot user data for an environment and node type, and whether its launch templates carry it")
    public FirstBootView firstBoot(@PathParam("environment") String environment, @PathParam("nodeType") String nodeType) {
        String env = environments.require(environment).name;
        String userData = firstBoot.userData(env, nodeType);
        String fingerprint = FirstBoot.fingerprint(userData);
        return new FirstBootView(env, nodeType, firstBoot.repoUrl(env), userData, fingerprint,
                FirstBoot.launchTemplates(env, nodeType, fingerprint));
    }

    @POST
    @Path("/first-boot/{environment}/{nodeType}/launch-template-versions")
    @RolesAllowed(Roles.DEPLOYER)
    @Operation(summary = "Write the first-boot user data into a new default version of the launch templates")
    public Response createLaunchTemplateVersions(@PathParam("environment") String environment,
            @PathParam("nodeType") String nodeType, @QueryParam("onBehalfOf") String onBehalfOf) {
        return Response.status(201).entity(scaling.createLaunchTemplateVersions(user, user.actor(onBehalfOf),
                environment, nodeType)).build();
    }
}
