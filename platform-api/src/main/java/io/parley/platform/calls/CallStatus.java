package io.parley.platform.calls;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a call is. Transitions not listed here are rejected; terminal states have none.
 * <pre>scheduled → dialing → ringing → in_progress → completed | busy | no_answer | voicemail | failed,
 * scheduled → canceled | blocked, and dialing | ringing | in_progress → scheduled</pre>
 * A call goes back to {@code scheduled} only between attempts: a retry, or an attempt that never reached
 * the carrier (its dispatcher died before dialling).
 */
public enum CallStatus {
    SCHEDULED, DIALING, RINGING, IN_PROGRESS, COMPLETED, BUSY, NO_ANSWER, VOICEMAIL, FAILED, CANCELED, BLOCKED;

    public Set<CallStatus> next() {
        return switch (this) {
            case SCHEDULED -> EnumSet.of(DIALING, CANCELED, BLOCKED);
            case DIALING -> EnumSet.of(RINGING, IN_PROGRESS, BUSY, NO_ANSWER, FAILED, SCHEDULED);
            case RINGING -> EnumSet.of(IN_PROGRESS, BUSY, NO_ANSWER, VOICEMAIL, FAILED, SCHEDULED);
            case IN_PROGRESS -> EnumSet.of(COMPLETED, VOICEMAIL, FAILED, SCHEDULED);
            case COMPLETED, BUSY, NO_ANSWER, VOICEMAIL, FAILED, CANCELED, BLOCKED -> EnumSet.noneOf(CallStatus.class);
        };
    }

    public boolean canBecome(CallStatus target) {
        return next().contains(target);
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CallStatus fromWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
