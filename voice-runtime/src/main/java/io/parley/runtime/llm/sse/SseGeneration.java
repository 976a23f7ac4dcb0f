package io.parley.runtime.llm.sse;

import io.parley.runtime.llm.LanguageModel;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streaming model call over HTTP + server-sent events, shared by the vendor adapters: sends the request
 * on a virtual thread, reads the event stream as it arrives and hands each event to a vendor {@link Decoder},
 * which turns it into listener callbacks.
 *
 * <ul>
 *   <li><b>Threads.</b> Everything (send, read, callbacks) runs on one virtual thread per call, never the
 *       caller's; callbacks therefore come in order.</li>
 *   <li><b>Exactly one ending.</b> {@code done} or {@code failed} is called once, unless the call is
 *       cancelled first; nothing is called after it.</li>
 *   <li><b>Cancel.</b> {@link #cancel()} sets the flag (no callback starts after that), takes the callback
 *       lock once to wait for a callback already in progress, then aborts the exchange (cancels the pending
 *       request, closes the body stream, which closes the connection). Once it returns no callback follows.
 *       It may be called from any thread, any number of times, including from inside a callback; a callback
 *       must not block on another thread that is itself calling {@code cancel()}.</li>
 *   <li><b>Timeouts.</b> The client's connect timeout; then until the response headers, connect + idle
 *       timeout; then the idle timeout between any two reads of the body (time spent in callbacks does
 *       not count). A stalled stream fails with {@link LanguageModelException.Kind#TIMEOUT}.</li>
 *   <li><b>Errors.</b> A non-2xx status fails with the vendor's error document parsed
 *       ({@link LanguageModelException#httpStatus}); a broken or prematurely ended stream fails with
 *       {@link LanguageModelException.Kind#CONNECTION} (never {@code done}).</li>
 * </ul>
 */
public final class SseGeneration implements LanguageModel.Generation {

    /** Turns a vendor's events into callbacks on {@code out}; one instance per call, used by one thread. */
    public interface Decoder {

        /**
         * Handles one event; calls {@code out.done} or {@code out.failed} when the reply is complete. A thrown
         * {@link LanguageModelException} fails the call as is; any other exception fails it as
         * {@link LanguageModelException.Kind#PROTOCOL}.
         */
        void onEvent(SseEvent event, LanguageModel.Listener out, String requestId) throws Exception;

        /** The body ended cleanly before the decoder called {@code done} or {@code failed}: finish or fail. */
        void onEnd(LanguageModel.Listener out, String requestId) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(SseGeneration.class);
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final int MAX_DRAIN_BYTES = 64 * 1024;

    private final String provider;
    private final HttpClient client;
    private final HttpRequest request;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Decoder decoder;
    private final Guard out;

    private volatile CompletableFuture<HttpResponse<InputStream>> pending;
    private volatile InputStream body;
    private volatile Thread watchdog;
    private volatile long lastActivity;
    private volatile boolean timedOut;

    private SseGeneration(String provider, HttpClient client, HttpRequest request, Duration connectTimeout, Duration idleTimeout,
                          Decoder decoder, LanguageModel.Listener listener) {
        this.provider = provider;
        this.client = client;
        this.request = request;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.decoder = decoder;
        this.out = new Guard(listener);
    }

    /** Starts the call on a new virtual thread and returns at once. */
    public static LanguageModel.Generation start(String provider, HttpClient client, HttpRequest request, Duration connectTimeout,
                                                 Duration idleTimeout, Decoder decoder, LanguageModel.Listener listener) {
        SseGeneration generation = new SseGeneration(provider, client, request, connectTimeout, idleTimeout, decoder, listener);
        Thread.ofVirtual().name("llm-" + provider).start(generation::run);
        return generation;
    }

    /** A call that could not even be sent (bad request): reports {@code error} on a virtual thread, unless cancelled first. */
    public static LanguageModel.Generation failed(String provider, Exception error, LanguageModel.Listener listener) {
        Guard guard = new Guard(listener);
        Thread.ofVirtual().name("llm-" + provider).start(() -> guard.failed(error));
        return guard::cancel;
    }

    @Override
    public void cancel() {
        out.cancel();
        stopWatchdog();
        CompletableFuture<HttpResponse<InputStream>> future = pending;
        if (future != null) {
            discard(future);
        }
        closeQuietly(body);
    }

    private void run() {
        if (out.isCancelled()) {
            return;
        }
        String requestId = null;
        try {
            HttpResponse<InputStream> response = send();
            if (response == null) {
                return;
            }
            requestId = LanguageModelException.requestIdOf(response.headers());
            body = response.body();
            if (out.isCancelled()) {
                return;
            }
            touch();
            startWatchdog();
            InputStream in = new ActivityInputStream(response.body());
            if (response.statusCode() / 100 != 2) {
                String document = new String(in.readNBytes(MAX_ERROR_BODY_BYTES), StandardCharsets.UTF_8);
                out.failed(LanguageModelException.httpStatus(provider, response.statusCode(), requestId, document));
                return;
            }
            SseReader reader = new SseReader(in);
            SseEvent event;
            while (!out.isFinished() && (event = reader.next()) != null) {
                decoder.onEvent(event, out, requestId);
            }
            if (!out.isFinished()) {
                decoder.onEnd(out, requestId);
            }
            if (!out.isFinished()) {
                out.failed(LanguageModelException.protocol(provider, "the stream ended without a result", requestId, null));
            }
            drain(in);
        } catch (ListenerFailure e) {
            log.warn("{} listener threw; failing the call", provider, e.getCause());
            out.failed(e.getCause() instanceof Exception cause ? cause : new RuntimeException(e.getCause()));
        } catch (LanguageModelException e) {
            out.failed(e);
        } catch (IOException e) {
            if (timedOut) {
                out.failed(LanguageModelException.timeout(provider, "nothing received for " + idleTimeout.toMillis() + " ms", requestId, e));
            } else {
                out.failed(LanguageModelException.connection(provider, "the stream broke: " + e, requestId, e));
            }
        } catch (Exception e) {
            out.failed(LanguageModelException.protocol(provider, "unreadable stream: " + e, requestId, e));
        } catch (Error e) {
            out.failed(new RuntimeException(e));
            throw e;
        } finally {
            stopWatchdog();
            closeQuietly(body);
        }
    }

    /** The response (headers received), or {@code null} if cancelled meanwhile. */
    private HttpResponse<InputStream> send() throws LanguageModelException {
        CompletableFuture<HttpResponse<InputStream>> future = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        pending = future;
        if (out.isCancelled()) {
            discard(future);
            return null;
        }
        Duration wait = connectTimeout.plus(idleTimeout);
        try {
            return future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            discard(future);
            throw LanguageModelException.timeout(provider, "no response within " + wait.toMillis() + " ms", null, e);
        } catch (CancellationException e) {
            if (out.isCancelled()) return null;
            throw LanguageModelException.connection(provider, "request cancelled", null, e);
        } catch (InterruptedException e) {
            discard(future);
            Thread.currentThread().interrupt();
            throw LanguageModelException.connection(provider, "interrupted", null, e);
        } catch (ExecutionException e) {
            if (out.isCancelled()) return null;
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                throw LanguageModelException.timeout(provider, "no connection to " + request.uri().getAuthority() + " within "
                        + connectTimeout.toMillis() + " ms", null, cause);
            }
            if (cause instanceof ConnectException) {
                throw LanguageModelException.connection(provider, "cannot connect to " + request.uri().getAuthority() + ": " + cause, null, cause);
            }
            if (cause instanceof IOException) {
                throw LanguageModelException.connection(provider, "request failed: " + cause, null, cause);
            }
            throw LanguageModelException.protocol(provider, "request failed: " + cause, null, cause);
        }
    }

    /** Cancels a pending exchange; should the response have arrived meanwhile, closes its body. */
    private static void discard(CompletableFuture<HttpResponse<InputStream>> future) {
        future.cancel(true);
        future.thenAccept(response -> closeQuietly(response.body()));
    }

    /** After the ending: reads what is left (the {@code [DONE]} tail, the chunked terminator) so HTTP/1.1 can reuse the connection. */
    private void drain(InputStream in) {
        if (out.isCancelled()) {
            return;
        }
        try {
            byte[] scratch = new byte[4096];
            long total = 0;
            int n;
            while (total < MAX_DRAIN_BYTES && (n = in.read(scratch)) >= 0) {
                total += n;
            }
        } catch (IOException ignored) {
            // already reported; the connection just will not be reused
        }
    }

    private void touch() {
        lastActivity = System.nanoTime();
    }

    private void startWatchdog() {
        long idle = idleTimeout.toNanos();
        watchdog = Thread.ofVirtual().name("llm-" + provider + "-idle").start(() -> {
            try {
                while (!out.isCancelled()) {
                    long remaining = lastActivity + idle - System.nanoTime();
                    if (remaining <= 0) {
                        timedOut = true;
                        closeQuietly(body);
                        return;
                    }
                    TimeUnit.NANOSECONDS.sleep(remaining);
                }
            } catch (InterruptedException stopped) {
                // the call ended
            }
        });
    }

    private void stopWatchdog() {
        Thread thread = watchdog;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) {
            return;
        }
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // closing to abort: nothing to add
        }
    }

    /** Counts time blocked in reads only: a slow listener does not trip the idle timeout. */
    private final class ActivityInputStream extends FilterInputStream {

        ActivityInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            touch();
            try {
                return super.read();
            } finally {
                touch();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            touch();
            try {
                return super.read(b, off, len);
            } finally {
                touch();
            }
        }
    }

    /** A listener's own exception, carried out of the decoder untouched. */
    private static final class ListenerFailure extends RuntimeException {
        ListenerFailure(RuntimeException cause) {
            super(cause);
        }
    }

    /**
     * The listener behind the lock: drops every callback once cancelled or ended, and makes {@code done}
     * / {@code failed} final.
     */
    private static final class Guard implements LanguageModel.Listener {

        private final LanguageModel.Listener delegate;
        private final ReentrantLock lock = new ReentrantLock();
        private volatile boolean cancelled;
        private volatile boolean ended;

        Guard(LanguageModel.Listener delegate) {
            this.delegate = delegate;
        }

        boolean isCancelled() {
            return cancelled;
        }

        boolean isFinished() {
            return cancelled || ended;
        }

        /**
         * Raises the flag first, so no callback starts after this is called (the reader cannot barge in ahead
         * of a waiting cancel), then takes the lock once to wait for a callback already in progress.
         */
        void cancel() {
            cancelled = true;
            lock.lock();
            lock.unlock();
        }

        @Override
        public void token(String text) {
            lock.lock();
            try {
                if (cancelled || ended) return;
                delegate.token(text);
            } catch (RuntimeException e) {
                throw new ListenerFailure(e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void toolCall(String id, String name, String argumentsJson) {
            lock.lock();
            try {
                if (cancelled || ended) return;
                delegate.toolCall(id, name, argumentsJson);
            } catch (RuntimeException e) {
                throw new ListenerFailure(e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void done(LanguageModel.Usage usage) {
            lock.lock();
            try {
                if (cancelled || ended) return;
                ended = true;
                delegate.done(usage);
            } catch (RuntimeException e) {
                log.warn("language model listener threw from done()", e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void failed(Exception error) {
            lock.lock();
            try {
                if (cancelled || ended) return;
                ended = true;
                delegate.failed(error);
            } catch (RuntimeException e) {
                log.warn("language model listener threw from failed()", e);
            } finally {
                lock.unlock();
            }
        }
    }
}
