package io.parley.platform.telephony;

import java.time.Instant;

/** Where a carrier's reports about its calls go (status callbacks, the sandbox's simulated callee). */
@FunctionalInterface
public interface CarrierEvents {

    /**
     * One report about a call the carrier placed.
     *
     * @param status     {@code ringing}, {@code in_progress}, or an outcome: {@code completed}, {@code busy},
     *                   {@code no_answer}, {@code voicemail}, {@code failed}
     * @param answeredBy {@code human} or {@code machine} once known (answering-machine detection), else null
     * @param reason     the carrier's words about an outcome, or null
     */
    record Report(String carrier, String providerCallId, String status, Instant at, String answeredBy, String reason) {}

    /** Applies the report; false when no attempt carries that call id (yet: a report can outrun the dial's answer). */
    boolean progress(Report report);
}
