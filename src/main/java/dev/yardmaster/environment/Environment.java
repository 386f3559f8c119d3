package dev.yardmaster.environment;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** A stage of the release lifecycle (review, staging, prod), in the configured order. */
@Entity
public class Environment extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String name;

    public int position;

    public boolean retired;

    @Column(name = "locked_by")
    public String lockedBy;

    @Column(name = "lock_reason")
    public String lockReason;

    @Column(name = "locked_at")
    public OffsetDateTime lockedAt;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    /** The active environments, first stage first. */
    public static List<Environment> inLifecycleOrder() {
        return list("retired = false order by position");
    }

    public static Optional<Environment> named(String name) {
        return find("name", name).firstResultOptional();
    }

    /** The stage before this one, or empty for the first. */
    public Optional<Environment> previous() {
        return find("retired = false and position < ?1 order by position desc", position).firstResultOptional();
    }

    public boolean isLocked() {
        return lockedBy != null;
    }
}
