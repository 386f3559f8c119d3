package dev.yardmaster.notification;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;

/** One notification of one audit event to one endpoint, and how its delivery went. */
@Entity
@Table(name = "webhook_delivery")
public class WebhookDelivery extends PanacheEntityBase {

    public enum Status { pending, delivered, failed }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String endpoint;

    @Column(name = "audit_event_id")
    public long auditEventId;

    @Column(name = "event_type")
    public String eventType;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status = Status.pending;

    public int attempts;

    @Column(name = "next_attempt_at")
    public OffsetDateTime nextAttemptAt;

    @Column(name = "last_status")
    public Integer lastStatus;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "delivered_at")
    public OffsetDateTime deliveredAt;

    /** Due deliveries, locked for this transaction; rows another replica holds are skipped. */
    @SuppressWarnings("unchecked")
    static List<WebhookDelivery> claimDue(int max) {
        return getEntityManager().createNativeQuery("""
                SELECT * FROM webhook_delivery
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT :max FOR UPDATE SKIP LOCKED""", WebhookDelivery.class)
                .setParameter("max", max).getResultList();
    }

    public static List<WebhookDelivery> newestFirst(String endpoint, String status, int limit) {
        StringBuilder query = new StringBuilder("1 = 1");
        var params = new java.util.HashMap<String, Object>();
        if (endpoint != null && !endpoint.isBlank()) {
            query.append(" and endpoint = :endpoint");
            params.put("endpoint", endpoint);
        }
        if (status != null && !status.isBlank()) {
            query.append(" and status = :status");
            params.put("status", Status.valueOf(status));
        }
        return find(query + " order by id desc", params).range(0, limit - 1).list();
    }
}
