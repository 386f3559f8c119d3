package dev.yardmaster.promotion;

import dev.yardmaster.environment.Environment;
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
import java.util.Map;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A change to an environment directory that no promotion of Yardmaster's made: a link added,
 * removed or replaced, or the metadata refreshed by hand. It stays on the environment and
 * drift pages until someone who may promote into the environment acknowledges it.
 */
@Entity
@Table(name = "repo_change")
public class RepoChange extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "environment_id")
    public Environment environment;

    @Column(name = "detected_at")
    public OffsetDateTime detectedAt;

    /** One line for the banner: "flingerator-1.2.0-1.noarch.rpm added; metadata refreshed". */
    public String summary;

    /** What the directory served before: files (name → target, "file" for a plain file), repomd, live builds. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> before;

    /** The same after the change. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> after;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    @Column(name = "acknowledged_at")
    public OffsetDateTime acknowledgedAt;

    /** Changes nobody has acknowledged yet, oldest first; all environments when {@code env} is null. */
    public static List<RepoChange> unacknowledged(Environment env) {
        return env == null ? list("acknowledgedAt is null order by id")
                : list("environment = ?1 and acknowledgedAt is null order by id", env);
    }

    /** The environment's changes, newest first. */
    public static List<RepoChange> of(Environment env, int max) {
        return RepoChange.<RepoChange>find("environment = ?1 order by id desc", env).range(0, max - 1).list();
    }
}
