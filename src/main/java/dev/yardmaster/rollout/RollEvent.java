package dev.yardmaster.rollout;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.OffsetDateTime;
import java.util.List;

/** A persisted roll event; its id is the SSE id, so a reconnecting browser replays from here. */
@Entity
@jakarta.persistence.Table(name = "roll_event")
public class RollEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "roll_id")
    public long rollId;

    /** Past tense: RollChanged, BatchStarted, HostChanged. */
    public String type;

    /** JSON. */
    public String data;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    public static List<RollEvent> after(Long rollId, long lastId, int limit) {
        if (rollId == null) {
            return find("id > ?1 and type <> 'HostChanged' order by id", lastId).page(0, limit).list();
        }
        return find("rollId = ?1 and id > ?2 order by id", rollId, lastId).page(0, limit).list();
    }
}
