package dev.yardmaster.build;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;

/** A file in build/ that could not be indexed, with the reason shown in the UI and API. */
@Entity
@Table(name = "rejected_file")
public class RejectedFile extends PanacheEntityBase {

    @Id
    @Column(name = "file_name")
    public String fileName;

    public String reason;

    @Column(name = "file_size")
    public Long fileSize;

    @Column(name = "file_mtime")
    public OffsetDateTime fileMtime;

    @Column(name = "first_seen_at", insertable = false, updatable = false)
    public OffsetDateTime firstSeenAt;

    @Column(name = "last_seen_at")
    public OffsetDateTime lastSeenAt;

    public static List<RejectedFile> byName() {
        return list("order by fileName");
    }
}
