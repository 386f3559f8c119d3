package dev.yardmaster.rollout;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** One package rolled to one build on the hosts of one environment. */
@Entity
public class Roll extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "package_name")
    public String packageName;

    public String environment;

    @Column(name = "target_evr")
    public String targetEvr;

    /** Every roll starts PENDING; only {@link RollTransitions} moves it on. */
    @Enumerated(EnumType.STRING)
    public RollStatus status = RollStatus.PENDING;

    public String reason;

    /** The plan as JSON ({@link RollPlan}). */
    public String plan;

    @Column(name = "batch_count")
    public int batchCount;

    /** The last batch started; -1 before the first. */
    @Column(name = "current_batch")
    public int currentBatch = -1;

    public boolean interrupt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    @Column(name = "lease_owner")
    public String leaseOwner;

    @Column(name = "lease_until")
    public OffsetDateTime leaseUntil;

    /**
     * The fencing token of the current lease: moves up by one at every claim. The runner states it
     * in every write it makes about the roll and its hosts, so a holder that lost the lease (hung,
     * partitioned, or superseded after a retry) writes nothing.
     */
    public long fence;

    /** Optimistic lock: a write based on a stale read fails instead of overwriting. */
    @jakarta.persistence.Version
    public long version;

    /** Who sent the Idempotency-Key: keys are per principal. */
    @Column(name = "idempotency_principal")
    public String idempotencyPrincipal;

    /** SHA-256 of the request a key was first sent with: the same key with another body is refused. */
    @Column(name = "request_hash")
    public String requestHash;

    /** {@code halt} or {@code rollback}: what a halted roll does ({@link RollPlan.OnFailure}). */
    @Column(name = "on_failure")
    @Enumerated(EnumType.STRING)
    public RollPlan.OnFailure onFailure = RollPlan.OnFailure.halt;

    /** The halted roll this one rolls back (null: not a rollback). A rollback is never rolled back. */
    @Column(name = "rollback_of")
    public Long rollbackOf;

    /** Halted with {@code onFailure: rollback} and its rollback not started yet (set in the halt's transaction). */
    @Column(name = "rollback_due")
    public boolean rollbackDue;

    /** The roll that rolled this one back, if any. */
    public static Optional<Long> rolledBackBy(long id) {
        return find("rollbackOf", id).<Roll>firstResultOptional().map(r -> r.id);
    }

    public static List<Roll> newestFirst(int limit) {
        return find("order by id desc").page(0, limit).list();
    }

    public static Optional<Roll> activeFor(String packageName, String environment) {
        return find("packageName = ?1 and environment = ?2 and status in ?3", packageName, environment,
                RollStatus.ACTIVE).firstResultOptional();
    }

    public static Optional<Roll> withIdempotencyKey(String principal, String key) {
        return find("idempotencyPrincipal = ?1 and idempotencyKey = ?2", principal, key).firstResultOptional();
    }
}
