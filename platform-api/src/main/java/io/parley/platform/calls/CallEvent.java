package io.parley.platform.calls;

import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One entry of a call's append-only log: what happened, when, who did it and why. platform-api writes
 * its own (created, canceled, ...); the voice runtime's (started, turns, tool calls, usage, ended) are
 * written by {@link io.parley.platform.calls.runtime.RuntimeEventConsumer}.
 */
@Entity
@Immutable
@Table(name = "call_events")
public class CallEvent {

    @Id
    private UUID id;

    @Column(name = "tenant_id", nullable = false)
    private UUID tenantId;

    @Column(name = "call_id", nullable = false)
    private UUID callId;

    @Column(nullable = false)
    private String type;

    @Column(name = "from_status")
    private String fromStatus;

    @Column(name = "to_status")
    private String toStatus;

    @Column(nullable = false)
    private String actor;

    private String reason;

    @Column(name = "occurred_at", nullable = false)
    private Instant occurredAt;

    /** What the voice runtime reported with its events, as JSON text; null for platform-api's own events. */
    @JdbcTypeCode(SqlTypes.JSON)
    private String data;

    protected CallEvent() {}

    CallEvent(TenantId tenant, UUID callId, String type, CallStatus from, CallStatus to, String actor, String reason, Instant at) {
        this.id = Ids.next();
        this.tenantId = tenant.value();
        this.callId = callId;
        this.type = type;
        this.fromStatus = from == null ? null : from.wire();
        this.toStatus = to == null ? null : to.wire();
        this.actor = actor;
        this.reason = reason;
        this.occurredAt = at;
    }

    public UUID id() { return id; }
    public UUID callId() { return callId; }
    public String type() { return type; }
    public CallStatus fromStatus() { return fromStatus == null ? null : CallStatus.fromWire(fromStatus); }
    public CallStatus toStatus() { return toStatus == null ? null : CallStatus.fromWire(toStatus); }
    public String actor() { return actor; }
    public String reason() { return reason; }
    public Instant occurredAt() { return occurredAt; }
    public String data() { return data; }
}
