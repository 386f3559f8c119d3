package dev.yardmaster.scaling;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** An EC2 Auto Scaling group as last discovered, mapped to an environment and node type by its tags. */
@Entity
@Table(name = "scaling_group")
public class ScalingGroup extends PanacheEntityBase {

    /** What the group buys: spot capacity, on-demand capacity standing in for a spot group, or plain on-demand. */
    public enum Kind {
        SPOT("spot"), BACKUP("backup"), ON_DEMAND("on-demand");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        public static Kind of(String label) {
            for (Kind kind : values()) {
                if (kind.label.equals(label)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException(label);
        }
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    public String arn;

    public String environment;

    @Column(name = "node_type")
    public String nodeType;

    /** Stored as its label; see {@link Kind}. */
    @Column(name = "kind")
    public String kindLabel;

    @Column(name = "backup_for")
    public String backupFor;

    @Column(name = "min_size")
    public int minSize;

    @Column(name = "max_size")
    public int maxSize;

    @Column(name = "desired_capacity")
    public int desiredCapacity;

    @Column(name = "default_cooldown")
    public int defaultCooldown;

    @Column(name = "launch_template_id")
    public String launchTemplateId;

    @Column(name = "launch_template_name")
    public String launchTemplateName;

    @Column(name = "launch_template_version")
    public String launchTemplateVersion;

    public String status;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> tags;

    @Column(name = "created_time")
    public OffsetDateTime createdTime;

    @Column(name = "discovered_at")
    public OffsetDateTime discoveredAt;

    @OneToMany(mappedBy = "group", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("launchedAt, instanceId")
    public List<ScalingInstance> instances = new ArrayList<>();

    public Kind kind() {
        return Kind.of(kindLabel);
    }

    public boolean isSpot() {
        return kind() == Kind.SPOT;
    }

    public boolean isBackup() {
        return kind() == Kind.BACKUP;
    }

    public long inService() {
        return instances.stream().filter(ScalingInstance::isInService).count();
    }

    public static Optional<ScalingGroup> named(String name) {
        return find("name", name).firstResultOptional();
    }

    /** The groups of one environment, by node type, spot before backup. */
    public static List<ScalingGroup> inEnvironment(String environment) {
        return list("environment = ?1 order by nodeType, kindLabel desc, name", environment);
    }

    public static List<ScalingGroup> of(String environment, String nodeType) {
        return list("environment = ?1 and nodeType = ?2 order by kindLabel desc, name", environment, nodeType);
    }

    /** The on-demand group that backs this spot group, if one is tagged so. */
    public Optional<ScalingGroup> backup() {
        return find("backupFor = ?1 and kindLabel = 'backup'", name).firstResultOptional();
    }
}
