package io.parley.runtime.media.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.session.CallTokens;
import io.parley.runtime.session.TwilioSignature;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** With a Twilio auth token configured, only upgrades signed by Twilio for our public URL get a call. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "parley.runtime.call-token-secret=test-secret-test-secret-test-secret-0123",
        "parley.runtime.twilio-auth-token=" + TwilioSignatureIntegrationTests.AUTH_TOKEN,
        "parley.runtime.public-stream-url=" + TwilioSignatureIntegrationTests.PUBLIC_URL,
        "parley.runtime.offline-speech.enabled=false"})
@org.springframework.context.annotation.Import(RecordingCallHandlers.Config.class)
class TwilioSignatureIntegrationTests {

    static final String AUTH_TOKEN = "twilio-auth-token-for-tests";
    static final String PUBLIC_URL = "wss://runtime.parley.test/media-stream";

    @LocalServerPort
    int port;

    @Autowired
    CallTokens tokens;

    @Autowired
    MediaStreamMetrics metrics;

    @Autowired
    RecordingCallHandlers handlers;

    private TwilioEmulator connect(Map<String, String> headers) {
        return new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH), headers);
    }

    @Test
    void aSignedUpgradeStreamsAndAnUnsignedOrForgedOneIsClosed() throws Exception {
        String valid = new TwilioSignature(AUTH_TOKEN).sign(PUBLIC_URL, Map.of());
        UUID callId = UUID.randomUUID();
        try (TwilioEmulator signed = connect(Map.of("X-Twilio-Signature", valid))) {
            signed.connected();
            signed.start(tokens.mint(callId, UUID.randomUUID(), Duration.ofMinutes(1)));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (handlers.created.stream().noneMatch(c -> c.token != null && c.token.callId().equals(callId))) {
                assertThat(System.nanoTime()).as("the signed stream starts").isLessThan(deadline);
                Thread.sleep(10);
            }
        }

        double before = metrics.closedCount("bad_signature");
        for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(),
                Map.of("X-Twilio-Signature", new TwilioSignature("another-token").sign(PUBLIC_URL, Map.of())),
                Map.of("X-Twilio-Signature", new TwilioSignature(AUTH_TOKEN).sign("wss://elsewhere.test/media-stream", Map.of())))) {
            try (TwilioEmulator unsigned = connect(headers)) {
                assertThat(unsigned.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1008);
            }
        }
        assertThat(metrics.closedCount("bad_signature")).isEqualTo(before + 3);
    }
}
