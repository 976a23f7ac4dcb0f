package io.parley.platform.calls;

import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import org.hibernate.annotations.DynamicUpdate;

/**
 * One dial of a call: recorded (status {@code dialing}, no carrier id) before the carrier is asked, so
 * that an instance dying mid-dial leaves a trace the reconciler resolves instead of a second dial.
 */
@Entity
@DynamicUpdate
@Table(name = "call_attempts")
public class CallAttempt {

    /** Where an attempt is; {@code abandoned}: it never reached the carrier (see the reconciler). */
    public enum Status {
        DIALING, RINGING, IN_PROGRESS, COMPLETED, BUSY, NO_ANSWER, VOICEMAIL, FAILED, ABANDONED;

        public String wire() { return name().toLowerCase(Locale.ROOT); }

        /** Order of progress: a report of a lower or equal rank than where the attempt is comes late or twice. */
        int rank() {
            return switch (this) {
                case DIALING -> 0;
                case RINGING -> 1;
                case IN_PROGRESS -> 2;
                default -> 3;
            };
        }

        public boolean terminal() { return rank() == 3; }

        public static Status fromCarrier(String wire) { return fromWire(wire); }

        static Status fromWire(String wire) { return valueOf(wire.toUpperCase(Locale.ROOT)); }
    }

    @Id
    private UUID id;

    @Column(name = "tenant_id", nullable = false)
    private UUID tenantId;

    @Column(name = "call_id", nullable = false)
    private UUID callId;

    @Column(nullable = false)
    private int number;

    @Column(nullable = false)
    private String status;

    @Column(nullable = false)
    private String carrier;

    @Column(name = "from_number", nullable = false)
    private String fromNumber;

    @Column(name = "claim_token", nullable = false)
    private long claimToken;

    @Column(nullable = false)
    private String dispatcher;

    @Column(name = "provider_call_id")
    private String providerCallId;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "dialed_at")
    private Instant dialedAt;

    @Column(name = "ended_at")
    private Instant endedAt;

    private String reason;

    @Column(name = "answered_by")
    private String answeredBy;

    protected CallAttempt() {}

    CallAttempt(TenantId tenant, UUID callId, int number, String carrier, String from, long claimToken, String dispatcher, Instant now) {
        this.id = Ids.next();
        this.tenantId = tenant.value();
        this.callId = callId;
        this.number = number;
        this.status = Status.DIALING.wire();
        this.carrier = carrier;
        this.fromNumber = from;
        this.claimToken = claimToken;
        this.dispatcher = dispatcher;
        this.createdAt = now;
    }

    /** The carrier took the dial and named the call {@code providerCallId}. */
    void placed(String providerCallId, Instant now) {
        this.providerCallId = providerCallId;
        this.dialedAt = now;
    }

    /** Moves to {@code next} if that is progress; false for a report that came late or twice. */
    boolean advance(Status next, String answeredBy, String reason, Instant at) {
        if (next.rank() <= status().rank()) {
            if (answeredBy != null && this.answeredBy == null && !status().terminal()) {
                this.answeredBy = answeredBy;   // who answered can be learnt after the answer itself (the carrier's detection)
            }
            return false;
        }
        this.status = next.wire();
        if (answeredBy != null) {
            this.answeredBy = answeredBy;
        }
        if (next.terminal()) {
            this.reason = reason;
            this.endedAt = at;
        }
        return true;
    }

    void end(Status outcome, String reason, Instant now) {
        this.status = outcome.wire();
        this.reason = reason;
        this.endedAt = now;
    }

    public UUID id() { return id; }
    public UUID callId() { return callId; }
    public int number() { return number; }
    public Status status() { return Status.fromWire(status); }
    public String carrier() { return carrier; }
    public String from() { return fromNumber; }
    public String providerCallId() { return providerCallId; }
    /** {@code human} or {@code machine} once the carrier knows, else null. */
    public String answeredBy() { return answeredBy; }
    public Instant createdAt() { return createdAt; }
    public Instant dialedAt() { return dialedAt; }
    public String dispatcher() { return dispatcher; }
}
