package io.parley.runtime.speech.deepgram;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.WebSocketTestServer;
import io.parley.runtime.speech.WebSocketTestServer.Binary;
import io.parley.runtime.speech.WebSocketTestServer.Connection;
import io.parley.runtime.speech.WebSocketTestServer.Frame;
import io.parley.runtime.speech.WebSocketTestServer.Handshake;
import io.parley.runtime.speech.WebSocketTestServer.Refusal;
import io.parley.runtime.speech.WebSocketTestServer.Text;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The Deepgram adapter against a loopback server speaking Deepgram's live-transcription protocol. */
class DeepgramSpeechToTextTests {

    private static final String KEY = "dg-test-key";
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private volatile Duration handshakeDelay = Duration.ZERO;
    private WebSocketTestServer server;
    private DeepgramSpeechToText deepgram;
    private final List<SpeechToText.Stream> streams = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new WebSocketTestServer("/v1/listen", this::gate);
        deepgram = new DeepgramSpeechToText(config(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(2)));
    }

    @AfterEach
    void stop() throws Exception {
        streams.forEach(SpeechToText.Stream::close);
        deepgram.close();
        server.close();
    }

    /** Deepgram refuses a bad key before the upgrade, with a JSON body and a {@code dg-error} header. */
    private Refusal gate(Handshake handshake) {
        sleep(handshakeDelay);
        if (!("Token " + KEY).equals(handshake.header("Authorization"))) {
            return new Refusal(401, Map.of("dg-error", "Invalid credentials."),
                    "{\"err_code\":\"INVALID_AUTH\",\"err_msg\":\"Invalid credentials.\",\"request_id\":\"" + UUID.randomUUID() + "\"}");
        }
        return null;
    }

    private DeepgramConfig config(Duration idle, Duration keepAlive, Duration maxQueued) {
        return DeepgramConfig.defaults(KEY).withBaseUrl(server.uri()).withTimeouts(Duration.ofSeconds(2), idle, keepAlive)
                .withMaxQueued(maxQueued);
    }

    private SpeechToText.Stream open(DeepgramSpeechToText stt, List<String> phrases, String apiKey, Events events) {
        SpeechToText.Stream stream = stt.open(new SpeechToText.StreamSettings("en-US", phrases, apiKey), events);
        streams.add(stream);
        return stream;
    }

    @Test
    void streamsLinear16AndReportsUtterancesInOrder() throws Exception {
        Events events = new Events();
        SpeechToText.Stream stream = open(deepgram, List.of("What's my balance?", "transfer money"), null, events);
        Connection dg = server.awaitConnection(WAIT);

        assertThat(dg.handshake.path()).isEqualTo("/v1/listen");
        assertThat(dg.handshake.header("Authorization")).isEqualTo("Token " + KEY);
        Map<String, String> expected = Map.ofEntries(Map.entry("encoding", "mulaw"), Map.entry("sample_rate", "8000"),
                Map.entry("channels", "1"), Map.entry("interim_results", "true"), Map.entry("endpointing", "300"),
                Map.entry("utterance_end_ms", "1000"), Map.entry("vad_events", "true"), Map.entry("smart_format", "true"),
                Map.entry("language", "en-US"), Map.entry("model", "nova-2"));
        expected.forEach((name, value) -> assertThat(dg.handshake.param(name)).as(name).isEqualTo(value));
        assertThat(dg.handshake.query().get("keywords")).containsExactly("what's", "balance", "transfer", "money");

        byte[] tone = ulaw(sine(8_000, 440, 0.25, 1.0));
        for (int at = 0; at < tone.length; at += 160) { // 20 ms frames, as they come from the phone
            stream.audio(tone, at, 160);
        }
        byte[] received = dg.awaitBinary(tone.length, WAIT);
        assertThat(received).as("the phone's μ-law, untouched").isEqualTo(tone);

        dg.send(speechStarted(0.42));
        dg.send(results("what's", false, false, 0.0, 0.9));
        dg.send(results("what's my", false, false, 0.0, 1.2));
        dg.send(results("What's my balance?", true, true, 0.0, 1.6));
        dg.send(utteranceEnd(1.45));
        // speech_final never came for this one: UtteranceEnd ends it
        dg.send(speechStarted(3.1));
        dg.send(results("transfer", false, false, 3.0, 0.8));
        dg.send(results("Transfer fifty dollars.", true, false, 3.0, 1.9));
        dg.send(results("", true, false, 4.9, 0.6));
        dg.send(utteranceEnd(4.6));

        assertThat(events.await(e -> e.equals("end"), 2)).containsExactly(
                "speaking", "interim:what's", "interim:what's my", "final:What's my balance?", "end", "silent",
                "speaking", "interim:transfer", "final:Transfer fifty dollars.", "silent", "end");
        assertThat(events.threads()).allMatch(virtual -> virtual, "callbacks on virtual threads");
    }

    @Test
    void streamSettingsKeyOverridesTheConfiguredOne() throws Exception {
        try (DeepgramSpeechToText other = new DeepgramSpeechToText(new DeepgramConfig(server.uri(), "wrong-key", "nova-3", null, null,
                null, null, null, null, null, null))) {
            Events events = new Events();
            open(other, List.of("account balance", "account balance", " pay  bill "), KEY, events);
            Connection dg = server.awaitConnection(WAIT);
            assertThat(dg.handshake.header("Authorization")).isEqualTo("Token " + KEY);
            assertThat(dg.handshake.param("model")).isEqualTo("nova-3");
            assertThat(dg.handshake.query().get("keyterm")).containsExactly("account balance", "pay bill");
            assertThat(dg.handshake.query()).doesNotContainKey("keywords");
        }
    }

    @Test
    void refusedHandshakeFailsTheStream() throws Exception {
        Events events = new Events();
        open(deepgram, List.of(), "not-the-key", events);

        assertThat(events.await(e -> e.startsWith("failed:"), 1)).hasSize(1);
        DeepgramException failure = (DeepgramException) events.failure;
        assertThat(failure.httpStatus()).isEqualTo(401);
        assertThat(failure.errorCode()).isEqualTo("INVALID_AUTH");
        assertThat(failure.getMessage()).contains("401").contains("Invalid credentials.");
        assertThat(server.pollConnection(Duration.ofMillis(200))).isNull();
    }

    @Test
    void noKeyAtAllFailsTheStream() throws Exception {
        try (DeepgramSpeechToText keyless = new DeepgramSpeechToText(DeepgramConfig.defaults(null).withBaseUrl(server.uri()))) {
            Events events = new Events();
            open(keyless, List.of(), " ", events);
            assertThat(events.await(e -> e.startsWith("failed:"), 1)).singleElement().asString().contains("No Deepgram API key");
            assertThat(server.pollConnection(Duration.ofMillis(200))).isNull();
        }
    }

    @Test
    void deepgramClosingMidStreamFailsTheStream() throws Exception {
        Events events = new Events();
        SpeechToText.Stream stream = open(deepgram, List.of(), null, events);
        Connection dg = server.awaitConnection(WAIT);
        stream.audio(new byte[1600], 0, 1600);
        dg.awaitBinary(1600, WAIT);
        dg.send(speechStarted(0.1));
        dg.send(results("hello", false, false, 0.0, 0.5));
        dg.close(1011, "NET-0001 Deepgram did not receive audio data or a text message within the timeout window.");

        List<String> seen = events.await(e -> e.startsWith("failed:"), 1);
        assertThat(seen).startsWith("speaking", "interim:hello").hasSize(3);
        DeepgramException failure = (DeepgramException) events.failure;
        assertThat(failure.closeCode()).isEqualTo(1011);
        assertThat(failure.errorCode()).isEqualTo("NET-0001");
        stream.audio(new byte[160], 0, 160); // ignored: the stream is closed
        Thread.sleep(200);
        assertThat(events.all()).hasSize(3);
    }

    @Test
    void anErrorMessageFailsTheStream() throws Exception {
        Events events = new Events();
        open(deepgram, List.of(), null, events);
        Connection dg = server.awaitConnection(WAIT);
        dg.send("{\"type\":\"Error\",\"description\":\"Failed to decode audio.\",\"message\":\"Bad audio.\",\"variant\":\"DATA-0000\"}");

        assertThat(events.await(e -> e.startsWith("failed:"), 1)).singleElement().asString().contains("Failed to decode audio.");
        assertThat(((DeepgramException) events.failure).errorCode()).isEqualTo("DATA-0000");
        assertThat(dg.closed.get(5, TimeUnit.SECONDS)).isNotNull(); // and the socket is dropped
    }

    @Test
    void keepAliveIsSentWhileNoAudioFlows() throws Exception {
        try (DeepgramSpeechToText quick = new DeepgramSpeechToText(config(Duration.ofSeconds(5), Duration.ofMillis(150), Duration.ofSeconds(2)))) {
            Events events = new Events();
            SpeechToText.Stream stream = open(quick, List.of(), null, events);
            Connection dg = server.awaitConnection(WAIT);

            Frame first = dg.next(Duration.ofSeconds(2));
            assertThat(first).isInstanceOf(Text.class);
            assertThat(JSON.readTree(((Text) first).text()).path("type").asString()).isEqualTo("KeepAlive");

            // while audio flows every 50 ms no KeepAlive is needed
            List<Frame> during = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                stream.audio(new byte[400], 0, 400);
                Thread.sleep(50);
                dg.received.drainTo(during);
            }
            assertThat(during.stream().filter(f -> f instanceof Text).count()).isLessThanOrEqualTo(1);
            assertThat(dg.awaitText(t -> t.contains("KeepAlive"), Duration.ofSeconds(2))).isNotNull();
            assertThat(dg.awaitText(t -> t.contains("KeepAlive"), Duration.ofSeconds(2))).isEmpty(); // and again, with nothing between
            assertThat(events.all()).isEmpty();
        }
    }

    @Test
    void closeSendsCloseStreamAndNoCallbackFollows() throws Exception {
        Events events = new Events();
        SpeechToText.Stream stream = open(deepgram, List.of(), null, events);
        Connection dg = server.awaitConnection(WAIT);
        stream.audio(new byte[800], 0, 800);
        dg.awaitBinary(800, WAIT);
        dg.send(speechStarted(0.2));
        dg.send(results("I want to", false, false, 0.0, 0.6));
        events.await(e -> e.startsWith("interim:"), 1);

        long started = System.nanoTime();
        stream.close();
        assertThat(System.nanoTime() - started).as("close does not wait for the socket").isLessThan(TimeUnit.MILLISECONDS.toNanos(200));
        stream.audio(new byte[800], 0, 800); // after close: dropped

        assertThat(dg.awaitText(t -> t.contains("CloseStream"), WAIT)).isEmpty();
        assertThat(JSON.readTree(DeepgramStream.CLOSE_STREAM).path("type").asString()).isEqualTo("CloseStream");
        // Deepgram flushes what it has, sends its Metadata and closes: none of it reaches the listener
        dg.send(results("I want to pay", true, true, 0.0, 1.1));
        dg.send(utteranceEnd(1.0));
        dg.send(metadata(1.1));
        dg.close(1000, "");
        assertThat(dg.closed.get(5, TimeUnit.SECONDS).getCloseCode()).isEqualTo(CloseReason.CloseCodes.NORMAL_CLOSURE);
        assertThat(((DeepgramStream) stream).socketClosed()).succeedsWithin(WAIT);
        Thread.sleep(100);
        assertThat(dg.received).noneMatch(f -> f instanceof Binary);
        assertThat(events.all()).containsExactly("speaking", "interim:I want to");
    }

    @Test
    void audioIsQueuedWhileConnectingAndTheOldestDroppedWhenFull() throws Exception {
        handshakeDelay = Duration.ofMillis(700);
        try (DeepgramSpeechToText small = new DeepgramSpeechToText(config(Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofMillis(100)))) {
            Events events = new Events();
            SpeechToText.Stream stream = open(small, List.of(), null, events);
            byte[] chunk = new byte[160];
            long started = System.nanoTime();
            for (int i = 0; i < 50; i++) { // 1 s, each 20 ms chunk filled with its number
                Arrays.fill(chunk, (byte) i);
                stream.audio(chunk, 0, chunk.length);
            }
            assertThat(System.nanoTime() - started).as("audio() never waits for the socket").isLessThan(TimeUnit.MILLISECONDS.toNanos(100));

            Connection dg = server.awaitConnection(WAIT);
            byte[] sent = dg.awaitBinary(800, WAIT); // only the newest 100 ms survive
            assertThat(sent).hasSize(800);
            for (int i = 0; i < sent.length; i++) {
                assertThat(sent[i]).isEqualTo((byte) (45 + i / 160));
            }
            assertThat(((DeepgramStream) stream).droppedSamples()).isEqualTo(8_000 - 800);
            Thread.sleep(100);
            assertThat(dg.received).noneMatch(f -> f instanceof Binary);
        }
    }

    @Test
    void silenceFromDeepgramWhileAudioFlowsFailsTheStream() throws Exception {
        try (DeepgramSpeechToText impatient = new DeepgramSpeechToText(config(Duration.ofMillis(400), Duration.ofSeconds(3), Duration.ofSeconds(2)))) {
            Events events = new Events();
            SpeechToText.Stream stream = open(impatient, List.of(), null, events);
            Connection dg = server.awaitConnection(WAIT);
            Thread.sleep(600); // no audio, no answer needed: no failure
            assertThat(events.all()).isEmpty();
            stream.audio(new byte[160], 0, 160);

            assertThat(events.await(e -> e.startsWith("failed:"), 1)).singleElement().asString().contains("sent nothing");
            assertThat(dg.closed.get(5, TimeUnit.SECONDS)).isNotNull();
        }
    }

    @Test
    void voiceWithoutWordsEndsVoiceActivityOnceAFinalResultPassesIt() throws Exception {
        Events events = new Events();
        open(deepgram, List.of(), null, events);
        Connection dg = server.awaitConnection(WAIT);
        dg.send(metadata(0));
        dg.send(speechStarted(1.2));
        dg.send(results("", true, false, 0.0, 1.5)); // ends 0.3 s after the onset: too soon to tell
        dg.send(results("", false, false, 1.5, 0.5));
        dg.send(results("", true, false, 1.5, 1.0)); // ends 1.3 s after the onset, no words: a cough
        dg.send(speechStarted(4.0));
        dg.send(results("yes", true, true, 3.9, 0.7));

        assertThat(events.await(e -> e.equals("end"), 1)).containsExactly("speaking", "silent", "speaking", "final:yes", "end");
    }

    @Test
    void expectedPhrasesBecomeKeywordsWithoutCommonWords() {
        assertThat(DeepgramSpeechToText.keywords(List.of("Is it the ACCOUNT number?", "account, please", "o'brien"))).containsExactly(
                "account", "number", "please", "o'brien");
        assertThat(DeepgramSpeechToText.keywords(null)).isEmpty();
        assertThat(DeepgramSpeechToText.keyterms(List.of(" Pay  my bill ", "", "Pay my bill"))).containsExactly("Pay my bill");
    }

    // ------------------------------------------------------------------ Deepgram's messages

    private static String results(String transcript, boolean isFinal, boolean speechFinal, double start, double duration) {
        StringBuilder words = new StringBuilder();
        String[] tokens = transcript.isEmpty() ? new String[0] : transcript.split(" ");
        for (int i = 0; i < tokens.length; i++) {
            double from = start + duration * i / tokens.length;
            double to = start + duration * (i + 1) / tokens.length;
            words.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
                    "{\"word\":\"%s\",\"start\":%.3f,\"end\":%.3f,\"confidence\":0.97,\"punctuated_word\":\"%s\"}",
                    tokens[i].toLowerCase(Locale.ROOT).replaceAll("[^a-z']", ""), from, to, tokens[i]));
        }
        return String.format(Locale.ROOT, """
                {"type":"Results","channel_index":[0,1],"duration":%.3f,"start":%.3f,"is_final":%b,"speech_final":%b,\
                "channel":{"alternatives":[{"transcript":"%s","confidence":%s,"words":[%s]}]},\
                "metadata":{"request_id":"%s","model_info":{"name":"2-general-nova","version":"2024-01-18.26916","arch":"nova-2"},\
                "model_uuid":"c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c"},"from_finalize":false}""",
                duration, start, isFinal, speechFinal, transcript, tokens.length == 0 ? "0" : "0.98", words, UUID.randomUUID());
    }

    private static String speechStarted(double timestamp) {
        return String.format(Locale.ROOT, "{\"type\":\"SpeechStarted\",\"channel\":[0],\"timestamp\":%.3f}", timestamp);
    }

    private static String utteranceEnd(double lastWordEnd) {
        return String.format(Locale.ROOT, "{\"type\":\"UtteranceEnd\",\"channel\":[0,1],\"last_word_end\":%.3f}", lastWordEnd);
    }

    private static String metadata(double duration) {
        return String.format(Locale.ROOT, """
                {"type":"Metadata","transaction_key":"deprecated","request_id":"%s","sha256":"5c4f6e3e8e9d1b2a",\
                "created":"2025-01-01T12:00:00.000Z","duration":%.3f,"channels":1,"models":["c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c"],\
                "model_info":{"c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c":{"name":"2-general-nova","version":"2024-01-18.26916","arch":"nova-2"}}}""",
                UUID.randomUUID(), duration);
    }

    // ------------------------------------------------------------------ helpers

    private static short[] sine(int rate, double hz, double amplitude, double seconds) {
        short[] pcm = new short[(int) (rate * seconds)];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return pcm;
    }

    private static byte[] ulaw(short[] pcm) {
        byte[] out = new byte[pcm.length];
        io.parley.runtime.media.Mulaw.encode(pcm, 0, pcm.length, out, 0);
        return out;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records what a stream reports: {@code speaking}, {@code silent}, {@code interim:..}, {@code final:..}, {@code end}, {@code failed:..}. */
    static final class Events implements SpeechToText.Listener {
        private final List<String> events = new ArrayList<>();
        private final List<Boolean> virtual = new ArrayList<>();
        volatile Exception failure;

        @Override
        public void voiceActivity(boolean speaking) {
            add(speaking ? "speaking" : "silent");
        }

        @Override
        public void interim(String text) {
            add("interim:" + text);
        }

        @Override
        public void finalText(String text) {
            add("final:" + text);
        }

        @Override
        public void endOfUtterance() {
            add("end");
        }

        @Override
        public void failed(Exception error) {
            failure = error;
            add("failed:" + error.getMessage());
        }

        private synchronized void add(String event) {
            events.add(event);
            virtual.add(Thread.currentThread().isVirtual());
            notifyAll();
        }

        synchronized List<String> all() {
            return List.copyOf(events);
        }

        synchronized List<Boolean> threads() {
            return List.copyOf(virtual);
        }

        /** Waits until {@code count} events match; returns all events. */
        synchronized List<String> await(Predicate<String> matching, int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (events.stream().filter(matching).count() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + count + " matching events; got " + events);
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return List.copyOf(events);
        }
    }
}
