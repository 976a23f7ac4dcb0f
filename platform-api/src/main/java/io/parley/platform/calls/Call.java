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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.Mutability;
import org.hibernate.type.descriptor.java.Immutability;
import org.hibernate.type.SqlTypes;

/**
 * A call from a persona to one number, now or at a scheduled instant.
 *
 * <p>An update writes only the columns it changed ({@code @DynamicUpdate}), and the variables and retry
 * outcomes are replaced, never changed in place ({@code Immutability}): a dispatch or a carrier's report
 * then neither serialises the variables to compare them nor writes them back.
 */
@Entity
@DynamicUpdate
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

    /** Who is reminded by email before the call (when SMTP is configured); null: nobody. */
    @Column(name = "reminder_email")
    private String reminderEmail;

    /** Whether the call is recorded (the request's choice, else its persona's). */
    @Column(nullable = false)
    private boolean record;

    /** {@code outbound}: placed to {@code toNumber}; {@code inbound}: {@code toNumber} called one of the tenant's numbers. */
    @Column(nullable = false)
    private String direction = "outbound";

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
    @Mutability(Immutability.class)
    @Column(nullable = false, columnDefinition = "jsonb")
    private Map<String, Object> variables;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "canceled_at")
    private Instant canceledAt;

    /** Attempts that reached the carrier (an abandoned one, which never did, is not counted). */
    @Column(nullable = false)
    private int attempts;

    /** The fencing token of the dispatcher's latest claim (see V4__call_dispatch.sql). */
    @Column(name = "claim_token")
    private Long claimToken;

    @Column(name = "claimed_by")
    private String claimedBy;

    /** Not claimable before this instant: the claim's lease, or a deferral (a tenant at its limit). */
    @Column(name = "claim_until")
    private Instant claimUntil;

    /** Why the call ended where it did, once it is over. */
    @Column(name = "final_reason")
    private String finalReason;

    /** When its persona's reminder is due; null when none is (none asked for, sent, or the call no longer scheduled). */
    @Column(name = "remind_at")
    private Instant remindAt;

    /** Attempts the call may take in all (its retry policy). */
    @Column(name = "max_attempts", nullable = false)
    private int maxAttempts = RetryPolicy.DEFAULT.maxAttempts();

    /** Outcomes that schedule another attempt: busy, no_answer, voicemail, failed. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Mutability(Immutability.class)
    @Column(name = "retry_on", nullable = false)
    private List<String> retryOn = new ArrayList<>(RetryPolicy.DEFAULT.on());

    /** The wait before the second attempt; each further one waits twice as long (with jitter). */
    @Column(name = "retry_backoff_seconds", nullable = false)
    private int retryBackoffSeconds = RetryPolicy.DEFAULT.backoffSeconds();

    /** The version of its persona it runs on: the one current when it was placed. */
    @Column(name = "persona_version")
    private Long personaVersion;

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

    /**
     * A call {@code caller} placed to one of the tenant's numbers, answered by {@code personaId}: ringing, its one
     * attempt the carrier's, never retried.
     */
    static Call inbound(TenantId tenant, UUID personaId, String caller, Mode mode, boolean record, Instant now) {
        Call call = new Call(tenant, personaId, caller, mode, new When(now, null, null, null), Map.of(), now);
        call.record = record;
        call.direction = "inbound";
        call.status = CallStatus.RINGING.wire();
        call.attempts = 1;
        call.maxAttempts = 1;
        call.retryOn = new ArrayList<>();
        return call;
    }

    /** Which outcomes are tried again, how often in all, and how long the first wait is. */
    public record RetryPolicy(List<String> on, int maxAttempts, int backoffSeconds) {
        public static final List<String> OUTCOMES = List.of("busy", "no_answer", "voicemail", "failed");
        public static final RetryPolicy DEFAULT = new RetryPolicy(List.of("busy", "no_answer", "failed"), 3, 300);
    }

    void retryPolicy(RetryPolicy policy) {
        this.retryOn = new ArrayList<>(policy.on());
        this.maxAttempts = policy.maxAttempts();
        this.retryBackoffSeconds = policy.backoffSeconds();
    }

    /** Whether an attempt that ended in {@code outcome} is followed by another. */
    boolean retries(String outcome) {
        return retryOn.contains(outcome) && attempts < maxAttempts;
    }

    /** The wait before the next attempt: backoff × 2^(attempts − 1), ±20 % jitter. */
    java.time.Duration nextBackoff(double jitter) {
        long base = (long) retryBackoffSeconds << Math.min(attempts - 1, 16);
        return java.time.Duration.ofMillis((long) (base * 1000 * (0.8 + 0.4 * jitter)));
    }

    /** After an attempt that ended in a retried outcome: due again at {@code at}. */
    CallStatus retryAt(Instant at, Instant now) {
        CallStatus from = transition(CallStatus.SCHEDULED, now);
        this.scheduledAt = at;
        this.claimToken = null;
        releaseClaim(null);
        return from;
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
        this.claimToken = null;   // a dispatcher holding a claim on the old time finds nothing to dial
        releaseClaim(null);
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
        if (target != CallStatus.SCHEDULED) {
            this.remindAt = null;   // a call under way or over is reminded of no more
        }
        if (target == CallStatus.CANCELED) {
            this.canceledAt = now;
        }
        return from;
    }

    /** A dispatcher starts attempt {@code attempts + 1}: the call is dialing and no longer claimed. */
    CallStatus startAttempt(Instant now) {
        CallStatus from = transition(CallStatus.DIALING, now);
        attempts++;
        releaseClaim(null);
        return from;
    }

    /** An attempt that never reached the carrier: the call is due again at once and the attempt not counted. */
    CallStatus requeue(Instant now) {
        CallStatus from = transition(CallStatus.SCHEDULED, now);
        attempts--;
        return from;
    }

    /** A claimed call that may not be dialled yet (its tenant at its limit): claimable again from {@code notBefore}. */
    void defer(Instant notBefore, Instant now) {
        releaseClaim(notBefore);
        this.updatedAt = now;
    }

    /** The reminder {@code minutesBefore} the call's time, if that is still ahead of {@code now}; none otherwise. */
    void remind(int minutesBefore, Instant now) {
        Instant at = minutesBefore <= 0 ? null : scheduledAt.minus(java.time.Duration.ofMinutes(minutesBefore));
        this.remindAt = at != null && at.isAfter(now) ? at : null;
    }

    /** The reminder was sent. */
    void reminded() {
        this.remindAt = null;
    }

    void finalReason(String reason) {
        this.finalReason = reason;
    }

    /** Ends the call where it is, with the reason. */
    CallStatus finish(CallStatus target, String reason, Instant now) {
        CallStatus from = transition(target, now);
        this.finalReason = reason;
        return from;
    }

    private void releaseClaim(Instant notBefore) {
        this.claimedBy = null;
        this.claimUntil = notBefore;
    }

    public UUID id() { return id; }
    public TenantId tenant() { return new TenantId(tenantId); }
    public UUID personaId() { return personaId; }
    public String to() { return toNumber; }
    public boolean inbound() { return "inbound".equals(direction); }
    public boolean record() { return record; }
    public String reminderEmail() { return reminderEmail; }
    void reminderEmail(String email) { this.reminderEmail = email; }
    void record(boolean record) { this.record = record; }
    public CallStatus status() { return CallStatus.fromWire(status); }
    public Mode mode() { return Mode.fromWire(mode); }
    public Instant scheduledAt() { return scheduledAt; }
    public Instant remindAt() { return remindAt; }
    public String timeZone() { return timeZone; }
    /** {@code given} or {@code inferred} (from the callee's number); null when the call has no zone. */
    public String timeZoneSource() { return timeZoneSource; }
    public LocalDateTime localTime() { return localTime; }
    public Map<String, Object> variables() { return Map.copyOf(variables); }
    /** The version of its persona it runs on; null for calls placed before personas had versions. */
    public Long personaVersion() { return personaVersion; }
    void personaVersion(long version) { this.personaVersion = version; }
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
    public Instant canceledAt() { return canceledAt; }
    public int attempts() { return attempts; }
    public RetryPolicy retryPolicy() { return new RetryPolicy(List.copyOf(retryOn), maxAttempts, retryBackoffSeconds); }
    Long claimToken() { return claimToken; }
    public String finalReason() { return finalReason; }

    /** What this call's credential is confined to: calls to this callee with this persona (see CallCredentials). */
    public CallGrant grant() { return new CallGrant(id, personaId, toNumber); }
}
