package io.parley.platform.calls.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.calls.CallProgress;
import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.telephony.SandboxTelephony;
import io.parley.platform.telephony.Telephony;
import java.time.Clock;
import java.util.UUID;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The carrier, and this instance's dispatcher of due calls ({@code parley.dispatch.*}, {@code parley.telephony.*}). */
@Configuration(proxyBeanMethods = false)
class DispatchConfiguration {

    @Bean
    Telephony telephony(ParleyProperties properties, StringRedisTemplate redis, CallProgress progress, Clock clock) {
        ParleyProperties.Telephony settings = properties.telephony();
        if (!"sandbox".equals(settings.carrier())) {
            throw new IllegalStateException("parley.telephony.carrier: only 'sandbox' is available, not '" + settings.carrier() + "'");
        }
        // with a voice runtime to hand calls to, the answering callee talks with the persona there
        String tokenSecret = properties.runtime().callTokenSecret();
        java.net.URI streamUrl = tokenSecret == null || tokenSecret.isBlank() ? null : properties.runtime().streamUrl();
        return new SandboxTelephony(redis, settings.sandboxKeyPrefix(), progress, settings.sandboxRing(), settings.sandboxTalk(), clock, streamUrl);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "parley.dispatch.enabled", matchIfMissing = true)
    CallDispatcher callDispatcher(ParleyProperties properties, DispatchLedger ledger, Telephony telephony, RuntimeHandoff handoff,
                                  RedisBuckets buckets, Clock clock, MeterRegistry meters) {
        ParleyProperties.Dispatch settings = properties.dispatch();
        String name = settings.name() == null || settings.name().isBlank() ? "dispatcher-" + UUID.randomUUID() : settings.name();
        ParleyProperties.Compliance compliance = properties.compliance();
        CallingWindow window = new CallingWindow(compliance.enabled(), compliance.callingWindowStart(), compliance.callingWindowEnd());
        return new CallDispatcher(settings, name, properties.telephony().from(), window, ledger, telephony, handoff, buckets, clock, meters);
    }
}
