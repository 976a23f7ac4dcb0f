package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.media.Frames;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.media.twilio.TwilioEmulator;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallTokens;
import io.parley.runtime.speech.TextToSpeech;
import io.parley.runtime.speech.offline.FreeTtsTextToSpeech;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole call with no keys and no network: the runtime speaks with the offline voice, hears with the
 * offline recogniser, and the caller's side — a Twilio emulator — speaks audio made by the offline
 * voice too, at real time, like a phone line.
 */
class OfflineCallIntegrationTests {

    static final String SECRET = "test-secret-test-secret-test-secret-0123";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static ConfigurableApplicationContext runtime;
    static int port;
    static FreeTtsTextToSpeech callerVoice;

    @BeforeAll
    static void start() {
        runtime = new SpringApplicationBuilder(VoiceRuntimeApplication.class)
                .run("--server.port=0", "--parley.runtime.call-token-secret=" + SECRET, "--spring.jmx.enabled=false");
        port = ((WebServerApplicationContext) runtime).getWebServer().getPort();
        callerVoice = new FreeTtsTextToSpeech();
    }

    @AfterAll
    static void stop() {
        callerVoice.close();
        runtime.close();
    }

    /** Santa speaks with FreeTTS (the persona names kevin16) and with MaryTTS (the offline provider's own default). */
    @ParameterizedTest
    @ValueSource(strings = {"kevin16", "cmu-slt-hsmm"})
    void aSantaCallRunsOfflineFromGreetingToGoodbye(String santasVoice) throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        runtime.getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test",
                new CallBootstrap.Persona(UUID.randomUUID(), "Santa", "santa", "You are Santa.", "Ho ho ho! Hello {{child_name}}!", "en-US",
                        new CallBootstrap.Provider("offline", santasVoice, Map.of()), new CallBootstrap.Provider("offline", null, Map.of()),
                        new CallBootstrap.Provider("scripted", null, Map.of()),
                        new CallBootstrap.Limits(300, 30, "The reindeer are getting restless.", "Merry Christmas!", 30, "Are you still there?", "9"),
                        List.of(new CallBootstrap.ScriptStep("wish", "What would you like for Christmas?",
                                        List.of(new CallBootstrap.ScriptAnswer(List.of("a red bicycle", "a puppy"), "{answer}! What a wonderful wish.", "goodbye"))),
                                new CallBootstrap.ScriptStep("goodbye", "Merry Christmas, {{child_name}}!", List.of()))),
                Map.of("child_name", "Ella")));
        String token = runtime.getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5));

        byte[] speech = speak("A red bicycle.");
        try (TwilioEmulator twilio = new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH))) {
            twilio.echoMarks = true;
            twilio.connected();
            twilio.start(token);

            // the greeting arrives as real audio, then its mark (MaryTTS may still be starting: the greeting waits for it)
            List<TwilioEmulator.Received> greeting = twilio.until("mark", 30_000);
            assertThat(greeting).extracting(TwilioEmulator.Received::event).contains("media").last().isEqualTo("mark");
            awaitListening(callId);

            // the caller answers at real time, with silence around the words as on a phone line
            byte[] silence = new byte[8000];
            Arrays.fill(silence, (byte) 0xFF);
            playAtRealTime(twilio, silence);
            playAtRealTime(twilio, speech);
            playAtRealTime(twilio, silence);
            playAtRealTime(twilio, silence);

            assertThat(twilio.closed.get(30, TimeUnit.SECONDS)).as("the script ends the call").isEqualTo(1000);
        }

        List<Map<Object, Object>> events = events(callId);
        List<String> turns = events.stream().filter(e -> "call.turn".equals(e.get("type")))
                .map(e -> JSON.readTree(e.get("data").toString()))
                .map(t -> t.get("speaker").asString() + ": " + t.get("text").asString()).toList();
        assertThat(turns.getFirst()).isEqualTo("bot: Ho ho ho! Hello Ella! What would you like for Christmas?");
        assertThat(turns).contains("caller: a red bicycle");
        assertThat(turns).anySatisfy(t -> assertThat(t).startsWith("bot: A red bicycle! What a wonderful wish."));
        assertThat(JSON.readTree(events.getLast().get("data").toString()).get("reason").asString()).isEqualTo("script_completed");
        // what the call used, for the usage ledger: right before the end
        Map<Object, Object> usageEvent = events.get(events.size() - 2);
        assertThat(usageEvent.get("type")).isEqualTo("call.usage");
        JsonNode usage = JSON.readTree(usageEvent.get("data").toString());
        assertThat(usage.get("callSeconds").asDouble()).isGreaterThan(4.0);
        assertThat(usage.get("stt").get("provider").asString()).isEqualTo("offline");
        assertThat(usage.get("stt").get("seconds").asDouble()).as("caller audio sent: 1 s + speech + 2 s").isGreaterThan(3.0);
        assertThat(usage.get("tts").get("characters").asLong()).isGreaterThan(
                "Ho ho ho! Hello Ella! What would you like for Christmas? A red bicycle! What a wonderful wish. Merry Christmas, Ella!".length() - 10);
        assertThat(usage.get("llm").get("provider").asString()).isEqualTo("scripted");

        var meters = runtime.getBean(io.micrometer.core.instrument.MeterRegistry.class);
        assertThat(meters.get("parley.runtime.turn.latency").timer().count()).isPositive();
        assertThat(meters.get("parley.runtime.tts.first_audio").timer().count()).isPositive();
        assertThat(meters.get("parley.runtime.added").timer().count()).as("one per reply").isPositive();
        assertThat(meters.get("parley.runtime.stt.finalization").timer().count()).as("one per caller turn").isPositive();
        JsonNode conversation = JSON.readTree(redis().opsForHash().get("call:" + callId, "conversation").toString());
        assertThat(conversation.get("history").toString()).contains("a red bicycle");
    }

    /** What the offline voice says, as μ-law 8 kHz. */
    static byte[] speak(String text) throws Exception {
        ByteArrayOutputStream audio = new ByteArrayOutputStream();
        CompletableFuture<Void> done = new CompletableFuture<>();
        callerVoice.synthesize(text, new TextToSpeech.Voice("kevin16", "en-US", Map.of(), null), new TextToSpeech.AudioSink() {
            @Override public void audio(byte[] ulaw) { audio.writeBytes(ulaw); }
            @Override public void done() { done.complete(null); }
            @Override public void failed(Exception error) { done.completeExceptionally(error); }
        });
        done.get(10, TimeUnit.SECONDS);
        return audio.toByteArray();
    }

    static void playAtRealTime(TwilioEmulator twilio, byte[] ulaw) throws InterruptedException {
        long start = System.nanoTime();
        int frames = 0;
        for (int offset = 0; offset + Frames.FRAME_BYTES <= ulaw.length; offset += Frames.FRAME_BYTES) {
            twilio.media(Arrays.copyOfRange(ulaw, offset, offset + Frames.FRAME_BYTES));
            frames++;
            long due = start + frames * Frames.FRAME_MILLIS * 1_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    static void awaitListening(UUID callId) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            Object conversation = redis().opsForHash().get("call:" + callId, "conversation");
            if (conversation != null && JSON.readTree(conversation.toString()).get("state").asString().equals("LISTENING")) return;
            if (System.nanoTime() > deadline) throw new AssertionError("the runtime never started listening");
            Thread.sleep(20);
        }
    }

    static StringRedisTemplate redis() {
        return runtime.getBean(StringRedisTemplate.class);
    }

    static List<Map<Object, Object>> events(UUID callId) {
        List<MapRecord<String, Object, Object>> all = redis().opsForStream().range(CallEvents.STREAM, Range.unbounded());
        return all.stream().map(MapRecord::getValue).filter(v -> callId.toString().equals(v.get("callId"))).toList();
    }
}
