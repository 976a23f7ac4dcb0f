package io.parley.platform.calls.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.calls.CallProgress;
import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.recordings.Recordings;
import io.parley.platform.telephony.Carriers;
import io.parley.platform.telephony.SandboxTelephony;
import io.parley.platform.telephony.Telephony;
import io.parley.platform.telephony.twilio.TwilioTelephony;
import java.time.Clock;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The carriers, and this instance's dispatcher of due calls ({@code parley.dispatch.*}, {@code parley.telephony.*}). */
@Configuration(proxyBeanMethods = false)
class DispatchConfiguration {

    /** The sandbox: the test-mode carrier (and the live one when Twilio is not configured). */
    @Bean
    @Primary
    Telephony telephony(ParleyProperties properties, StringRedisTemplate redis, CallProgress progress, Recordings recordings, Clock clock) {
        ParleyProperties.Telephony settings = properties.telephony();
        if (!"sandbox".equals(settings.carrier())) {
            throw new IllegalStateException("parley.telephony.carrier: the test-mode carrier is 'sandbox', not '" + settings.carrier() + "'");
        }
        // with a voice runtime to hand calls to, the answering callee talks with the persona there
        String tokenSecret = properties.runtime().callTokenSecret();
        java.net.URI streamUrl = tokenSecret == null || tokenSecret.isBlank() ? null : properties.runtime().streamUrl();
        SandboxTelephony sandbox = new SandboxTelephony(redis, settings.sandboxKeyPrefix(), progress, settings.sandboxRing(), settings.sandboxTalk(),
                clock, streamUrl);
        sandbox.recordInto(recordings);
        return sandbox;
    }

    @Bean
    Carriers carriers(ParleyProperties properties, Telephony telephony, ObjectProvider<TwilioTelephony> twilio) {
        ParleyProperties.Telephony settings = properties.telephony();
        TwilioTelephony live = twilio.getIfAvailable();
        return new Carriers(telephony, settings.from(), live, live == null ? null : settings.twilio().from());
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "parley.dispatch.enabled", matchIfMissing = true)
    CallDispatcher callDispatcher(ParleyProperties properties, DispatchLedger ledger, Carriers carriers, RuntimeHandoff handoff,
                                  RedisBuckets buckets, Clock clock, MeterRegistry meters) {
        ParleyProperties.Dispatch settings = properties.dispatch();
        String name = settings.name() == null || settings.name().isBlank() ? "dispatcher-" + UUID.randomUUID() : settings.name();
        ParleyProperties.Compliance compliance = properties.compliance();
        CallingWindow window = new CallingWindow(compliance.enabled(), compliance.callingWindowStart(), compliance.callingWindowEnd());
        return new CallDispatcher(settings, name, carriers, window, ledger, handoff, buckets, clock, meters);
    }
}
