package io.parley.runtime;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * voice-runtime settings ({@code parley.runtime.*}, commented in application.yaml).
 *
 * @param callTokenSecret  HS256 secret shared with platform-api for call tokens
 * @param twilioAuthToken  when set, upgrades must carry a valid {@code X-Twilio-Signature}
 * @param publicStreamUrl  the wss:// URL Twilio signs
 * @param leadMillis       how far outbound audio may run ahead of real time (60–100 ms)
 */
@ConfigurationProperties("parley.runtime")
public record RuntimeProperties(String callTokenSecret, String twilioAuthToken, String publicStreamUrl, Integer leadMillis) {

    public int lead() {
        return leadMillis == null ? 80 : leadMillis;
    }
}
