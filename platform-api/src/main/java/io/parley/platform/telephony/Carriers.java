package io.parley.platform.telephony;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.tenancy.Mode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which carrier places a call: test mode always the sandbox, which never leaves the machine (like Stripe's
 * {@code sk_test_} keys, a test key can never ring a real phone); live mode the live carrier (Twilio) when
 * one is configured, else the sandbox too (the embedded default runs with no keys at all). Each attempt
 * records its carrier's name, so what happens to it later (reconciling, hanging up) goes to the same carrier.
 */
public final class Carriers {

    private final Telephony test;
    private final String testFrom;
    private final Telephony live;
    private final String liveFrom;
    private final Map<String, Telephony> byName = new LinkedHashMap<>();

    public Carriers(Telephony test, String testFrom, Telephony live, String liveFrom) {
        this.test = Objects.requireNonNull(test);
        this.testFrom = Objects.requireNonNull(testFrom);
        this.live = live == null ? test : live;
        this.liveFrom = live == null ? testFrom : Objects.requireNonNull(liveFrom);
        byName.put(this.test.carrier(), this.test);
        byName.put(this.live.carrier(), this.live);
    }

    /** One carrier for both modes. */
    public static Carriers only(Telephony telephony, String from) {
        return new Carriers(telephony, from, null, null);
    }

    /** The carrier and caller number for a call of this mode. */
    public DispatchLedger.Route route(Mode mode) {
        return mode == Mode.LIVE ? new DispatchLedger.Route(live.carrier(), liveFrom) : new DispatchLedger.Route(test.carrier(), testFrom);
    }

    /** The carrier an attempt was recorded with. */
    public Telephony named(String carrier) {
        Telephony telephony = byName.get(carrier);
        if (telephony == null) {
            throw new IllegalStateException("no carrier '" + carrier + "' is configured on this instance");
        }
        return telephony;
    }

    /** The number whose calls-per-second limit a dispatcher honours: the live carrier's, where real calls are placed. */
    public String limitedNumber() {
        return liveFrom;
    }
}
