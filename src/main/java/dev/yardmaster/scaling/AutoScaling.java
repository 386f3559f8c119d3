package dev.yardmaster.scaling;

import dev.yardmaster.audit.AuditLog;
import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import dev.yardmaster.environment.Environments;
import dev.yardmaster.security.Actor;
import dev.yardmaster.security.CurrentUser;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingInstanceDetails;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;

/**
 * EC2 Auto Scaling for Yardmaster: discovers the tagged groups and their instances into the
 * database, changes desired capacity, shifts capacity from a spot group to its on-demand backup,
 * and writes first-boot user data into launch templates. Every change is role-checked per
 * environment and audited; AWS's refusals become problems a person can act on.
 */
@ApplicationScoped
public class AutoScaling {

    private static final Logger LOG = Logger.getLogger(AutoScaling.class);

    /** One scaling activity as AWS reports it. */
    public record Activity(String activityId, String group, String description, String cause, String statusCode,
            String statusMessage, Integer progress, Instant startTime, Instant endTime) {
    }

    /** What one desired-capacity change did. */
    public record CapacityChange(String group, String environment, int from, int to, boolean honorCooldown,
            List<Activity> activities) {
    }

    /** A shift of capacity from a spot group to its on-demand backup. */
    public record Shift(int count, CapacityChange backup, CapacityChange spot) {
    }

    /** A launch template version created with first-boot user data. */
    public record TemplateVersion(String templateId, String templateName, long version, long sourceVersion,
            String fingerprint) {
    }

    /** The live state of an instance: its Auto Scaling lifecycle state, or gone. */
    public record LiveInstance(String instanceId, Optional<String> lifecycleState) {
        public boolean isInService() {
            return lifecycleState.filter("InService"::equals).isPresent();
        }
    }

    private final AwsClients aws;
    private final ScalingConfig config;
    private final Environments environments;
    private final AuditLog audit;
    private final FirstBoot firstBoot;
    private final GroupDiscovery discovery;

