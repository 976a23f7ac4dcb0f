package io.parley.runtime.speech.elevenlabs;

import io.parley.runtime.speech.http.ResponseChunks;
import io.parley.runtime.speech.TextToSpeech;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One request to ElevenLabs, run on a virtual thread of its own: the μ-law body goes to the sink as
 * it arrives, then done or failed. Callbacks are made holding a lock that {@link #cancel()} takes
 * too, and only until cancelled, so none starts after cancel returns.
 */
final class ElevenLabsSynthesis implements TextToSpeech.Synthesis {

    /** 20 ms of μ-law 8 kHz: smaller pieces are held until this much has arrived (or the body ends). */
    static final int MIN_CHUNK = 160;
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private static final Logger log = LoggerFactory.getLogger(ElevenLabsSynthesis.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client;
    private final HttpRequest request;
    private final ElevenLabsException refused;
    private final Duration idleTimeout;
    private final TextToSpeech.AudioSink sink;
    private final ReentrantLock delivering = new ReentrantLock();
    private volatile boolean cancelled;
    /** done or failed was delivered (under {@link #delivering}). */
    private boolean finished;
    private volatile CompletableFuture<?> exchange;
    private volatile ResponseChunks body;
    private volatile Thread worker;

    /** {@code refused}: a reason not to send anything (no key), reported as the failure. */
    ElevenLabsSynthesis(HttpClient client, HttpRequest request, ElevenLabsException refused, Duration idleTimeout,
                        TextToSpeech.AudioSink sink) {
        this.client = client;
        this.request = request;
        this.refused = refused;
        this.idleTimeout = idleTimeout;
        this.sink = sink;
    }

    void start(String name) {
        worker = Thread.ofVirtual().name(name).start(this::run);
    }

    @Override
    public void cancel() {
        delivering.lock(); // waits for a callback in progress: none starts after this
        try {
            cancelled = true;
        } finally {
            delivering.unlock();
        }
        ResponseChunks chunks = body;
        if (chunks != null) {
            chunks.cancel(); // closes the exchange
        }
        CompletableFuture<?> sending = exchange;
        if (sending != null) {
            sending.cancel(true);
        }
        Thread thread = worker;
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
        }
    }

    private void run() {
        try {
            if (refused != null) {
                throw refused;
            }
            if (request == null) { // nothing to say
                finish(sink::done);
                return;
            }
            CompletableFuture<HttpResponse<Flow.Publisher<List<ByteBuffer>>>> sending =
                    client.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher());
            exchange = sending;
            if (cancelled) {
                sending.cancel(true);
                return;
            }
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = sending.get(); // the request's timeout bounds the wait
            ResponseChunks chunks = new ResponseChunks();
            body = chunks;
            if (cancelled) {
                chunks.cancel();
            }
            response.body().subscribe(chunks);
            if (response.statusCode() / 100 != 2) {
                throw error(response.statusCode(), chunks.readAll(idleTimeout, MAX_ERROR_BODY));
            }
            ByteArrayOutputStream pending = new ByteArrayOutputStream();
            for (byte[] piece = chunks.next(idleTimeout); piece != null && !cancelled; piece = chunks.next(idleTimeout)) {
                pending.write(piece, 0, piece.length);
                if (pending.size() >= MIN_CHUNK) {
                    byte[] audio = pending.toByteArray();
                    pending.reset();
                    deliver(() -> sink.audio(audio));
                }
            }
            if (pending.size() > 0) {
                byte[] audio = pending.toByteArray();
                deliver(() -> sink.audio(audio));
            }
            finish(sink::done);
        } catch (ElevenLabsException e) {
            failed(e);
        } catch (InterruptedException e) {
            failed(new ElevenLabsException("ElevenLabs synthesis interrupted", -1, null, e));
        } catch (ExecutionException e) {
            failed(wrap(e.getCause()));
        } catch (Exception e) {
            failed(wrap(e));
        }
    }

    private static ElevenLabsException wrap(Throwable error) {
        if (error instanceof HttpTimeoutException) {
            return new ElevenLabsException("ElevenLabs timed out: " + error.getMessage(), -1, null, error);
        }
        String what = error instanceof IOException ? "ElevenLabs connection failed: " : "ElevenLabs synthesis failed: ";
        return new ElevenLabsException(what + error, -1, null, error);
    }

    /**
     * ElevenLabs' error body: {@code {"detail":{"status":..,"message":..}}} for most errors, {@code
     * {"detail":[{"loc":..,"msg":..,"type":..}]}} for a malformed request, sometimes {@code {"detail":".."}}.
     */
    static ElevenLabsException error(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String code = null;
        String message = null;
        try {
            JsonNode detail = JSON.readTree(text).path("detail");
            if (detail.isObject()) {
                code = detail.path("status").asString(null);
                message = detail.path("message").asString(null);
            } else if (detail.isArray()) {
                List<String> problems = new ArrayList<>();
                for (JsonNode problem : detail) {
                    String at = problem.path("loc").isArray() ? problem.path("loc").toString() : "";
                    problems.add((at.isEmpty() ? "" : at + " ") + problem.path("msg").asString("invalid"));
                }
                message = String.join("; ", problems);
            } else if (detail.isString()) {
                message = detail.asString();
            }
        } catch (JacksonException e) {
            // not JSON: the text itself, below
        }
        if (message == null) {
            message = text.isEmpty() ? "no details" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
        }
        return new ElevenLabsException("ElevenLabs HTTP " + status + (code == null ? "" : " " + code) + ": " + message, status, code, null);
    }

    private void deliver(Runnable callback) {
        delivering.lock();
        try {
            if (!cancelled && !finished) {
                callback.run();
            }
        } finally {
            delivering.unlock();
        }
    }

    private void finish(Runnable callback) {
        delivering.lock();
        try {
            if (!cancelled && !finished) {
                finished = true;
                callback.run();
            }
        } finally {
            delivering.unlock();
        }
    }

    private void failed(ElevenLabsException error) {
        if (cancelled) {
            log.debug("ElevenLabs synthesis ended after cancel: {}", error.getMessage());
            return;
        }
        ResponseChunks chunks = body;
        if (chunks != null) {
            chunks.cancel();
        }
        finish(() -> sink.failed(error));
    }
}
