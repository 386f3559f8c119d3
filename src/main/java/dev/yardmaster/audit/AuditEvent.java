package dev.yardmaster.audit;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Map;
import com.fasterxml.jackson.annotation.JsonIgnore;
import org.hibernate.annotations.Formula;
import org.hibernate.annotations.Generated;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.generator.EventType;
import org.hibernate.type.SqlTypes;

/**
 * One line of the audit log. Rows are only ever inserted: the database refuses UPDATE,
 * DELETE and TRUNCATE, and fills {@code prevHash} and {@code hash} itself (see V2 migration).
 */
@Entity
@Immutable
@Table(name = "audit_event")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;

    public String actor;

    @Column(name = "on_behalf_of")
    public String onBehalfOf;

    public String roles;

    @Column(name = "client_id")
    public String clientId;

    @Column(name = "source_ip")
    public String sourceIp;

    @Column(name = "user_agent")
    public String userAgent;

    public String action;

    public String outcome;

    public String environment;

    @Column(name = "package")
    public String packageName;

    public String subject;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> details;

    /** The event's number in the log, 1, 2, 3, ... without gaps (ids may skip; see V76). */
    @Generated(event = EventType.INSERT)
    @Column(insertable = false, updatable = false)
    public Long seq;

    /** details exactly as PostgreSQL prints the jsonb: what the hash covers (exports carry it). */
    @JsonIgnore
    @Formula("details::text")
    public String detailsText;

    @Generated(event = EventType.INSERT)
    @Column(name = "prev_hash", insertable = false, updatable = false)
    public String prevHash;

    @Generated(event = EventType.INSERT)
    @Column(insertable = false, updatable = false)
    public String hash;
}
