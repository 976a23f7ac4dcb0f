package io.parley.platform.calls.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.config.ParleyProperties;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import tools.jackson.databind.json.JsonMapper;

/** This instance's consumer of the voice runtime's events ({@code parley.call-events.*}). */
@Configuration(proxyBeanMethods = false)
class RuntimeEventsConfiguration {

    @Bean
    @ConditionalOnBooleanProperty(name = "parley.call-events.enabled", matchIfMissing = true)
    RuntimeEventConsumer runtimeEventConsumer(ParleyProperties properties, LettuceConnectionFactory redis, RuntimeEventWriter writer,
                                              JsonMapper json, Clock clock, MeterRegistry meters) {
        return new RuntimeEventConsumer(properties.callEvents(), redis, writer::write, json, clock, meters);
    }
}
