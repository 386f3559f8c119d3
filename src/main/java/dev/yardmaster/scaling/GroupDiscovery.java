package dev.yardmaster.scaling;

import dev.yardmaster.core.Names;
import dev.yardmaster.core.YardmasterException;
import dev.yardmaster.environment.Environment;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.Filter;
import software.amazon.awssdk.services.autoscaling.model.LaunchTemplateSpecification;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.LaunchTemplate;
import software.amazon.awssdk.services.ec2.model.LaunchTemplateVersion;

/**
 * Reads the tagged Auto Scaling groups, their instances and launch templates from AWS and stores
 * them: on a schedule, on request, and for the groups a change just touched. Everything the
 * console shows of EC2 comes from what this stored, so pages never wait on AWS.
 */
@ApplicationScoped
public class GroupDiscovery {

    private static final Logger LOG = Logger.getLogger(GroupDiscovery.class);

    private final AwsClients aws;
    private final ScalingConfig config;

    GroupDiscovery(AwsClients aws, ScalingConfig config) {
        this.aws = aws;
        this.config = config;
    }

    /** Skips scheduled discovery when scaling is off. */
    @Singleton
    public static class WhenDisabled implements Scheduled.SkipPredicate {
        private final ScalingConfig config;

        WhenDisabled(ScalingConfig config) {
            this.config = config;
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return !config.enabled();
        }
    }

