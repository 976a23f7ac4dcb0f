package io.parley.platform.webhooks;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.crypto.SecretBox;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** This instance's webhook dispatcher ({@code parley.webhooks.*}). */
@Configuration(proxyBeanMethods = false)
class WebhooksConfiguration {

    @Bean
    @ConditionalOnBooleanProperty(name = "parley.webhooks.enabled", matchIfMissing = true)
    WebhookDispatcher webhookDispatcher(ParleyProperties properties, TenantTransactions transactions, JdbcTemplate jdbc, SecretBox secrets,
                                        Clock clock, MeterRegistry meters) {
        return new WebhookDispatcher(properties.webhooks(), transactions, jdbc, secrets, clock, meters);
    }
}
