package io.parley.runtime.speech.openai;

import io.parley.runtime.speech.http.ResponseChunks;
import io.parley.runtime.media.Mulaw;
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
 * One request to OpenAI, run on a virtual thread of its own: the 24 kHz PCM body is converted to
 * μ-law 8 kHz and goes to the sink as it arrives, then done or failed. Callbacks are made holding a
 * lock that {@link #cancel()} takes too, and only until cancelled, so none starts after cancel returns.
 */
final class OpenAiSynthesis implements TextToSpeech.Synthesis {

    /** 20 ms of μ-law 8 kHz: smaller pieces are held until this much has been converted (or the body ends). */
    static final int MIN_CHUNK = 160;
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private static final Logger log = LoggerFactory.getLogger(OpenAiSynthesis.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client;
    private final HttpRequest request;
    private final OpenAiException refused;
    private final Duration idleTimeout;
    private final TextToSpeech.AudioSink sink;
    private final ReentrantLock delivering = new ReentrantLock();
    private final Decimator24kTo8k decimator = new Decimator24kTo8k();
    private volatile boolean cancelled;
    /** done or failed was delivered (under {@link #delivering}). */
    private boolean finished;
    private volatile CompletableFuture<?> exchange;
    private volatile ResponseChunks body;
    private volatile Thread worker;
    /** The first byte of a sample split between two pieces of the body, or -1. */
    private int oddByte = -1;

    /** {@code refused}: a reason not to send anything (no key), reported as the failure. */
    OpenAiSynthesis(HttpClient client, HttpRequest request, OpenAiException refused, Duration idleTimeout, TextToSpeech.AudioSink sink) {
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
                byte[] ulaw = convert(piece);
                pending.write(ulaw, 0, ulaw.length);
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
        } catch (OpenAiException e) {
            failed(e);
        } catch (InterruptedException e) {
            failed(new OpenAiException("OpenAI synthesis interrupted", -1, null, e));
        } catch (ExecutionException e) {
            failed(wrap(e.getCause()));
        } catch (Exception e) {
            failed(wrap(e));
        }
    }

    /** 24 kHz 16-bit little-endian PCM (a piece of it: a sample may be split between pieces) to μ-law 8 kHz. */
    byte[] convert(byte[] pcm24k) {
        int available = pcm24k.length + (oddByte >= 0 ? 1 : 0);
        short[] samples = new short[available / 2];
        int i = 0;
        int n = 0;
        if (oddByte >= 0 && pcm24k.length > 0) {
            samples[n++] = (short) (oddByte | (pcm24k[0] << 8));
            i = 1;
            oddByte = -1;
        }
        for (; i + 1 < pcm24k.length; i += 2) {
            samples[n++] = (short) ((pcm24k[i] & 0xFF) | (pcm24k[i + 1] << 8));
        }
        if (i < pcm24k.length) {
            oddByte = pcm24k[i] & 0xFF;
        }
        short[] pcm8k = new short[decimator.outputsFor(n)];
        int written = decimator.process(samples, 0, n, pcm8k, 0);
        byte[] ulaw = new byte[written];
        Mulaw.encode(pcm8k, 0, written, ulaw, 0);
        return ulaw;
    }

    private static OpenAiException wrap(Throwable error) {
        if (error instanceof HttpTimeoutException) {
            return new OpenAiException("OpenAI timed out: " + error.getMessage(), -1, null, error);
        }
        String what = error instanceof IOException ? "OpenAI connection failed: " : "OpenAI synthesis failed: ";
        return new OpenAiException(what + error, -1, null, error);
    }

    /** OpenAI's error body: {@code {"error":{"message":..,"type":..,"param":..,"code":..}}}. */
    static OpenAiException error(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        String code = null;
        String message = null;
        try {
            JsonNode error = JSON.readTree(text).path("error");
            if (error.isObject()) {
                code = error.path("code").asString(null);
                if (code == null) {
                    code = error.path("type").asString(null);
                }
                message = error.path("message").asString(null);
            } else if (error.isString()) {
                message = error.asString();
            }
        } catch (JacksonException e) {
            // not JSON: the text itself, below
        }
        if (message == null) {
            message = text.isEmpty() ? "no details" : text.length() > 300 ? text.substring(0, 300) + "..." : text;
        }
        return new OpenAiException("OpenAI HTTP " + status + (code == null ? "" : " " + code) + ": " + message, status, code, null);
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

    private void failed(OpenAiException error) {
        if (cancelled) {
            log.debug("OpenAI synthesis ended after cancel: {}", error.getMessage());
            return;
        }
        ResponseChunks chunks = body;
        if (chunks != null) {
            chunks.cancel();
        }
        finish(() -> sink.failed(error));
    }
}