    @Scheduled(identity = "scaling-discovery", every = "{yardmaster.scaling.refresh-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = WhenDisabled.class)
    void discoverOnSchedule() {
        try {
            discover("schedule");
        } catch (YardmasterException e) {
            LOG.warnf("Scheduled scaling discovery failed: %s", e.getMessage());
        }
    }

    /** Reads every tagged group, its instances and launch templates from AWS and stores them. */
    public ScalingDiscovery discover(String triggeredBy) {
        OffsetDateTime started = now();
        Snapshot snapshot;
        try {
            snapshot = read(null);
        } catch (YardmasterException e) {
            QuarkusTransaction.requiringNew().run(() -> record(started, triggeredBy, "failed", 0, 0, e.getMessage()));
            throw e;
        }
        return QuarkusTransaction.requiringNew().call(() -> store(snapshot, true, started, triggeredBy));
    }

    /** Re-reads the named groups only (after a change), keeping the others as they are. */
    void refresh(Collection<String> groups, String triggeredBy) {
        OffsetDateTime started = now();
        Snapshot snapshot = read(groups);
        QuarkusTransaction.requiringNew().call(() -> store(snapshot, false, started, triggeredBy));
    }

    private record Snapshot(List<AutoScalingGroup> groups, Map<String, Instance> instances,
            Map<String, LaunchTemplate> templates, Map<String, LaunchTemplateVersion> defaultVersions, List<String> notes) {
    }

    private Snapshot read(Collection<String> names) {
        List<String> notes = new ArrayList<>();
        DescribeAutoScalingGroupsRequest.Builder request = DescribeAutoScalingGroupsRequest.builder()
                .filters(Filter.builder().name("tag-key").values(config.environmentTag()).build());
        if (names != null) {
            request.autoScalingGroupNames(names);
        }
        List<AutoScalingGroup> groups = AwsErrors.call("describing Auto Scaling groups",
                () -> aws.autoScaling().describeAutoScalingGroupsPaginator(request.build()).autoScalingGroups().stream().toList());
        List<String> instanceIds = groups.stream().flatMap(g -> g.instances().stream())
                .map(software.amazon.awssdk.services.autoscaling.model.Instance::instanceId).distinct().toList();
        Map<String, Instance> instances = new HashMap<>();
        for (int from = 0; from < instanceIds.size(); from += 200) {
            List<String> chunk = instanceIds.subList(from, Math.min(instanceIds.size(), from + 200));
            // A filter, not InstanceIds: an instance that vanished in between must not fail the whole call.
            DescribeInstancesRequest byId = DescribeInstancesRequest.builder()
                    .filters(software.amazon.awssdk.services.ec2.model.Filter.builder().name("instance-id").values(chunk).build())
                    .build();
            AwsErrors.call("describing EC2 instances", () -> {
                aws.ec2().describeInstancesPaginator(byId).reservations()
                        .forEach(r -> r.instances().forEach(i -> instances.put(i.instanceId(), i)));
                return null;
            });
        }
        Set<String> templateIds = new LinkedHashSet<>();
        groups.forEach(g -> templateOf(g).map(LaunchTemplateSpecification::launchTemplateId).ifPresent(templateIds::add));
        Map<String, LaunchTemplate> templates = new HashMap<>();
        Map<String, LaunchTemplateVersion> defaults = new HashMap<>();
        for (String id : templateIds) {
            try {
                LaunchTemplate template = AwsErrors.call("describing launch template " + id,
                        () -> aws.ec2().describeLaunchTemplates(b -> b.launchTemplateIds(id)).launchTemplates().get(0));
                templates.put(id, template);
                AwsErrors.call("reading the default version of launch template " + id,
                        () -> aws.ec2().describeLaunchTemplateVersions(b -> b.launchTemplateId(id).versions("$Default"))
                                .launchTemplateVersions()).stream().findFirst().ifPresent(v -> defaults.put(id, v));
            } catch (YardmasterException e) {
                if (e.status() == 400) {
                    notes.add("launch template " + id + " not readable: " + e.getMessage());
                } else {
                    throw e;
                }
            }
        }
        return new Snapshot(groups, instances, templates, defaults, notes);
    }

    private ScalingDiscovery store(Snapshot snapshot, boolean full, OffsetDateTime started, String triggeredBy) {
        ScalingGroup.getEntityManager().createNativeQuery("SELECT pg_advisory_xact_lock(hashtext('yardmaster.scaling-discovery'))")
                .getSingleResult();
        OffsetDateTime at = now();
        List<String> notes = new ArrayList<>(snapshot.notes());
        Set<String> seen = new HashSet<>();
        Map<String, ScalingGroup> stored = new LinkedHashMap<>();
        int instanceCount = 0;
        // One query for every stored group and its instances, instead of one per group.
        Map<String, ScalingGroup> known = ScalingGroup.<ScalingGroup>find("select distinct g from ScalingGroup g left join fetch g.instances")
                .list().stream().collect(Collectors.toMap(g -> g.name, g -> g));
        Set<String> knownEnvironments = Environment.inLifecycleOrder().stream().map(e -> e.name).collect(Collectors.toSet());
        for (AutoScalingGroup aws : snapshot.groups()) {
            Map<String, String> tags = aws.tags().stream().collect(Collectors.toMap(t -> t.key(), t -> t.value() == null ? "" : t.value(),
                    (a, b) -> a, LinkedHashMap::new));
            String env = tags.getOrDefault(config.environmentTag(), "").strip();
            String nodeType = tags.getOrDefault(config.nodeTypeTag(), "").strip();
            if (!knownEnvironments.contains(env)) {
                notes.add("ignored " + aws.autoScalingGroupName() + ": tag " + config.environmentTag() + "='" + Names.printable(env)
                        + "' is not an environment");
                continue;
            }
            if (!Names.NODE_TYPE.matcher(nodeType).matches()) {
                notes.add("ignored " + aws.autoScalingGroupName() + ": tag " + config.nodeTypeTag() + "='" + Names.printable(nodeType)
                        + "' is not a node type (lower case letters, digits, dashes)");
                continue;
            }
            seen.add(aws.autoScalingGroupName());
            ScalingGroup group = known.getOrDefault(aws.autoScalingGroupName(), new ScalingGroup());
            group.name = aws.autoScalingGroupName();
            group.arn = aws.autoScalingGroupARN();
            group.environment = env;
            group.nodeType = nodeType;
            String backupFor = tags.get(config.backupForTag());
            group.backupFor = backupFor == null || backupFor.isBlank() ? null : backupFor.strip();
            group.kindLabel = group.backupFor != null ? ScalingGroup.Kind.BACKUP.label : ScalingGroup.Kind.ON_DEMAND.label;
            group.minSize = aws.minSize();
            group.maxSize = aws.maxSize();
            group.desiredCapacity = aws.desiredCapacity();
            group.defaultCooldown = aws.defaultCooldown() == null ? 300 : aws.defaultCooldown();
            Optional<LaunchTemplateSpecification> template = templateOf(aws);
            group.launchTemplateId = template.map(LaunchTemplateSpecification::launchTemplateId).orElse(null);
            group.launchTemplateName = template.map(LaunchTemplateSpecification::launchTemplateName).orElse(null);
            group.launchTemplateVersion = template.map(LaunchTemplateSpecification::version).orElse(null);
            group.status = aws.status();
            group.tags = tags;
            group.createdTime = aws.createdTime() == null ? null : aws.createdTime().atOffset(ZoneOffset.UTC);
            group.discoveredAt = at;
            Map<String, ScalingInstance> existing = group.instances.stream()
                    .collect(Collectors.toMap(i -> i.instanceId, i -> i));
            Set<String> present = new HashSet<>();
            for (var member : aws.instances()) {
                present.add(member.instanceId());
                ScalingInstance instance = existing.get(member.instanceId());
                if (instance == null) {
                    instance = new ScalingInstance();
                    instance.instanceId = member.instanceId();
                    instance.group = group;
                    instance.discoveredAt = at;
                    group.instances.add(instance);
                }
                Instance ec2 = snapshot.instances().get(member.instanceId());
                instance.availabilityZone = member.availabilityZone();
                instance.lifecycleState = member.lifecycleStateAsString();
                instance.healthStatus = member.healthStatus();
                instance.instanceType = member.instanceType();
                instance.launchTemplateId = member.launchTemplate() == null ? null : member.launchTemplate().launchTemplateId();
                instance.launchTemplateVersion = member.launchTemplate() == null ? null : member.launchTemplate().version();
                instance.market = ec2 != null && "spot".equals(ec2.instanceLifecycleAsString()) ? "spot" : "on-demand";
                instance.privateIp = ec2 == null ? null : ec2.privateIpAddress();
                instance.privateDns = ec2 == null || ec2.privateDnsName() == null || ec2.privateDnsName().isBlank()
                        ? null : ec2.privateDnsName();
                instance.launchedAt = ec2 == null || ec2.launchTime() == null ? null : ec2.launchTime().atOffset(ZoneOffset.UTC);
                instanceCount++;
            }
            group.instances.removeIf(i -> !present.contains(i.instanceId));
            if (group.id == null) {
                group.persist();
            }
            stored.put(group.name, group);
        }
        if (full) {
            for (ScalingGroup gone : known.values()) {
                if (!seen.contains(gone.name)) {
                    gone.delete();
                }
            }
        }
        ScalingGroup.flush();
        // Templates first: a group's kind reads its template's market.
        Map<String, ScalingLaunchTemplate> knownTemplates = ScalingLaunchTemplate.<ScalingLaunchTemplate>listAll().stream()
                .collect(Collectors.toMap(t -> t.templateId, t -> t));
        for (var entry : snapshot.templates().entrySet()) {
            LaunchTemplate lt = entry.getValue();
            ScalingLaunchTemplate row = knownTemplates.getOrDefault(lt.launchTemplateId(), new ScalingLaunchTemplate());
            row.templateId = lt.launchTemplateId();
            row.name = lt.launchTemplateName();
            row.defaultVersion = lt.defaultVersionNumber();
            row.latestVersion = lt.latestVersionNumber();
            LaunchTemplateVersion version = snapshot.defaultVersions().get(lt.launchTemplateId());
            row.defaultUserData = version == null ? null : decode(version.launchTemplateData().userData());
            row.defaultMarket = version != null && version.launchTemplateData().instanceMarketOptions() != null
                    && "spot".equals(version.launchTemplateData().instanceMarketOptions().marketTypeAsString()) ? "spot" : "on-demand";
            row.discoveredAt = at;
            if (row.id == null) {
                row.persist();
            }
        }
        if (full) {
            Set<String> used = stored.values().stream().map(g -> g.launchTemplateId)
                    .filter(java.util.Objects::nonNull).collect(Collectors.toSet());
            knownTemplates.values().stream().filter(t -> !used.contains(t.templateId)).forEach(ScalingLaunchTemplate::delete);
        }
        Map<String, String> markets = ScalingLaunchTemplate.<ScalingLaunchTemplate>listAll().stream()
                .collect(Collectors.toMap(t -> t.templateId, t -> t.defaultMarket == null ? "on-demand" : t.defaultMarket));
        Set<String> backedUp = ScalingGroup.<ScalingGroup>list("backupFor is not null").stream().map(g -> g.backupFor)
                .collect(Collectors.toSet());
        for (ScalingGroup group : stored.values()) {
            if (group.isBackup()) {
                Optional<ScalingGroup> spot = Optional.ofNullable(stored.get(group.backupFor)).or(() -> ScalingGroup.named(group.backupFor));
                if (spot.isEmpty()) {
                    notes.add(group.name + " is tagged as backup for " + group.backupFor + ", which was not found");
                } else if (!spot.get().environment.equals(group.environment) || !spot.get().nodeType.equals(group.nodeType)) {
                    notes.add(group.name + " backs " + group.backupFor + " but serves a different environment or node type");
                }
                continue;
            }
            boolean named = backedUp.contains(group.name);
            boolean spotTemplate = group.launchTemplateId != null && "spot".equals(markets.get(group.launchTemplateId));
            long spotInstances = group.instances.stream().filter(i -> "spot".equals(i.market)).count();
            boolean spotPolicy = spotPolicy(snapshot, group.name);
            boolean spot = named || spotTemplate || spotPolicy || (!group.instances.isEmpty() && spotInstances * 2 >= group.instances.size());
            group.kindLabel = (spot ? ScalingGroup.Kind.SPOT : ScalingGroup.Kind.ON_DEMAND).label;
        }
        ScalingDiscovery run = record(started, triggeredBy, "succeeded", stored.size(), instanceCount,
                notes.isEmpty() ? null : String.join("; ", notes));
        if (!notes.isEmpty()) {
            LOG.infof("Scaling discovery notes: %s", run.notes);
        }
        return run;
    }

    private static boolean spotPolicy(Snapshot snapshot, String name) {
        return snapshot.groups().stream().filter(g -> g.autoScalingGroupName().equals(name)).findFirst()
                .map(AutoScalingGroup::mixedInstancesPolicy).map(p -> p.instancesDistribution())
                .map(d -> d.onDemandPercentageAboveBaseCapacity() != null && d.onDemandPercentageAboveBaseCapacity() == 0)
                .orElse(false);
    }

    private ScalingDiscovery record(OffsetDateTime started, String triggeredBy, String outcome, int groups, int instances,
            String notes) {
        ScalingDiscovery run = new ScalingDiscovery();
        run.startedAt = started;
        run.finishedAt = now();
        run.triggeredBy = triggeredBy;
        run.outcome = outcome;
        run.groups = groups;
        run.instances = instances;
        run.notes = notes == null || notes.length() <= 4000 ? notes : notes.substring(0, 4000) + "…";
        run.persist();
        return run;
    }

    private static Optional<LaunchTemplateSpecification> templateOf(AutoScalingGroup group) {
        if (group.launchTemplate() != null) {
            return Optional.of(group.launchTemplate());
        }
        if (group.mixedInstancesPolicy() != null && group.mixedInstancesPolicy().launchTemplate() != null) {
            return Optional.ofNullable(group.mixedInstancesPolicy().launchTemplate().launchTemplateSpecification());
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- capacity

    static String decode(String base64) {
        if (base64 == null || base64.isBlank()) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
