package io.parley.platform.telephony;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A carrier that places calls: Twilio for live keys, the sandbox for test mode and the embedded default.
 *
 * <p>{@link #dial} is asked at most once per attempt by the dispatcher, after the attempt is recorded. Its
 * outcome can be unknown (a timeout, a dropped connection, the instance dying): the reconciler then asks
 * {@link #find} whether the carrier has a call for that attempt before anything is dialled again.
 */
public interface Telephony {

    /**
     * One dial: the attempt's id travels with the call so the carrier can be asked about it later.
     *
     * @param streamToken the call token the carrier hands the voice runtime when the callee answers (Twilio: a
     *                    {@code <Parameter name="token">} of {@code <Connect><Stream>}); null when no runtime is configured
     * @param voicemailMessage what to leave when an answering machine takes the call; null: hang up
     * @param record           whether the call is recorded (the carrier hands the audio to {@link CarrierRecordings})
     */
    record Dial(UUID attemptId, UUID callId, TenantId tenant, Mode mode, String from, String to, Instant requestedAt, String streamToken,
                String voicemailMessage, boolean record) {
        public Dial(UUID attemptId, UUID callId, TenantId tenant, Mode mode, String from, String to, Instant requestedAt, String streamToken) {
            this(attemptId, callId, tenant, mode, from, to, requestedAt, streamToken, null, false);
        }
    }

    /** The carrier took the dial; its own id for the call. */
    record Placed(String providerCallId) {}

    /** This carrier's name, stored with each attempt ({@code sandbox}, {@code twilio}). */
    String carrier();

    /**
     * Places the call.
     *
     * @throws Refused when the carrier answered that it will not place it (a number it cannot call, an
     *         account problem): the attempt failed and was not placed
     * @throws RuntimeException when the outcome is unknown: the attempt stays unconfirmed for the reconciler
     */
    Placed dial(Dial dial) throws Refused;

    /** The call the carrier placed for this attempt, if it placed one (for the reconciler). */
    Optional<Placed> find(UUID attemptId, String to, Instant requestedAt);

    /**
     * Has the carrier send calls to {@code phoneNumber} (one of its numbers) to Parley; answers the carrier's id
     * for the number, or null when it has none (the sandbox needs nothing).
     *
     * @throws Refused when the number is not the carrier's to give
     */
    default String answerAt(String phoneNumber) throws Refused {
        return null;
    }

    /**
     * Puts a call under way through to {@code to} (the voice runtime's stream ends; the caller and {@code to} talk).
     *
     * @throws UnsupportedOperationException when this carrier cannot
     */
    default void transfer(String providerCallId, String to) {
        throw new UnsupportedOperationException("the " + carrier() + " carrier cannot transfer calls");
    }

    /** Ends a call the carrier placed (one placed too late to be wanted). */
    void hangUp(String providerCallId);

    /** The carrier refused a dial; nothing was placed. */
    final class Refused extends Exception {
        public Refused(String reason) {
            super(reason);
        }
    }
}
