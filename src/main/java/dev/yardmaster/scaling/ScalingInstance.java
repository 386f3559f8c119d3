package dev.yardmaster.scaling;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** One EC2 instance of an Auto Scaling group, as last discovered. */
@Entity
@Table(name = "scaling_instance")
public class ScalingInstance extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "instance_id")
    public String instanceId;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "group_id")
    public ScalingGroup group;

    @Column(name = "availability_zone")
    public String availabilityZone;

    /** Auto Scaling's lifecycle state: Pending, InService, Terminating, Terminated, ... */
    @Column(name = "lifecycle_state")
    public String lifecycleState;

    @Column(name = "health_status")
    public String healthStatus;

    @Column(name = "instance_type")
    public String instanceType;

    /** spot or on-demand. */
    public String market;

    @Column(name = "private_ip")
    public String privateIp;

    @Column(name = "private_dns")
    public String privateDns;

    @Column(name = "launch_template_id")
    public String launchTemplateId;

    @Column(name = "launch_template_version")
    public String launchTemplateVersion;

    @Column(name = "launched_at")
    public OffsetDateTime launchedAt;

    /** When discovery first saw the instance (its group's discoveredAt says when it was last seen). */
    @Column(name = "discovered_at")
    public OffsetDateTime discoveredAt;

    public boolean isInService() {
        return "InService".equals(lifecycleState);
    }

    /** The address a roll connects to: private IP, else private DNS name. */
    public String address() {
        return privateIp != null && !privateIp.isBlank() ? privateIp : privateDns;
    }

    public static Optional<ScalingInstance> byInstanceId(String instanceId) {
        return find("instanceId", instanceId).firstResultOptional();
    }

    /** InService instances of an environment's groups: the hosts a roll of that environment reaches. */
    public static List<ScalingInstance> inServiceIn(String environment) {
        return list("group.environment = ?1 and lifecycleState = 'InService' order by group.nodeType, instanceId",
                environment);
    }
}