    AutoScaling(AwsClients aws, ScalingConfig config, Environments environments, AuditLog audit, FirstBoot firstBoot,
            GroupDiscovery discovery) {
        this.discovery = discovery;
        this.aws = aws;
        this.config = config;
        this.environments = environments;
        this.audit = audit;
        this.firstBoot = firstBoot;
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Reads every tagged group, its instances and launch templates from AWS and stores them. */
    public ScalingDiscovery discover(String triggeredBy) {
        return discovery.discover(triggeredBy);
    }

    /** Sets a group's desired capacity in one call, within its min and max. */
    public CapacityChange setDesiredCapacity(CurrentUser user, Actor actor, String groupName, Integer desired,
            boolean honorCooldown) {
        ScalingGroup group = requireGroup(groupName);
        Environment env = environments.require(group.environment);
        environments.checkMayChange(user, env, "Scaling " + group.name);
        if (desired == null) {
            throw YardmasterException.badRequest("desired-capacity-required", "Say how many instances " + group.name + " should run.");
        }
        AutoScalingGroup live = live(group.name);
        checkRange(live, desired);
        CapacityChange change = apply(live, env.name, desired, honorCooldown);
        QuarkusTransaction.requiringNew().run(() -> {
            ScalingGroup.named(group.name).ifPresent(g -> g.desiredCapacity = desired);
            audit.record(audit.entry(actor, "scaling.capacity-set").environment(env.name).subject(group.name)
                    .detail("nodeType", group.nodeType).detail("from", change.from()).detail("to", change.to())
                    .detail("honorCooldown", honorCooldown)
                    .detail("activities", change.activities().stream().map(Activity::activityId).toList()));
        });
        refreshQuietly(List.of(group.name), actor.name());
        return change;
    }

    /** Grows a spot group's on-demand backup by {@code count} and shrinks the spot group by as many. */
    public Shift shiftToBackup(CurrentUser user, Actor actor, String spotName, Integer count, boolean honorCooldown) {
        ScalingGroup spot = requireGroup(spotName);
        Environment env = environments.require(spot.environment);
        environments.checkMayChange(user, env, "Shifting capacity of " + spot.name);
        if (!spot.isSpot()) {
            throw YardmasterException.conflict("not-a-spot-group", spot.name + " is a " + spot.kind().label
                    + " group; only a spot group's capacity can be shifted to its backup.");
        }
        ScalingGroup backup = spot.backup().orElseThrow(() -> YardmasterException.conflict("no-backup-group",
                spot.name + " has no on-demand backup: tag an on-demand group with " + config.backupForTag() + "=" + spot.name + "."));
        if (count == null || count < 1) {
            throw YardmasterException.badRequest("shift-count-invalid", "Shift at least one instance from " + spot.name + " to " + backup.name + ".");
        }
        AutoScalingGroup liveSpot = live(spot.name);
        AutoScalingGroup liveBackup = live(backup.name);
        if (liveSpot.desiredCapacity() - count < liveSpot.minSize()) {
            throw new YardmasterException(400, "capacity-out-of-range", "Out of range", spot.name + " runs "
                    + liveSpot.desiredCapacity() + " and may not go below " + liveSpot.minSize() + ", so at most "
                    + Math.max(0, liveSpot.desiredCapacity() - liveSpot.minSize()) + " can be shifted, not " + count + ".",
                    Map.of("group", spot.name, "min", liveSpot.minSize(), "max", liveSpot.maxSize(), "environment", env.name));
        }
        checkRange(liveBackup, liveBackup.desiredCapacity() + count);
        // Backup first: capacity never dips while the spot group shrinks.
        CapacityChange grown = apply(liveBackup, env.name, liveBackup.desiredCapacity() + count, honorCooldown);
        CapacityChange shrunk;
        try {
            shrunk = apply(liveSpot, env.name, liveSpot.desiredCapacity() - count, honorCooldown);
        } catch (YardmasterException e) {
            QuarkusTransaction.requiringNew().run(() -> audit.record(audit.entry(actor, "scaling.shift-incomplete")
                    .outcome("failed").environment(env.name).subject(spot.name).detail("backup", backup.name)
                    .detail("count", count).detail("backupFrom", grown.from()).detail("backupTo", grown.to())
                    .detail("reason", e.getMessage())));
            refreshQuietly(List.of(spot.name, backup.name), actor.name());
            throw new YardmasterException(e.status(), "shift-incomplete", "Shift incomplete", backup.name + " grew from "
                    + grown.from() + " to " + grown.to() + ", but shrinking " + spot.name + " failed: " + e.getMessage(),
                    Map.of("environment", env.name));
        }
        QuarkusTransaction.requiringNew().run(() -> {
            ScalingGroup.named(backup.name).ifPresent(g -> g.desiredCapacity = grown.to());
            ScalingGroup.named(spot.name).ifPresent(g -> g.desiredCapacity = shrunk.to());
            audit.record(audit.entry(actor, "scaling.shifted-to-backup").environment(env.name).subject(spot.name)
                    .detail("nodeType", spot.nodeType).detail("backup", backup.name).detail("count", count)
                    .detail("spotFrom", shrunk.from()).detail("spotTo", shrunk.to())
                    .detail("backupFrom", grown.from()).detail("backupTo", grown.to()).detail("honorCooldown", honorCooldown));
        });
        refreshQuietly(List.of(spot.name, backup.name), actor.name());
        return new Shift(count, grown, shrunk);
    }

    private CapacityChange apply(AutoScalingGroup live, String environment, int desired, boolean honorCooldown) {
        String name = live.autoScalingGroupName();
        Set<String> before = activities(name).stream().map(Activity::activityId).collect(Collectors.toSet());
        AwsErrors.call("setting the desired capacity of " + name + " to " + desired, () -> aws.autoScaling()
                .setDesiredCapacity(b -> b.autoScalingGroupName(name).desiredCapacity(desired).honorCooldown(honorCooldown)));
        List<Activity> after = activities(name).stream().filter(a -> !before.contains(a.activityId())).toList();
        return new CapacityChange(name, environment, live.desiredCapacity(), desired, honorCooldown, after);
    }

    /** The latest scaling activities of a group, newest first. */
    public List<Activity> activities(String groupName) {
        return AwsErrors.call("reading the scaling activities of " + groupName, () -> aws.autoScaling()
                .describeScalingActivities(b -> b.autoScalingGroupName(groupName).maxRecords(20)).activities()).stream()
                .map(a -> new Activity(a.activityId(), a.autoScalingGroupName(), a.description(), a.cause(),
                        a.statusCodeAsString(), a.statusMessage(), a.progress(), a.startTime(), a.endTime()))
                .toList();
    }

    private AutoScalingGroup live(String name) {
        return AwsErrors.call("describing " + name, () -> aws.autoScaling()
                .describeAutoScalingGroups(b -> b.autoScalingGroupNames(name)).autoScalingGroups()).stream().findFirst()
                .orElseThrow(() -> YardmasterException.notFound("scaling-group", "AWS no longer has a group named " + name
                        + "; refresh discovery."));
    }

    private static void checkRange(AutoScalingGroup live, int desired) {
        if (desired < live.minSize() || desired > live.maxSize()) {
            throw new YardmasterException(400, "capacity-out-of-range", "Out of range", live.autoScalingGroupName()
                    + " accepts a desired capacity from " + live.minSize() + " to " + live.maxSize() + "; " + desired
                    + " is outside.", Map.of("group", live.autoScalingGroupName(), "min", live.minSize(), "max", live.maxSize()));
        }
    }

    public ScalingGroup requireGroup(String name) {
        return ScalingGroup.named(name).orElseThrow(() -> YardmasterException.notFound("scaling-group",
                "There is no discovered Auto Scaling group '" + Names.printable(name) + "'."));
    }

    private void refreshQuietly(Collection<String> groups, String by) {
        try {
            discovery.refresh(groups, by);
        } catch (YardmasterException e) {
            LOG.warnf("Could not refresh %s after a change: %s", groups, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- first boot

    /** Writes the rendered first-boot user data into a new default version of each launch template the groups use. */
    public List<TemplateVersion> createLaunchTemplateVersions(CurrentUser user, Actor actor, String environment,
            String nodeType) {
        Environment env = environments.require(environment);
        environments.checkMayChange(user, env, "Changing first-boot settings");
        environments.checkNotLocked(env, "Changing first-boot settings");
        String userData = firstBoot.userData(env.name, nodeType);
        List<String> templateIds = ScalingGroup.of(env.name, nodeType).stream().map(g -> g.launchTemplateId)
                .filter(java.util.Objects::nonNull).distinct().toList();
        if (templateIds.isEmpty()) {
            throw YardmasterException.conflict("no-launch-template", "No discovered group of " + env.name + "/" + nodeType
                    + " uses a launch template.");
        }
        String fingerprint = FirstBoot.fingerprint(userData);
        String encoded = Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8));
        String description = ("Yardmaster first boot " + env.name + "/" + nodeType + " " + fingerprint + " by " + actor.name());
        String trimmed = description.length() > 255 ? description.substring(0, 255) : description;
        List<TemplateVersion> created = new ArrayList<>();
        for (String id : templateIds) {
            LaunchTemplate template = AwsErrors.call("describing launch template " + id,
                    () -> aws.ec2().describeLaunchTemplates(b -> b.launchTemplateIds(id)).launchTemplates().get(0));
            long source = template.defaultVersionNumber();
            long version = AwsErrors.call("creating a version of launch template " + template.launchTemplateName(),
                    () -> aws.ec2().createLaunchTemplateVersion(b -> b.launchTemplateId(id)
                            .sourceVersion(Long.toString(source)).versionDescription(trimmed)
                            .launchTemplateData(d -> d.userData(encoded))).launchTemplateVersion().versionNumber());
            AwsErrors.call("making version " + version + " the default of " + template.launchTemplateName(),
                    () -> aws.ec2().modifyLaunchTemplate(b -> b.launchTemplateId(id).defaultVersion(Long.toString(version))));
            TemplateVersion result = new TemplateVersion(id, template.launchTemplateName(), version, source, fingerprint);
            created.add(result);
            QuarkusTransaction.requiringNew().run(() -> {
                ScalingLaunchTemplate.byTemplateId(id).ifPresent(row -> {
                    row.defaultVersion = version;
                    row.latestVersion = Math.max(row.latestVersion, version);
                    row.defaultUserData = userData;
                    row.discoveredAt = now();
                });
                audit.record(audit.entry(actor, "scaling.launch-template-version-created").environment(env.name)
                        .subject(id).detail("template", template.launchTemplateName()).detail("nodeType", nodeType)
                        .detail("version", version).detail("sourceVersion", source).detail("userDataSha256", fingerprint)
                        .detail("repoUrl", firstBoot.repoUrl(env.name)));
            });
        }
        return created;
    }

    // ---------------------------------------------------------------- rolls

    /** Asks AWS, now, what became of an instance: a roll calls this when the instance's turn comes. */
    public LiveInstance liveInstance(String instanceId) {
        List<AutoScalingInstanceDetails> found = AwsErrors.call("checking instance " + instanceId,
                () -> aws.autoScaling().describeAutoScalingInstances(b -> b.instanceIds(instanceId)).autoScalingInstances());
        return new LiveInstance(instanceId, found.stream().findFirst().map(AutoScalingInstanceDetails::lifecycleState));
    }



    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
