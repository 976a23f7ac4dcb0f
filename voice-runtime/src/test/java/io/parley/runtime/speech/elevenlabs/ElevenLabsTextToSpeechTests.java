package io.parley.runtime.speech.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.runtime.speech.TextToSpeech;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The ElevenLabs adapter against a loopback server speaking ElevenLabs' streaming text-to-speech. */
class ElevenLabsTextToSpeechTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the server was asked. */
    record Request(String method, String path, String query, Map<String, String> headers, JsonNode body) {}

    interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private volatile Handler handler;
    private ElevenLabsTextToSpeech tts;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverThreads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Map<String, String> headers = new LinkedHashMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                        headers, body.length == 0 ? null : JSON.readTree(body)));
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                exchange.close();
            }
        });
        server.start();
        tts = new ElevenLabsTextToSpeech(config(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        tts.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private ElevenLabsConfig config(Duration idle) {
        return ElevenLabsConfig.defaults("config-key").withBaseUrl(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .withTimeouts(Duration.ofSeconds(2), idle);
    }

    private static TextToSpeech.Voice voice(String apiKey, Map<String, Object> settings) {
        return new TextToSpeech.Voice("voice-123", "en-US", settings, apiKey);
    }

    @Test
    void streamsTheBodyToTheSinkAsItArrives() throws Exception {
        Sink sink = new Sink();
        CompletableFuture<Boolean> restWaitedForFirst = new CompletableFuture<>();
        byte[] audio = ulawPattern(2400);
        handler = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "audio/basic");
            exchange.sendResponseHeaders(200, 0); // chunked, as ElevenLabs streams
            OutputStream out = exchange.getResponseBody();
            out.write(audio, 0, 800);
            out.flush();
            restWaitedForFirst.complete(sink.firstAudio.await(5, TimeUnit.SECONDS)); // the pause: the rest only once the first is out
            out.write(audio, 800, 1600);
        };
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("stability", 0.4);
        settings.put("similarityBoost", 0.8);
        settings.put("use_speaker_boost", true);
        settings.put("pitch", 3); // not an ElevenLabs setting: left out

        tts.synthesize("Your balance is forty two dollars.", voice("voice-key", settings), sink);

        sink.awaitEnd();
        assertThat(restWaitedForFirst).isCompletedWithValue(true);
        assertThat(sink.events).containsExactly("audio", "audio", "done");
        assertThat(sink.audio()).isEqualTo(audio);
        assertThat(sink.chunks.getFirst()).hasSize(800);
        assertThat(sink.virtualThreads).containsOnly(true);

        Request request = requests.poll(1, TimeUnit.SECONDS);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/text-to-speech/voice-123/stream");
        assertThat(request.query()).isEqualTo("output_format=ulaw_8000&optimize_streaming_latency=3");
        assertThat(request.headers()).containsEntry("xi-api-key", "voice-key").containsEntry("content-type", "application/json");
        assertThat(JSON.writeValueAsString(request.body())).isEqualTo("""
                {"text":"Your balance is forty two dollars.","model_id":"eleven_flash_v2_5",\
                "voice_settings":{"stability":0.4,"similarity_boost":0.8,"use_speaker_boost":true},"language_code":"en"}""");
    }

    @Test
    void theConfiguredKeyAndVoiceServeAVoiceWithoutThem() throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            exchange.sendResponseHeaders(200, 320);
            exchange.getResponseBody().write(ulawPattern(320));
        };

        tts.synthesize("Hello.", new TextToSpeech.Voice(null, "de-DE", Map.of("model_id", "eleven_multilingual_v2"), null), sink);

        sink.awaitEnd();
        assertThat(sink.events).containsExactly("audio", "done");
        Request request = requests.poll(1, TimeUnit.SECONDS);
        assertThat(request.path()).isEqualTo("/v1/text-to-speech/21m00Tcm4TlvDq8ikWAM/stream");
        assertThat(request.headers()).containsEntry("xi-api-key", "config-key");
        assertThat(JSON.writeValueAsString(request.body())).isEqualTo("{\"text\":\"Hello.\",\"model_id\":\"eleven_multilingual_v2\"}");
    }

    @Test
    void tinyPiecesAreHeldUntilTwentyMillisecondsHaveArrived() throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < 25; i++) {
                out.write(ulawPattern(40));
                out.flush();
                Thread.sleep(4);
            }
        };

        tts.synthesize("One moment please.", voice(null, Map.of()), sink);

        sink.awaitEnd();
        assertThat(sink.events.getLast()).isEqualTo("done");
        assertThat(sink.audio()).hasSize(1000);
        assertThat(sink.chunks.subList(0, sink.chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk.length).isGreaterThanOrEqualTo(160));
        assertThat(sink.chunks.size()).isLessThanOrEqualTo(7);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            401 | {"detail":{"status":"invalid_api_key","message":"Invalid API key"}}                                            | invalid_api_key        | Invalid API key
            422 | {"detail":{"status":"voice_not_found","message":"A voice with the voice_id voice-123 was not found."}}          | voice_not_found        | A voice with the voice_id voice-123 was not found.
            422 | {"detail":[{"loc":["body","text"],"msg":"Field required","type":"missing"}]}                                   |                        | ["body","text"] Field required
            429 | {"detail":{"status":"too_many_concurrent_requests","message":"Too many concurrent requests for this plan."}}    | too_many_concurrent_requests | Too many concurrent requests for this plan.
            """)
    void errorResponsesFailWithStatusAndMessage(int status, String body, String code, String message) throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        };

        tts.synthesize("Hello.", voice(null, Map.of()), sink);

        sink.awaitEnd();
        assertThat(sink.events).containsExactly("failed");
        ElevenLabsException failure = (ElevenLabsException) sink.failure;
        assertThat(failure.httpStatus()).isEqualTo(status);
        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.getMessage()).contains(String.valueOf(status)).contains(message);
    }

    @Test
    void cancelStopsDeliveryAndClosesTheConnection() throws Exception {
        Sink sink = new Sink();
        CompletableFuture<Throwable> serverSawClose = new CompletableFuture<>();
        handler = exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            try {
                for (int i = 0; i < 250; i++) { // 5 s of audio in real time
                    out.write(ulawPattern(160));
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                serverSawClose.complete(e);
                throw e;
            }
        };

        TextToSpeech.Synthesis synthesis = tts.synthesize("A long answer that the caller interrupts.", voice(null, Map.of()), sink);
        assertThat(sink.firstAudio.await(5, TimeUnit.SECONDS)).isTrue();
        synthesis.cancel();
        int delivered = sink.events.size();

        Thread.sleep(300);
        assertThat(sink.events).hasSize(delivered).containsOnly("audio");
        assertThat(serverSawClose.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        synthesis.cancel(); // twice is harmless
    }

    @Test
    void cancelBeforeTheResponseDeliversNothing() throws Exception {
        Sink sink = new Sink();
        CountDownLatch requested = new CountDownLatch(1);
        handler = exchange -> {
            requested.countDown();
            Thread.sleep(500);
            exchange.sendResponseHeaders(200, 160);
            exchange.getResponseBody().write(ulawPattern(160));
        };

        TextToSpeech.Synthesis synthesis = tts.synthesize("Hello.", voice(null, Map.of()), sink);
        assertThat(requested.await(5, TimeUnit.SECONDS)).isTrue();
        synthesis.cancel();

        Thread.sleep(800);
        assertThat(sink.events).isEmpty();
    }

    @Test
    void aConnectionDroppedMidBodyFails() throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            exchange.sendResponseHeaders(200, 4000); // promises 4000 bytes
            OutputStream out = exchange.getResponseBody();
            out.write(ulawPattern(400));
            out.flush();
            Thread.sleep(100);
            throw new IllegalStateException("synthesis node went away"); // the server drops the connection
        };

        tts.synthesize("Hello there.", voice(null, Map.of()), sink);

        sink.awaitEnd();
        assertThat(sink.events).containsExactly("audio", "failed");
        assertThat(sink.audio()).hasSize(400);
        assertThat(sink.failure).isInstanceOf(ElevenLabsException.class).hasCauseInstanceOf(IOException.class);
        assertThat(((ElevenLabsException) sink.failure).httpStatus()).isEqualTo(-1);
    }

    @Test
    void aStalledBodyTimesOut() throws Exception {
        try (ElevenLabsTextToSpeech impatient = new ElevenLabsTextToSpeech(config(Duration.ofMillis(300)))) {
            Sink sink = new Sink();
            handler = exchange -> {
                exchange.sendResponseHeaders(200, 0);
                exchange.getResponseBody().write(ulawPattern(320));
                exchange.getResponseBody().flush();
                Thread.sleep(2_000);
            };

            impatient.synthesize("Hello.", voice(null, Map.of()), sink);

            sink.awaitEnd();
            assertThat(sink.events).containsExactly("audio", "failed");
            assertThat(sink.failure.getMessage()).contains("timed out");
        }
    }

    @Test
    void theIdleTimeoutBoundsEachWaitNotTheWholeBody() throws Exception {
        try (ElevenLabsTextToSpeech impatient = new ElevenLabsTextToSpeech(config(Duration.ofMillis(300)))) {
            Sink sink = new Sink();
            handler = exchange -> {
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                for (int i = 0; i < 30; i++) { // 1.5 s in all, 50 ms apart
                    out.write(ulawPattern(400));
                    out.flush();
                    Thread.sleep(50);
                }
            };

            impatient.synthesize("A sentence that takes a while to say.", voice(null, Map.of()), sink);

            assertThat(sink.ended.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sink.events.getLast()).isEqualTo("done");
            assertThat(sink.audio()).hasSize(30 * 400);
        }
    }

    @Test
    void noKeyFailsAndBlankTextIsDoneWithoutARequest() throws Exception {
        try (ElevenLabsTextToSpeech keyless = new ElevenLabsTextToSpeech(new ElevenLabsConfig(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), null, null, null, null, null, null))) {
            Sink noKey = new Sink();
            keyless.synthesize("Hello.", voice(null, Map.of()), noKey);
            noKey.awaitEnd();
            assertThat(noKey.events).containsExactly("failed");
            assertThat(noKey.failure.getMessage()).contains("No ElevenLabs API key");

            Sink blank = new Sink();
            tts.synthesize("  ", voice(null, Map.of()), blank);
            blank.awaitEnd();
            assertThat(blank.events).containsExactly("done");
            assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    /** Distinct, recognisable bytes. */
    static byte[] ulawPattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + length);
        }
        return bytes;
    }

    /** Records what a synthesis delivers. */
    static final class Sink implements TextToSpeech.AudioSink {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<byte[]> chunks = Collections.synchronizedList(new ArrayList<>());
        final List<Boolean> virtualThreads = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstAudio = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        volatile Exception failure;

        @Override
        public void audio(byte[] ulaw) {
            chunks.add(ulaw);
            virtualThreads.add(Thread.currentThread().isVirtual());
            events.add("audio");
            firstAudio.countDown();
        }

        @Override
        public void done() {
            events.add("done");
            ended.countDown();
        }

        @Override
        public void failed(Exception error) {
            failure = error;
            events.add("failed");
            ended.countDown();
        }

        void awaitEnd() throws InterruptedException {
            assertThat(ended.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("done or failed within %s; got %s", WAIT, events).isTrue();
            Thread.sleep(50); // nothing may follow
        }

        byte[] audio() {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            synchronized (chunks) {
                chunks.forEach(all::writeBytes);
            }
            return all.toByteArray();
        }
    }
}
