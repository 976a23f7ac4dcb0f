package io.parley.platform.support;

import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.DispatchLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A call dialled by hand in tests, as a dispatcher would: claimed, then begun on the sandbox, at any hour. */
public final class Dispatching {

    private Dispatching() {}

    /** Claims the due call {@code callId} and begins it now; fails when it is not claimable or not begun. */
    public static DispatchLedger.Begun beginNow(DispatchLedger ledger, UUID callId, String dispatcher) {
        DispatchLedger.Claim claim = ledger.claim(dispatcher, 1000, Duration.ofSeconds(30), Instant.now()).stream()
                .filter(c -> c.callId().equals(callId)).findFirst()
                .orElseThrow(() -> new AssertionError("call " + callId + " was not claimable"));
        DispatchLedger.Begun begun = ledger.begin(claim, dispatcher, "sandbox", "+15005550006", 100, Duration.ofSeconds(5), CallingWindow.OFF,
                Instant.now()).begun();
        if (begun == null) throw new AssertionError("call " + callId + " was not begun");
        return begun;
    }
}
