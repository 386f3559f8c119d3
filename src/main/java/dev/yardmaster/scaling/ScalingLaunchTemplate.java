package dev.yardmaster.scaling;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Optional;

/** A launch template used by a discovered group: its default version and that version's user data. */
@Entity
@Table(name = "scaling_launch_template")
public class ScalingLaunchTemplate extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "template_id")
    public String templateId;

    public String name;

    @Column(name = "default_version")
    public long defaultVersion;

    @Column(name = "latest_version")
    public long latestVersion;

    /** The default version's user data, decoded; null when it has none. */
    @Column(name = "default_user_data")
    public String defaultUserData;

    /** spot when the default version asks for spot instances, else on-demand. */
    @Column(name = "default_market")
    public String defaultMarket;

    @Column(name = "discovered_at")
    public OffsetDateTime discoveredAt;

    public static Optional<ScalingLaunchTemplate> byTemplateId(String templateId) {
        return find("templateId", templateId).firstResultOptional();
    }
}
