package io.parley.platform.telephony;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.tenancy.Mode;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Test mode never leaves the sandbox; live mode goes to the live carrier when there is one. */
class CarriersTests {

    record Named(String carrier) implements Telephony {
        @Override public Placed dial(Dial dial) { return new Placed(carrier + "-call"); }
        @Override public Optional<Placed> find(UUID attemptId, String to, Instant requestedAt) { return Optional.empty(); }
        @Override public void hangUp(String providerCallId) {}
    }

    @Test
    void testModeAlwaysDialsThroughTheSandboxAndLiveModeThroughTheLiveCarrier() {
        Named sandbox = new Named("sandbox");
        Named twilio = new Named("twilio");
        Carriers carriers = new Carriers(sandbox, "+14155550199", twilio, "+14155550142");

        assertThat(carriers.route(Mode.TEST)).isEqualTo(new DispatchLedger.Route("sandbox", "+14155550199"));
        assertThat(carriers.route(Mode.LIVE)).isEqualTo(new DispatchLedger.Route("twilio", "+14155550142"));
        assertThat(carriers.named("sandbox")).isSameAs(sandbox);
        assertThat(carriers.named("twilio")).isSameAs(twilio);
        assertThat(carriers.limitedNumber()).isEqualTo("+14155550142");
        assertThatThrownBy(() -> carriers.named("vonage")).hasMessageContaining("vonage");
    }

    @Test
    void withoutALiveCarrierLiveCallsStayInTheSandbox() {
        Named sandbox = new Named("sandbox");
        Carriers carriers = new Carriers(sandbox, "+14155550199", null, null);

        assertThat(carriers.route(Mode.LIVE)).isEqualTo(new DispatchLedger.Route("sandbox", "+14155550199"));
        assertThatThrownBy(() -> carriers.named("twilio")).isInstanceOf(IllegalStateException.class);
    }
}
