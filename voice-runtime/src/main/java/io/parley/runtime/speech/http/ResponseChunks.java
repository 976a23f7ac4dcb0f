package io.parley.runtime.speech.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read as it arrives, with a limit on the wait for each piece: {@code
 * BodyHandlers.ofPublisher()}'s buffers, requested one batch at a time as the reader takes them.
 * {@link #cancel()} (any thread) cancels the subscription, which closes the exchange.
 */
public final class ResponseChunks implements Flow.Subscriber<List<ByteBuffer>> {

    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> pieces = new LinkedBlockingQueue<>();
    private Flow.Subscription subscription;
    private boolean cancelled;
    private boolean ended;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancelNow;
        synchronized (this) {
            subscription = s;
            cancelNow = cancelled;
        }
        if (cancelNow) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(bytes, at, n);
            at += n;
        }
        pieces.add(bytes);
    }

    @Override
    public void onError(Throwable error) {
        pieces.add(error);
    }

    @Override
    public void onComplete() {
        pieces.add(END);
    }

    /**
     * The next piece of the body (possibly empty), or null at its end.
     *
     * @throws HttpTimeoutException if nothing arrives within {@code idle}
     * @throws IOException if the exchange failed (a dropped connection, a cancel)
     */
    public byte[] next(Duration idle) throws IOException {
        if (ended) {
            return null;
        }
        Object piece;
        try {
            piece = pieces.poll(idle.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the response");
        }
        if (piece == null) {
            throw new HttpTimeoutException("no data for " + idle.toMillis() + " ms");
        }
        if (piece == END) {
            ended = true;
            return null;
        }
        if (piece instanceof Throwable error) {
            ended = true;
            throw error instanceof IOException io ? io : new IOException(error.toString(), error);
        }
        Flow.Subscription s;
        synchronized (this) {
            s = subscription;
        }
        s.request(1);
        return (byte[]) piece;
    }

    /** The whole (rest of the) body, at most {@code limit} bytes of it; for error responses. */
    public byte[] readAll(Duration idle, int limit) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] piece = next(idle); piece != null; piece = next(idle)) {
            all.write(piece, 0, Math.min(piece.length, limit - all.size()));
            if (all.size() >= limit) {
                cancel();
                break;
            }
        }
        return all.toByteArray();
    }

    public void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            cancelled = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
