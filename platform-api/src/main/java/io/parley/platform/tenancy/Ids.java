package io.parley.platform.tenancy;

import com.github.f4b6a3.uuid.UuidCreator;
import java.util.UUID;

/** New ids are UUIDv7: time-ordered, so the newest-first pages of every list walk the primary key. */
public final class Ids {

    private Ids() {}

    public static UUID next() {
        return UuidCreator.getTimeOrderedEpoch();
    }
}
