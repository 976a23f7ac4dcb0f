package io.parley.runtime.media.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.session.CallTokens;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The Media Streams endpoint over a real WebSocket, with a Twilio emulator on the other side. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"parley.runtime.call-token-secret=test-secret-test-secret-test-secret-0123",
                "parley.speech.offline.mary.loading=lazy"}) // no call here speaks: MaryTTS need not start
@org.springframework.context.annotation.Import(RecordingCallHandlers.Config.class)
class MediaStreamIntegrationTests {

    @LocalServerPort
    int port;

    @Autowired
    RecordingCallHandlers handlers;

    @Autowired
    CallTokens tokens;

    @Autowired
    MediaStreamMetrics metrics;

    private static final byte[] SILENCE_FRAME = filled(160, (byte) 0xFF);

    @BeforeEach
    void clean() {
        handlers.created.clear();
    }

    private TwilioEmulator connect() {
        return new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH));
    }

    private String token(UUID callId) {
        return tokens.mint(callId, UUID.randomUUID(), Duration.ofMinutes(5));
    }

    /** Starts the stream and finds its call by the token's call id (sockets opened together may be set up in any order). */
    private RecordingCallHandlers.Recording startedCall(TwilioEmulator twilio, UUID callId) throws InterruptedException {
        twilio.connected();
        twilio.start(token(callId));
        awaitTrue(() -> handlers.created.stream().anyMatch(c -> c.token != null && c.token.callId().equals(callId)));
        return handlers.created.stream().filter(c -> c.token != null && c.token.callId().equals(callId)).findFirst().orElseThrow();
    }

    @Test
    void aValidStreamReachesItsCallInOrderAndEndsOnStop() throws Exception {
        UUID callId = UUID.randomUUID();
        try (TwilioEmulator twilio = connect()) {
            RecordingCallHandlers.Recording call = startedCall(twilio, callId);
            assertThat(call.token.callId()).isEqualTo(callId);

            for (int i = 0; i < 5; i++) {
                twilio.media(filled(160, (byte) i));
            }
            twilio.dtmf("5");
            twilio.mark("utterance-1");
            twilio.stop();

            assertThat(call.ended.poll(5, TimeUnit.SECONDS)).isEqualTo("stop");
            assertThat(call.audio).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(call.audio.get(i)[0]).isEqualTo((byte) i);
            }
            assertThat(call.digits).containsExactly("5");
            assertThat(call.marks).containsExactly("utterance-1");
            assertThat(twilio.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    @Test
    void aForgedOrExpiredTokenClosesTheSocketAndStartsNothing() throws Exception {
        CallTokens other = new CallTokens("another-secret-another-secret-another-secret", java.time.Clock.systemUTC());
        for (String bad : List.of("", "not-a-jwt", other.mint(UUID.randomUUID(), UUID.randomUUID(), Duration.ofMinutes(5)),
                tokens.mint(UUID.randomUUID(), UUID.randomUUID(), Duration.ofMinutes(-10)))) {
            double before = metrics.closedCount("invalid_token");
            try (TwilioEmulator twilio = connect()) {
                twilio.connected();
                twilio.start(bad);
                assertThat(twilio.closed.get(5, TimeUnit.SECONDS)).as(bad).isEqualTo(1008);
            }
            assertThat(metrics.closedCount("invalid_token")).isEqualTo(before + 1);
        }
        assertThat(handlers.created).allSatisfy(call -> assertThat(call.token).isNull());
    }

    @Test
    void badFramesAreCountedAndIgnoredWithoutDisturbingTheCallOrItsNeighbour() throws Exception {
        try (TwilioEmulator noisy = connect(); TwilioEmulator neighbour = connect()) {
            RecordingCallHandlers.Recording noisyCall = startedCall(noisy, UUID.randomUUID());
            RecordingCallHandlers.Recording neighbourCall = startedCall(neighbour, UUID.randomUUID());
            double notJson = metrics.rejectedCount("not_json");
            double binary = metrics.rejectedCount("binary");
            double wrongStream = metrics.rejectedCount("wrong_stream");
            double duplicate = metrics.rejectedCount("duplicate_chunk");

            noisy.media(SILENCE_FRAME);
            noisy.send("{not json");
            noisy.send("{\"event\":\"nonsense\"}");
            noisy.send("{\"event\":\"media\",\"sequenceNumber\":\"9\",\"streamSid\":\"" + noisy.streamSid + "\",\"media\":{\"chunk\":\"99\",\"timestamp\":\"1\",\"payload\":\"!!!not base64!!!\"}}");
            noisy.send("{\"event\":\"media\",\"sequenceNumber\":\"9\",\"streamSid\":\"MZother\",\"media\":{\"chunk\":\"98\",\"timestamp\":\"1\",\"payload\":\"AAAA\"}}");
            noisy.sendBinary(new byte[] {1, 2, 3});
            noisy.duplicateMedia(SILENCE_FRAME);
            noisy.media(SILENCE_FRAME);
            neighbour.media(SILENCE_FRAME);
            neighbour.media(SILENCE_FRAME);

            awaitTrue(() -> noisyCall.audio.size() == 2 && neighbourCall.audio.size() == 2);
            assertThat(metrics.rejectedCount("not_json")).isEqualTo(notJson + 1);
            assertThat(metrics.rejectedCount("binary")).isEqualTo(binary + 1);
            assertThat(metrics.rejectedCount("wrong_stream")).isEqualTo(wrongStream + 1);
            assertThat(metrics.rejectedCount("duplicate_chunk")).isEqualTo(duplicate + 1);
            assertThat(noisy.closed).isNotDone();
            assertThat(neighbourCall.ended).isEmpty();
        }
    }

    @Test
    void aFloodOfGarbageClosesOnlyThatSocket() throws Exception {
        try (TwilioEmulator flood = connect(); TwilioEmulator neighbour = connect()) {
            startedCall(flood, UUID.randomUUID());
            RecordingCallHandlers.Recording neighbourCall = startedCall(neighbour, UUID.randomUUID());
            for (int i = 0; i <= MediaStreamConnection.MAX_ERRORS; i++) {
                flood.send("garbage " + i);
            }
            assertThat(flood.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1008);
            neighbour.media(SILENCE_FRAME);
            awaitTrue(() -> neighbourCall.audio.size() == 1);
            assertThat(neighbour.closed).isNotDone();
        }
    }

    @Test
    void mediaBeforeStartIsRefused() throws Exception {
        try (TwilioEmulator twilio = connect()) {
            double before = metrics.rejectedCount("before_start");
            twilio.connected();
            twilio.media(SILENCE_FRAME);
            awaitTrue(() -> metrics.rejectedCount("before_start") == before + 1);
            RecordingCallHandlers.Recording call = startedCall(twilio, UUID.randomUUID());
            assertThat(call.audio).isEmpty();
        }
    }

    @Test
    void outboundAudioIsPacedInTwentyMillisecondFramesWithTheMarkAfterIt() throws Exception {
        try (TwilioEmulator twilio = connect()) {
            RecordingCallHandlers.Recording call = startedCall(twilio, UUID.randomUUID());
            long start = System.nanoTime();
            call.out.play(filled(8000, (byte) 0x55), "greeting-1"); // one second of audio

            List<TwilioEmulator.Received> got = twilio.until("mark", 5_000);
            assertThat(got).isNotEmpty();
            TwilioEmulator.Received last = got.getLast();
            assertThat(last.event()).isEqualTo("mark");
            assertThat(last.json().get("mark").get("name").asString()).isEqualTo("greeting-1");
            List<TwilioEmulator.Received> media = got.subList(0, got.size() - 1);
            assertThat(media).hasSize(50).allSatisfy(m -> {
                assertThat(m.event()).isEqualTo("media");
                assertThat(m.json().get("streamSid").asString()).isEqualTo(twilio.streamSid);
                assertThat(java.util.Base64.getDecoder().decode(m.json().get("media").get("payload").asString())).hasSize(160);
            });
            // real time, not a burst: a second of audio cannot all have left before ~a second minus the lead
            long spreadMillis = (last.atNanos() - start) / 1_000_000;
            assertThat(spreadMillis).isGreaterThanOrEqualTo(1000 - 80 - PlayoutScheduler.TICK_MILLIS - 20);
        }
    }

    @Test
    void clearFlushesAndNoFrameFollowsIt() throws Exception {
        try (TwilioEmulator twilio = connect()) {
            RecordingCallHandlers.Recording call = startedCall(twilio, UUID.randomUUID());
            call.out.play(filled(16000, (byte) 0x55), "long");
            Thread.sleep(200);
            call.out.clear();
            List<TwilioEmulator.Received> got = twilio.until("clear", 2_000);
            assertThat(got.getLast().event()).isEqualTo("clear");
            assertThat(got.size() - 1).as("frames sent before the clear").isBetween(5, 20);
            // nothing after the clear: not the rest of the audio, not its mark
            assertThat(twilio.next(600)).isNull();
            assertThat(call.out.queuedMillis()).isZero();
        }
    }

    @Test
    void pauseFlushesTwilioHoldsTheRestAndResumeSendsWhatWasNotHeard() throws Exception {
        try (TwilioEmulator twilio = connect()) {
            RecordingCallHandlers.Recording call = startedCall(twilio, UUID.randomUUID());
            call.out.play(filled(1600, (byte) 0x11), "a"); // 200 ms
            call.out.play(filled(4000, (byte) 0x22), "b"); // 500 ms
            Thread.sleep(160); // mark "a" has left (the lead is 80 ms) but the caller cannot have heard it yet
            call.out.pause();

            List<TwilioEmulator.Received> before = twilio.until("clear", 2_000);
            assertThat(before.getLast().event()).isEqualTo("clear");
            assertThat(before).extracting(TwilioEmulator.Received::event).contains("mark");
            assertThat(before.stream().filter(r -> r.event().equals("media")).count()).as("all of a and the lead into b").isGreaterThanOrEqualTo(10);
            // Twilio answers the clear by echoing the marks it held: not a hearing
            twilio.mark("a");
            assertThat(twilio.next(300)).as("nothing while paused").isNull();
            assertThat(call.marks).isEmpty();

            call.out.resume();
            List<TwilioEmulator.Received> after = twilio.until("mark", 2_000);
            assertThat(after.getLast().json().get("mark").get("name").asString()).isEqualTo("a");
            int framesOfAResent = after.size() - 1;
            assertThat(framesOfAResent).as("the frames of a that were in flight, sent again").isBetween(1, 5);
            twilio.mark("a"); // heard this time
            List<TwilioEmulator.Received> rest = twilio.until("mark", 2_000);
            assertThat(rest.getLast().json().get("mark").get("name").asString()).isEqualTo("b");
            assertThat(rest.size() - 1).as("all of b, once").isEqualTo(25);
            awaitTrue(() -> call.marks.equals(List.of("a")));
        }
    }

    @Test
    void hangingUpClosesNormallyAndEndsTheCallOnce() throws Exception {
        try (TwilioEmulator twilio = connect()) {
            RecordingCallHandlers.Recording call = startedCall(twilio, UUID.randomUUID());
            call.out.hangUp("goodbye said");
            assertThat(twilio.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
            assertThat(call.ended.poll(2, TimeUnit.SECONDS)).isEqualTo("goodbye said");
            assertThat(call.ended.poll(300, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, value);
        return bytes;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
