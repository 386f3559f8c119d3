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

/** One discovery run: when, who or what started it, and what it found or why it failed. */
@Entity
@Table(name = "scaling_discovery")
public class ScalingDiscovery extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    @Column(name = "triggered_by")
    public String triggeredBy;

    /** succeeded or failed. */
    public String outcome;

    public int groups;

    public int instances;

    /** Groups ignored and why, or the failure. */
    public String notes;

    public boolean succeeded() {
        return "succeeded".equals(outcome);
    }

    public static Optional<ScalingDiscovery> latest() {
        return find("order by finishedAt desc, id desc").firstResultOptional();
    }

    public static Optional<ScalingDiscovery> latestSucceeded() {
        return find("outcome = 'succeeded' order by finishedAt desc, id desc").firstResultOptional();
    }
}
