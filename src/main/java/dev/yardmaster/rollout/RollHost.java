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

/** One host in one roll: its batch, where it is, why it ended as it did, and its command log. */
@Entity
@jakarta.persistence.Table(name = "roll_host")
public class RollHost extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "roll_id")
    public long rollId;

    public int position;
    public int batch;
    public String name;
    public String address;
    public int port;
    public String source;

    @Column(name = "source_id")
    public String sourceId;

    public String service;

    @Enumerated(EnumType.STRING)
    public HostStatus status;

    @Enumerated(EnumType.STRING)
    public Step step;

    public String reason;

    @Column(name = "from_evr")
    public String fromEvr;

    @Column(name = "to_evr")
    public String toEvr;

    /** This host's own target (a rollback roll: the build it ran before); null: the roll's. */
    @Column(name = "target_evr")
    public String targetEvr;

    public int restarts;
    public int attempts;
    public String log = "";

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;

    public static List<RollHost> of(long rollId) {
        return list("rollId = ?1 order by position", rollId);
    }

    public static List<RollHost> inBatch(long rollId, int batch) {
        return list("rollId = ?1 and batch = ?2 order by position", rollId, batch);
    }
}
