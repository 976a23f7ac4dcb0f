package io.parley.runtime.llm.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.llm.LanguageModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shared machinery, with a trivial decoder: every event's data is a token, {@code end} is done. */
class SseGenerationTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private LoopbackServer server;

    @BeforeEach
    void start() throws IOException {
        server = LoopbackServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
        client.shutdownNow();
    }

    private static final SseGeneration.Decoder TOKENS = new SseGeneration.Decoder() {
        @Override
        public void onEvent(SseEvent event, LanguageModel.Listener out, String requestId) {
            if (event.data().equals("end")) {
                out.done(new LanguageModel.Usage(1, 2));
            } else {
                out.token(event.data());
            }
        }

        @Override
        public void onEnd(LanguageModel.Listener out, String requestId) throws LanguageModelException {
            throw LanguageModelException.connection("test", "ended early", requestId, null);
        }
    };

    private LanguageModel.Generation start(URI uri, Duration idle, LanguageModel.Listener listener) {
        HttpRequest request = HttpRequest.newBuilder(uri).version(HttpClient.Version.HTTP_1_1).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        return SseGeneration.start("test", client, request, Duration.ofSeconds(1), idle, TOKENS, listener);
    }

    @Test
    void cancelWaitsForACallbackInProgressSoNothingIsCalledAfterItReturns() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data("slow");
            exchange.data("next");
            exchange.sleep(2_000);
        });
        RecordingListener recorder = new RecordingListener();
        CountDownLatch inCallback = new CountDownLatch(1);
        LanguageModel.Listener slow = new LanguageModel.Listener() {
            @Override
            public void token(String text) {
                inCallback.countDown();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                recorder.token(text);
            }

            @Override
            public void toolCall(String id, String name, String argumentsJson) {
                recorder.toolCall(id, name, argumentsJson);
            }

            @Override
            public void done(LanguageModel.Usage usage) {
                recorder.done(usage);
            }

            @Override
            public void failed(Exception error) {
                recorder.failed(error);
            }
        };

        LanguageModel.Generation generation = start(server.uri("/"), WAIT, slow);
        assertThat(inCallback.await(5, TimeUnit.SECONDS)).isTrue();
        generation.cancel();
        recorder.mark("cancel returned");

        RecordingListener.pause(300);
        assertThat(recorder.events()).containsExactly("token:slow", "mark:cancel returned");
    }

    @Test
    void cancelClosesTheConnectionEvenWhileTheServerIsSilent() throws Exception {
        try (StallingServer stalling = new StallingServer()) {
            RecordingListener listener = new RecordingListener();
            LanguageModel.Generation generation = start(stalling.uri(), WAIT, listener);
            assertThat(listener.awaitTokens(2, WAIT)).isTrue();

            generation.cancel();

            assertThat(stalling.clientClosed.await(3, TimeUnit.SECONDS)).as("the client closed the connection").isTrue();
            assertThat(listener.events()).containsExactly("token:one", "token:two");
        }
    }

    @Test
    void callsDoneOnceAndNothingAfterIt() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data("a");
            exchange.data("end");
            exchange.data("after the end");
            exchange.data("end");
        });
        RecordingListener listener = new RecordingListener();

        start(server.uri("/"), WAIT, listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        RecordingListener.pause(200);
        assertThat(listener.events()).containsExactly("token:a", "done:1/2");
    }

    @Test
    void aListenerThatThrowsFailsTheCall() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data("boom");
            exchange.data("end");
        });
        RecordingListener recorder = new RecordingListener();
        IllegalStateException bug = new IllegalStateException("listener bug");
        LanguageModel.Listener throwing = new LanguageModel.Listener() {
            @Override public void token(String text) { throw bug; }
            @Override public void toolCall(String id, String name, String argumentsJson) { }
            @Override public void done(LanguageModel.Usage usage) { recorder.done(usage); }
            @Override public void failed(Exception error) { recorder.failed(error); }
        };

        start(server.uri("/"), WAIT, throwing);

        assertThat(recorder.awaitEnd(WAIT)).isTrue();
        assertThat(recorder.events()).containsExactly("failed");
        assertThat(recorder.error()).isSameAs(bug);
    }

    /**
     * Speaks just enough HTTP/1.1 by hand to stream two events and then fall silent, and notices, without
     * writing anything, when the client closes the socket.
     */
    private static final class StallingServer implements AutoCloseable {

        final CountDownLatch clientClosed = new CountDownLatch(1);
        private final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Thread thread = Thread.ofVirtual().start(this::serve);

        StallingServer() throws IOException {
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        private void serve() {
            try (Socket connection = socket.accept()) {
                InputStream in = connection.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) return;
                    head.write(b);
                }
                String headers = head.toString(StandardCharsets.ISO_8859_1).toLowerCase();
                int at = headers.indexOf("content-length:");
                int length = at < 0 ? 0 : Integer.parseInt(headers.substring(at + 15, headers.indexOf("\r\n", at)).strip());
                in.readNBytes(length);
                OutputStream out = connection.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunk("data: one\n\n") + chunk("data: two\n\n")).getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (in.read() < 0) { // blocks until the client closes: we never write again
                    clientClosed.countDown();
                }
            } catch (IOException e) {
                clientClosed.countDown(); // reset by the client: closed too
            }
        }

        private static String chunk(String data) {
            return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
        }

        @Override
        public void close() throws IOException {
            socket.close();
            thread.interrupt();
        }
    }
}
