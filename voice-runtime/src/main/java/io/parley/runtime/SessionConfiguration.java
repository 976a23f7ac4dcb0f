package io.parley.runtime;

import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Call state and call events in Redis. */
@Configuration(proxyBeanMethods = false)
class SessionConfiguration {

    @Bean
    CallSessionStore callSessionStore(StringRedisTemplate redis, JsonMapper json) {
        return new CallSessionStore(redis, json);
    }

    @Bean
    CallEvents callEvents(StringRedisTemplate redis, JsonMapper json) {
        return new CallEvents(redis, json);
    }
}
