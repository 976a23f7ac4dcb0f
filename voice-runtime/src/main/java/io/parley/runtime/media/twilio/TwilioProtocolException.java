package io.parley.runtime.media.twilio;

/** A frame that is not a well-formed Media Streams message; {@link #reason()} is a metric tag. */
public final class TwilioProtocolException extends RuntimeException {

    /** Why a frame was refused; each is counted separately. */
    public enum Reason { NOT_JSON, UNKNOWN_EVENT, MISSING_FIELD, BAD_PAYLOAD, TOO_LARGE }

    private final Reason reason;

    public TwilioProtocolException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
