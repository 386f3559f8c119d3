package dev.yardmaster.promotion;

import dev.yardmaster.build.Build;
import dev.yardmaster.environment.Environment;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** A build asked into an environment, who asked, who approved, and what became of it. */
@Entity
public class Promotion extends PanacheEntityBase {

    /** Lifecycle of a promotion; {@link #isOpen()} ones still wait for something. */
    public enum State {
        requested, approved, applied, failed, rejected, expired, superseded;

        public boolean isOpen() {
            return this == requested || this == approved;
        }

        /** Was live in its environment at some point. */
        public boolean wasLive() {
            return this == applied || this == superseded;
        }
    }

    /**
     * How a live build came to be recorded: through the console, found in the environment's
     * directory when Yardmaster first read it, or followed after someone changed the directory
     * by hand. Adopted and outside ones have no promoter (requested by the system).
     */
    public enum Origin {
        console, adopted, outside
    }
    /** Optimistic lock: a decision based on a stale read fails instead of overwriting another. */
    @jakarta.persistence.Version
    public long version;

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "build_id")
    public Build build;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "environment_id")
    public Environment environment;

    @Column(name = "package")
    public String packageName;

    @Enumerated(EnumType.STRING)
    public State state;

    public String reason;

    public boolean forced;

    @Column(name = "rollback_of")
    public Long rollbackOf;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "on_behalf_of")
    public String onBehalfOf;

    @Column(name = "client_id")
    public String clientId;

    @Column(name = "requested_at")
    public OffsetDateTime requestedAt;

    @Column(name = "expires_at")
    public OffsetDateTime expiresAt;

    @Column(name = "decided_by")
    public String decidedBy;

    @Column(name = "decided_at")
    public OffsetDateTime decidedAt;

    @Column(name = "decision_note")
    public String decisionNote;

    @Column(name = "applied_at")
    public OffsetDateTime appliedAt;

    @Column(name = "superseded_at")
    public OffsetDateTime supersededAt;

    @Column(name = "superseded_by")
    public Long supersededBy;

    public String failure;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Enumerated(EnumType.STRING)
    public Origin origin = Origin.console;

    /** Whether a person or bot asked for this build here (not adopted from or followed in the repo). */
    public boolean hasPromoter() {
        return origin == Origin.console;
    }

    /** The live promotion of a package in an environment. */
    public static Optional<Promotion> currentIn(Environment env, String packageName) {
        return find("environment = ?1 and packageName = ?2 and state = ?3", env, packageName, State.applied)
                .firstResultOptional();
    }

    /** Every live promotion of an environment, by package name. */
    public static List<Promotion> liveIn(Environment env) {
        return list("environment = ?1 and state = ?2 order by packageName", env, State.applied);
    }

    /** What was live when: a package's applied and superseded promotions, newest first. */
    public static List<Promotion> historyOf(Environment env, String packageName) {
        return list("environment = ?1 and packageName = ?2 and state in ?3 order by appliedAt desc",
                env, packageName, List.of(State.applied, State.superseded));
    }

    /** Whether the build was ever live in the environment (the lifecycle's "passed" test). */
    public static boolean wasLive(Build build, Environment env) {
        return count("build = ?1 and environment = ?2 and state in ?3", build, env,
                List.of(State.applied, State.superseded)) > 0;
    }

    /** The open request for this build in this environment, if one waits. */
    public static Optional<Promotion> openFor(Build build, Environment env) {
        return find("build = ?1 and environment = ?2 and state in ?3", build, env,
                List.of(State.requested, State.approved)).firstResultOptional();
    }

    /** Requests waiting for a release manager's decision, oldest first. */
    public static List<Promotion> awaitingApproval() {
        return list("state = ?1 order by requestedAt", State.requested);
    }

    public static Optional<Promotion> byIdempotencyKey(String requestedBy, String key) {
        return find("requestedBy = ?1 and idempotencyKey = ?2", requestedBy, key).firstResultOptional();
    }
}
