package io.parley.platform.calls;

import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A call from a persona to one number, now or at a scheduled instant. */
@Entity
@Table(name = "calls")
public class Call {

    @Id
    private UUID id;

    @Column(name = "tenant_id", nullable = false)
    private UUID tenantId;

    @Column(name = "persona_id", nullable = false)
    private UUID personaId;

    @Column(name = "to_number", nullable = false)
    private String toNumber;

    @Column(nullable = false)
    private String status;

    @Column(nullable = false)
    private String mode;

    @Column(name = "scheduled_at", nullable = false)
    private Instant scheduledAt;

    @Column(name = "time_zone")
    private String timeZone;

    @Column(name = "time_zone_source")
    private String timeZoneSource;

    /** The local date-time the call was booked for, when it was booked as one (else null). */
    @Column(name = "local_time")
    private LocalDateTime localTime;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    private Map<String, Object> variables;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "canceled_at")
    private Instant canceledAt;

    @Version
    private long version;

    protected Call() {}

    Call(TenantId tenant, UUID personaId, String to, Mode mode, When when, Map<String, Object> variables, Instant now) {
        this.id = Ids.next();
        this.tenantId = tenant.value();
        this.personaId = personaId;
        this.toNumber = to;
        this.status = CallStatus.SCHEDULED.wire();
        this.mode = mode.wire();
        schedule(when);
        this.variables = new LinkedHashMap<>(variables);
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** When a call is due: the instant, the callee's zone (null if unknown), where the zone came from, the booked local time. */
    record When(Instant at, String timeZone, TimeZoneSource source, LocalDateTime localTime) {}

    /** Where a call's time zone came from. */
    enum TimeZoneSource {
        GIVEN, INFERRED;

        String wire() { return name().toLowerCase(Locale.ROOT); }
    }

    private void schedule(When when) {
        this.scheduledAt = when.at();
        this.timeZone = when.timeZone();
        this.timeZoneSource = when.timeZone() == null ? null : when.source().wire();
        this.localTime = when.localTime();
    }

    /** Moves a scheduled call to another time (409 once it has started dialling). */
    void reschedule(When when, Instant now) {
        if (status() != CallStatus.SCHEDULED) {
            throw new ApiProblemException(ProblemType.INVALID_CALL_TRANSITION, "A " + status().wire() + " call cannot be rescheduled");
        }
        schedule(when);
        this.updatedAt = now;
    }

    /** Moves the call to {@code target}, or answers 409 if the call cannot go there from where it is. */
    CallStatus transition(CallStatus target, Instant now) {
        CallStatus from = status();
        if (!from.canBecome(target)) {
            throw new ApiProblemException(ProblemType.INVALID_CALL_TRANSITION,
                    "A " + from.wire() + " call cannot become " + target.wire());
        }
        this.status = target.wire();
        this.updatedAt = now;
        if (target == CallStatus.CANCELED) {
            this.canceledAt = now;
        }
        return from;
    }

    public UUID id() { return id; }
    public TenantId tenant() { return new TenantId(tenantId); }
    public UUID personaId() { return personaId; }
    public String to() { return toNumber; }
    public CallStatus status() { return CallStatus.fromWire(status); }
    public Mode mode() { return Mode.fromWire(mode); }
    public Instant scheduledAt() { return scheduledAt; }
    public String timeZone() { return timeZone; }
    /** {@code given} or {@code inferred} (from the callee's number); null when the call has no zone. */
    public String timeZoneSource() { return timeZoneSource; }
    public LocalDateTime localTime() { return localTime; }
    public Map<String, Object> variables() { return Map.copyOf(variables); }
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
    public Instant canceledAt() { return canceledAt; }

    /** What this call's credential is confined to: calls to this callee with this persona (see CallCredentials). */
    public CallGrant grant() { return new CallGrant(id, personaId, toNumber); }
}
