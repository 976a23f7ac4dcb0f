package io.parley.platform.telephony;

import java.time.Duration;

/** Where a carrier hands the recording of a call it placed or received (a WAV). */
@FunctionalInterface
public interface CarrierRecordings {

    /** Keeps the recording if the call records; false when it does not, or the call is unknown. */
    boolean recorded(String carrier, String providerCallId, byte[] wav, Duration duration);
}
