package io.parley.runtime;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** voice-runtime: bridges Twilio Media Streams to speech and language providers. Stateless; calls live in Redis. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class VoiceRuntimeApplication {

    public static void main(String[] args) {
        SpringApplication.run(VoiceRuntimeApplication.class, args);
    }
}
