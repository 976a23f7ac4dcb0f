package io.parley.runtime.speech.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.parley.runtime.media.Mulaw;
import io.parley.runtime.speech.TextToSpeech;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

/** The OpenAI adapter against a loopback server speaking OpenAI's {@code /v1/audio/speech} with {@code pcm} output. */
class OpenAiTextToSpeechTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Request(String method, String path, Map<String, String> headers, JsonNode body) {}

    interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private HttpServer server;
    private ExecutorService serverThreads;
    private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private volatile Handler handler;
    private OpenAiTextToSpeech tts;

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
                requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                        body.length == 0 ? null : JSON.readTree(body)));
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
        tts = new OpenAiTextToSpeech(OpenAiTtsConfig.defaults("sk-config").withBaseUrl(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        tts.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void pcmAt24kHzArrivesAsMulawAt8kHzWithTheToneIntact() throws Exception {
        double amplitude = 0.3;
        byte[] pcm = littleEndian(Decimator24kTo8kTests.sine(24_000, 1_000, amplitude, 1.0));
        Sink sink = new Sink();
        CompletableFuture<Boolean> restWaitedForFirst = new CompletableFuture<>();
        handler = exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "audio/pcm");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            int piece = 4_801; // odd: samples split between pieces
            out.write(pcm, 0, piece);
            out.flush();
            restWaitedForFirst.complete(sink.firstAudio.await(5, TimeUnit.SECONDS));
            for (int at = piece; at < pcm.length; at += piece) {
                out.write(pcm, at, Math.min(piece, pcm.length - at));
                out.flush();
            }
        };

        tts.synthesize("This is a test tone.", new TextToSpeech.Voice("coral", "en-US",
                Map.of("instructions", "Speak calmly.", "speed", 1.1), "sk-voice"), sink);

        sink.awaitEnd();
        assertThat(sink.events.getLast()).isEqualTo("done");
        assertThat(restWaitedForFirst).isCompletedWithValue(true);
        assertThat(sink.chunks.getFirst().length).isEqualTo(4_801 / 2 / 3); // the first piece, converted, before the rest existed
        assertThat(sink.virtualThreads).containsOnly(true);

        byte[] ulaw = sink.audio();
        assertThat(ulaw).hasSize(8_000); // one second at 8 kHz
        short[] decoded = new short[ulaw.length];
        Mulaw.decode(ulaw, 0, ulaw.length, decoded, 0);
        double expectedRms = amplitude * 32767 / Math.sqrt(2);
        assertThat(20 * Math.log10(Decimator24kTo8kTests.rms(decoded, 200, 7_800) / expectedRms)).isCloseTo(0.0, within(0.5));
        assertThat(Decimator24kTo8kTests.toneShare(decoded, 200, 7_800, 8_000, 1_000)).isGreaterThan(0.99); // μ-law noise aside, all tone

        Request request = requests.poll(1, TimeUnit.SECONDS);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/audio/speech");
        assertThat(request.headers()).containsEntry("authorization", "Bearer sk-voice").containsEntry("content-type", "application/json");
        assertThat(JSON.writeValueAsString(request.body())).isEqualTo("""
                {"model":"gpt-4o-mini-tts","voice":"coral","input":"This is a test tone.","response_format":"pcm",\
                "speed":1.1,"instructions":"Speak calmly."}""");
    }

    @Test
    void theConfiguredKeyVoiceAndModelServeAVoiceWithoutThem() throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            exchange.sendResponseHeaders(200, 960);
            exchange.getResponseBody().write(new byte[960]); // 20 ms of silence
        };

        tts.synthesize("Hi.", new TextToSpeech.Voice(null, null, Map.of("model", "tts-1", "instructions", "ignored by tts-1"), null), sink);

        sink.awaitEnd();
        assertThat(sink.events).containsExactly("audio", "done");
        assertThat(sink.audio()).hasSize(160).containsOnly(Mulaw.silence());
        Request request = requests.poll(1, TimeUnit.SECONDS);
        assertThat(request.headers()).containsEntry("authorization", "Bearer sk-config");
        assertThat(JSON.writeValueAsString(request.body())).isEqualTo(
                "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"input\":\"Hi.\",\"response_format\":\"pcm\"}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            401 | {"error":{"message":"Incorrect API key provided: sk-voice. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}} | invalid_api_key       | Incorrect API key provided
            400 | {"error":{"message":"[{'type': 'enum', 'loc': ('body', 'voice'), 'msg': 'Input should be alloy or ash'}]","type":"invalid_request_error","param":null,"code":null}}                                      | invalid_request_error | Input should be alloy or ash
            429 | {"error":{"message":"Rate limit reached for tts-1 in organization org-x on requests per min (RPM): Limit 3.","type":"requests","param":null,"code":"rate_limit_exceeded"}}                                 | rate_limit_exceeded   | Rate limit reached
            """)
    void errorResponsesFailWithStatusAndMessage(int status, String body, String code, String message) throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        };

        tts.synthesize("Hello.", new TextToSpeech.Voice("alloy", "en-US", Map.of(), "sk-voice"), sink);

        sink.awaitEnd();
        assertThat(sink.events).containsExactly("failed");
        OpenAiException failure = (OpenAiException) sink.failure;
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
            byte[] twentyMs = littleEndian(Decimator24kTo8kTests.sine(24_000, 500, 0.2, 0.02));
            try {
                for (int i = 0; i < 250; i++) {
                    out.write(twentyMs);
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                serverSawClose.complete(e);
                throw e;
            }
        };

        TextToSpeech.Synthesis synthesis = tts.synthesize("A long answer.", new TextToSpeech.Voice("alloy", null, Map.of(), null), sink);
        assertThat(sink.firstAudio.await(5, TimeUnit.SECONDS)).isTrue();
        synthesis.cancel();
        int delivered = sink.events.size();

        Thread.sleep(300);
        assertThat(sink.events).hasSize(delivered).containsOnly("audio");
        assertThat(serverSawClose.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    }

    @Test
    void aConnectionDroppedMidBodyFails() throws Exception {
        Sink sink = new Sink();
        handler = exchange -> {
            exchange.sendResponseHeaders(200, 48_000);
            exchange.getResponseBody().write(new byte[4_800]);
            exchange.getResponseBody().flush();
            Thread.sleep(100);
            throw new IllegalStateException("gone");
        };

        tts.synthesize("Hello.", new TextToSpeech.Voice("alloy", null, Map.of(), null), sink);

        sink.awaitEnd();
        assertThat(sink.events).containsExactly("audio", "failed");
        assertThat(sink.failure).isInstanceOf(OpenAiException.class).hasCauseInstanceOf(IOException.class);
    }

    static byte[] littleEndian(short[] pcm) {
        ByteBuffer bytes = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(pcm);
        return bytes.array();
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
