package dev.yardmaster.build;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/** One RPM from the repo server's build/ directory, as its header describes it. */
@Entity
public class Build extends PanacheEntityBase {

    /** Whether the file is still in build/. */
    public enum State { present, missing }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "file_name")
    public String fileName;

    @Column(name = "package")
    public String packageName;

    public Integer epoch;
    public String version;
    public String release;
    public String arch;
    public String nevra;
    public String summary;

    @Column(name = "build_time")
    public OffsetDateTime buildTime;

    @Column(name = "build_host")
    public String buildHost;

    public String license;

    @Column(name = "file_size")
    public long fileSize;

    public String sha256;

    @Column(name = "source_rpm")
    public String sourceRpm;

    public String vcs;

    @Column(name = "changelog_text")
    public String changelogText;

    @Column(name = "changelog_author")
    public String changelogAuthor;

    @Column(name = "changelog_time")
    public OffsetDateTime changelogTime;

    @Column(name = "commit_author")
    public String commitAuthor;

    @Column(name = "commit_reviewer")
    public String commitReviewer;

    @Column(name = "commit_message")
    public String commitMessage;

    public boolean unreviewed;

    @Column(name = "file_mtime")
    public OffsetDateTime fileMtime;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public State state = State.present;

    @Column(name = "first_seen_at", insertable = false, updatable = false)
    public OffsetDateTime firstSeenAt;

    /** When the file was last read, or came back after being missing (unchanged rescans write nothing). */
    @Column(name = "last_seen_at")
    public OffsetDateTime lastSeenAt;

    /** {@link Evr#sortKey()}: lets the database order builds by rpm version (migration V95). */
    @Column(name = "evr_key")
    byte[] evrKey;

    @jakarta.persistence.PrePersist
    @jakarta.persistence.PreUpdate
    void keepSortKey() {
        evrKey = toEvr().sortKey();
    }

    public boolean isPresent() {
        return state == State.present;
    }

    /** [epoch:]version-release. */
    public String evr() {
        return (epoch == null || epoch == 0 ? "" : epoch + ":") + version + "-" + release;
    }

    /** This build's epoch/version/release for rpm version order. */
    public Evr toEvr() {
        return new Evr(epoch == null ? 0 : epoch, version, release);
    }

    /** The newest present build of a package by rpm version order (not by upload time). */
    public static Optional<Build> latestOf(String packageName) {
        return Build.<Build>list("packageName = ?1 and state = ?2", packageName, State.present).stream()
                .max(java.util.Comparator.comparing(Build::toEvr).thenComparing(b -> b.id));
    }

    public static Optional<Build> byNevra(String nevra) {
        return find("nevra = ?1 order by id desc", nevra).firstResultOptional();
    }

    public static Optional<Build> byFileName(String fileName) {
        return find("fileName", fileName).firstResultOptional();
    }

    /** Builds of a package whose version, version-release or epoch:version-release is {@code version}. */
    public static List<Build> matching(String packageName, String version) {
        return list("packageName = ?1 and state = ?3 and (version = ?2 or concat(version, '-', release) = ?2 "
                + "or concat(coalesce(cast(epoch as string), '0'), ':', version, '-', release) = ?2)",
                packageName, version, State.present);
    }

    /** File names of every build of a package, present or not: what an environment may link to. */
    public static List<String> fileNamesOf(String packageName) {
        return getEntityManager().createQuery("select b.fileName from Build b where b.packageName = :p", String.class)
                .setParameter("p", packageName).getResultList();
    }

    /** Package names that have builds, sorted. */
    public static List<String> packages() {
        return getEntityManager().createQuery("select distinct b.packageName from Build b order by 1", String.class)
                .getResultList();
    }
}
