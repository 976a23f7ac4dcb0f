package io.parley.platform.telephony.twilio;

import io.parley.platform.calls.CallProgress;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.InboundNumbers;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.recordings.Recordings;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;

/** Twilio, the live carrier, when {@code TWILIO_ACCOUNT_SID} is set ({@code parley.telephony.twilio.*}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnTwilio
class TwilioConfiguration {

    @Bean
    TwilioAnswers twilioAnswers(StringRedisTemplate redis, ParleyProperties properties) {
        ParleyProperties.Twilio twilio = properties.telephony().twilio();
        // from the dial until the call can no longer be answered, with the longest call on top
        return new TwilioAnswers(redis, twilio.ringTimeout().plus(properties.runtime().maxCallLength()).plus(Duration.ofHours(1)));
    }

    @Bean
    TwilioTelephony twilioTelephony(ParleyProperties properties, TwilioAnswers answers) {
        ParleyProperties.Twilio twilio = properties.telephony().twilio();
        require(twilio.authToken(), "TWILIO_AUTH_TOKEN");
        require(twilio.from(), "TWILIO_CALLER_NUMBER");
        return new TwilioTelephony(TwilioTelephony.client(twilio), twilio, answers);
    }

    @Bean
    CarrierReceipts carrierReceipts(TenantTransactions transactions, JdbcTemplate jdbc) {
        return new CarrierReceipts(transactions, jdbc);
    }

    @Bean
    TwilioCallbacks twilioCallbacks(TwilioTelephony twilio, TwilioAnswers answers, CarrierReceipts receipts, CallProgress progress,
                                    DispatchLedger ledger, TenantTransactions transactions, JdbcTemplate jdbc, ParleyProperties properties,
                                    InboundNumbers numbers, RuntimeHandoff handoff, Recordings recordings, Clock clock) {
        return new TwilioCallbacks(twilio, answers, receipts, progress, ledger, transactions, jdbc, properties.telephony().twilio(),
                properties.runtime().streamUrl(), numbers, handoff, recordings, clock);
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " must be set when TWILIO_ACCOUNT_SID is");
        }
    }
}
