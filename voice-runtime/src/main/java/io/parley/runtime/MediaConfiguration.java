package io.parley.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.runtime.media.twilio.CallHandler;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.media.twilio.MediaStreamMetrics;
import io.parley.runtime.media.twilio.PlayoutScheduler;
import io.parley.runtime.session.CallTokens;
import io.parley.runtime.session.TwilioSignature;
import jakarta.websocket.server.ServerEndpointConfig;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.socket.server.standard.ServerEndpointExporter;

/** Wires the Media Streams endpoint into the servlet container's Jakarta WebSocket server. */
@Configuration(proxyBeanMethods = false)
class MediaConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    CallTokens callTokens(RuntimeProperties properties, Clock clock) {
        return new CallTokens(properties.callTokenSecret(), clock);
    }

    @Bean
    MediaStreamMetrics mediaStreamMetrics(MeterRegistry registry) {
        return new MediaStreamMetrics(registry);
    }

    @Bean(destroyMethod = "close")
    PlayoutScheduler playoutScheduler() {
        return new PlayoutScheduler(System::nanoTime);
    }

    @Bean
    MediaStreamEndpoint mediaStreamEndpoint(CallTokens tokens, CallHandler.Factory handlers, MediaStreamMetrics metrics,
                                            PlayoutScheduler scheduler, RuntimeProperties properties) {
        return new MediaStreamEndpoint(tokens, handlers, metrics, scheduler, properties.lead());
    }

    @Bean
    ServerEndpointConfig mediaStreamEndpointConfig(MediaStreamEndpoint endpoint, RuntimeProperties properties) {
        boolean signed = properties.twilioAuthToken() != null && !properties.twilioAuthToken().isBlank();
        return endpoint.config(signed ? new TwilioSignature(properties.twilioAuthToken()) : null, properties.publicStreamUrl());
    }

    @Bean
    ServerEndpointExporter serverEndpointExporter() {
        return new ServerEndpointExporter();
    }
}
