package io.parley.runtime.speech.deepgram;

import io.parley.runtime.speech.SpeechToText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One call's Deepgram socket. The caller's thread only queues audio; a virtual thread of its own
 * connects and sends; the HTTP client's threads deliver Deepgram's messages (one at a time, in
 * order). Callbacks are made holding a lock that {@link #close()} takes too, and only while the
 * stream is open, so none starts after close returns; a failure is reported once and closes the stream.
 */
final class DeepgramStream implements SpeechToText.Stream, WebSocket.Listener {

    static final int SAMPLE_RATE = 8_000;
    /** Audio per binary frame at most: Deepgram suggests 20 to 100 ms. */
    private static final int MAX_FRAME_SAMPLES = SAMPLE_RATE / 10;
    /** How long close waits for Deepgram to finish and close its side after {@code CloseStream}. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);
    static final String KEEP_ALIVE = "{\"type\":\"KeepAlive\"}";
    static final String CLOSE_STREAM = "{\"type\":\"CloseStream\"}";

    private static final Logger log = LoggerFactory.getLogger(DeepgramStream.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client;
    private final DeepgramConfig config;
    private final URI uri;
    private final String apiKey;
    private final SpeechToText.Listener listener;
    private final AudioQueue queue;
    private final Thread sender;
    private final ReentrantLock delivering = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> socketClosed = new CompletableFuture<>();
    /** When audio was first sent that Deepgram has not answered yet (any message answers), or 0. */
    private final AtomicLong unansweredSince = new AtomicLong();
    /** Set, under {@link #delivering}, by close and by a failure: no callback is made once it is. */
    private volatile boolean closed;
    private volatile boolean failed;
    private volatile WebSocket socket;

    // Deepgram's messages arrive one at a time (each is requested after the last is handled): no locking needed.
    private final StringBuilder partialText = new StringBuilder();
    /** The listener was told the caller is speaking (and not yet that they stopped). */
    private boolean speaking;
    /** Words were heard since the last end of utterance. */
    private boolean words;
    /** Audio time (s) of the last {@code SpeechStarted}, or NaN. */
    private double speechStartedAt = Double.NaN;

    DeepgramStream(HttpClient client, DeepgramConfig config, URI uri, String apiKey, SpeechToText.Listener listener, String name) {
        this.client = client;
        this.config = config;
        this.uri = uri;
        this.apiKey = apiKey;
        this.listener = listener;
        this.queue = new AudioQueue((int) Math.min(Integer.MAX_VALUE, config.maxQueued().toMillis() * (SAMPLE_RATE / 1000)));
        this.sender = Thread.ofVirtual().name(name).unstarted(this::run);
    }

    void start() {
        sender.start();
    }

    @Override
    public void audio(byte[] ulaw, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, ulaw.length);
        if (closed) {
            return;
        }
        long before = queue.dropped();
        if (queue.offer(ulaw, offset, length) > 0 && before == 0) {
            log.warn("Deepgram stream {} is behind: dropping the oldest queued audio", sender.getName());
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        delivering.lock(); // waits for a callback in progress: none starts after this
        try {
            closed = true;
        } finally {
            delivering.unlock();
        }
        queue.close(); // the sender wakes, sends CloseStream and ends the socket
        long dropped = queue.dropped();
        if (dropped > 0) {
            log.warn("Deepgram stream {} dropped {} ms of audio", sender.getName(), dropped / (SAMPLE_RATE / 1000));
        }
    }

    /** Samples dropped because the queue was full. */
    long droppedSamples() {
        return queue.dropped();
    }

    /** Completes when the socket has closed (either side), or the stream gave it up. */
    CompletableFuture<Void> socketClosed() {
        return socketClosed;
    }

    // ------------------------------------------------------------------ sending (the stream's own thread)

    private void run() {
        WebSocket ws = null;
        try {
            if (apiKey == null || apiKey.isBlank()) {
                throw DeepgramException.of("No Deepgram API key: neither the stream's settings nor the configuration has one", null);
            }
            ws = connect();
            socket = ws;
            long keepAliveNanos = config.keepAliveInterval().toNanos();
            long idleNanos = config.idleTimeout().toNanos();
            long lastSent = System.nanoTime();
            while (!closed) {
                long now = System.nanoTime();
                long wait = lastSent + keepAliveNanos - now;
                long since = unansweredSince.get();
                if (since != 0) {
                    if (now - since >= idleNanos) {
                        throw DeepgramException.of("Deepgram sent nothing for " + config.idleTimeout().toMillis() + " ms of audio", null);
                    }
                    wait = Math.min(wait, since + idleNanos - now);
                }
                byte[] chunk = queue.poll(Math.max(0, wait), MAX_FRAME_SAMPLES);
                if (closed) {
                    break;
                }
                if (chunk != null) {
                    send(ws.sendBinary(ByteBuffer.wrap(chunk), true));
                    lastSent = System.nanoTime();
                    unansweredSince.compareAndSet(0, lastSent);
                } else if (System.nanoTime() - lastSent >= keepAliveNanos) {
                    send(ws.sendText(KEEP_ALIVE, true));
                    lastSent = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            fail(DeepgramException.of("Deepgram stream interrupted", e));
        } catch (DeepgramException e) {
            fail(e);
        } catch (Exception e) {
            fail(DeepgramException.of("Deepgram stream broke: " + e, e));
        } finally {
            end(ws);
        }
    }

    private WebSocket connect() throws DeepgramException, InterruptedException {
        CompletableFuture<WebSocket> connecting = client.newWebSocketBuilder()
                .connectTimeout(config.connectTimeout())
                .header("Authorization", "Token " + apiKey)
                .buildAsync(uri, this);
        try {
            return connecting.get(config.connectTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connecting.cancel(true);
            throw DeepgramException.of("Timed out connecting to Deepgram at " + uri.getHost(), e);
        } catch (ExecutionException e) {
            throw handshakeFailure(e.getCause());
        }
    }

    private void send(CompletableFuture<WebSocket> sending) throws Exception {
        try {
            sending.get(config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw DeepgramException.of("Deepgram did not take audio for " + config.idleTimeout().toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** After close: CloseStream, then Deepgram's close (it flushes its last results first); after a failure: abort. */
    private void end(WebSocket ws) {
        try {
            if (ws == null) {
                return;
            }
            if (failed || ws.isOutputClosed()) {
                ws.abort();
                return;
            }
            try {
                ws.sendText(CLOSE_STREAM, true).get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                socketClosed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException | CompletionException e) {
                log.debug("Deepgram stream {} did not close cleanly: {}", sender.getName(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.debug("Deepgram stream {}: close frame not sent: {}", sender.getName(), e.toString());
            }
            if (!ws.isInputClosed()) {
                ws.abort();
            }
        } finally {
            socketClosed.complete(null);
        }
    }

    private DeepgramException handshakeFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof WebSocketHandshakeException refused && refused.getResponse() != null) {
            HttpResponse<?> response = refused.getResponse();
            String errorCode = response.headers().firstValue("dg-error").orElse(null);
            String detail = null;
            String body = switch (response.body()) {
                case String s -> s;
                case byte[] b -> new String(b, StandardCharsets.UTF_8);
                case null, default -> null;
            };
            if (body != null && !body.isBlank()) {
                try {
                    JsonNode json = JSON.readTree(body);
                    errorCode = json.path("err_code").asString(errorCode);
                    detail = json.path("err_msg").asString(null);
                } catch (JacksonException e) {
                    detail = body.strip();
                }
            }
            String message = "Deepgram refused the stream: HTTP " + response.statusCode()
                    + (errorCode == null ? "" : " " + errorCode) + (detail == null ? "" : ": " + detail);
            return new DeepgramException(message, response.statusCode(), -1, errorCode, cause);
        }
        return DeepgramException.of("Cannot connect to Deepgram at " + uri.getHost() + ": " + cause, cause);
    }

    // ------------------------------------------------------------------ receiving (the HTTP client's threads)

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partialText.append(data);
        if (last) {
            String message = partialText.toString();
            partialText.setLength(0);
            unansweredSince.set(0);
            try {
                handle(message);
            } catch (RuntimeException e) {
                log.warn("Deepgram stream {}: cannot handle {}: {}", sender.getName(), abbreviate(message), e.toString());
            }
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        ws.request(1); // Deepgram sends no binary messages on /v1/listen
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        socketClosed.complete(null);
        if (!closing.get()) {
            String code = reason == null || reason.isBlank() ? null : reason.split("[\\s.:]", 2)[0];
            fail(new DeepgramException("Deepgram closed the stream: " + statusCode + (reason == null || reason.isBlank() ? "" : " " + reason),
                    -1, statusCode, code, null));
        }
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        socketClosed.complete(null);
        fail(DeepgramException.of("Deepgram stream broke: " + error, error));
    }

    private void handle(String message) {
        JsonNode json;
        try {
            json = JSON.readTree(message);
        } catch (JacksonException e) {
            log.warn("Deepgram stream {}: not JSON: {}", sender.getName(), abbreviate(message));
            return;
        }
        switch (json.path("type").asString("")) {
            case "Results" -> results(json);
            case "SpeechStarted" -> speechStarted(json.path("timestamp").asDouble(Double.NaN));
            case "UtteranceEnd" -> utteranceEnd();
            case "Metadata" -> { }
            case "Error" -> {
                String code = json.path("variant").asString(null);
                String description = json.path("description").asString(json.path("message").asString("no description"));
                fail(new DeepgramException("Deepgram reported an error: " + description, -1, -1, code, null));
            }
            default -> log.debug("Deepgram stream {}: ignoring {}", sender.getName(), abbreviate(message));
        }
    }

    private void results(JsonNode json) {
        String text = json.path("channel").path("alternatives").path(0).path("transcript").asString("").strip();
        boolean isFinal = json.path("is_final").asBoolean(false);
        boolean speechFinal = json.path("speech_final").asBoolean(false);
        if (!text.isEmpty()) {
            if (!speaking) { // words without a SpeechStarted (Deepgram's VAD missed the onset)
                speaking = true;
                deliver(() -> listener.voiceActivity(true));
            }
            words = true;
            deliver(isFinal ? () -> listener.finalText(text) : () -> listener.interim(text));
        } else if (isFinal && speaking && !words && !Double.isNaN(speechStartedAt)) {
            // voice without words: once a final result reaches utteranceEnd past the onset, it was noise
            double end = json.path("start").asDouble(0) + json.path("duration").asDouble(0);
            if (end >= speechStartedAt + config.utteranceEnd().toMillis() / 1000.0) {
                speaking = false;
                speechStartedAt = Double.NaN;
                deliver(() -> listener.voiceActivity(false));
            }
        }
        if (speechFinal && words) {
            words = false;
            deliver(listener::endOfUtterance);
        }
    }

    private void speechStarted(double timestamp) {
        if (!speaking) {
            speaking = true;
            speechStartedAt = timestamp;
            deliver(() -> listener.voiceActivity(true));
        }
    }

    private void utteranceEnd() {
        speechStartedAt = Double.NaN;
        if (speaking) {
            speaking = false;
            deliver(() -> listener.voiceActivity(false));
        }
        if (words) {
            words = false;
            deliver(listener::endOfUtterance);
        }
    }

    // ------------------------------------------------------------------ callbacks

    private void deliver(Runnable callback) {
        delivering.lock();
        try {
            if (!closed) {
                callback.run();
            }
        } catch (RuntimeException e) {
            log.warn("Deepgram stream {}: the listener threw", sender.getName(), e);
        } finally {
            delivering.unlock();
        }
    }

    /** Reports {@code error} unless the stream is closed already, then closes it. */
    private void fail(DeepgramException error) {
        delivering.lock();
        try {
            if (closed) {
                log.debug("Deepgram stream {} ended: {}", sender.getName(), error.getMessage());
                return;
            }
            failed = true;
            closed = true;
            closing.set(true);
            try {
                listener.failed(error);
            } catch (RuntimeException e) {
                log.warn("Deepgram stream {}: the listener threw", sender.getName(), e);
            }
        } finally {
            delivering.unlock();
        }
        queue.close();
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private static String abbreviate(String message) {
        return message.length() <= 200 ? message : message.substring(0, 200) + "...";
    }
}
