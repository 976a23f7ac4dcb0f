package io.parley.runtime.speech.offline;

import io.parley.runtime.speech.TextToSpeech.AudioSink;
import io.parley.runtime.speech.TextToSpeech.Synthesis;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.Future;

/**
 * One synthesis on an offline voice, as MaryTTS's and FreeTTS's workers share it: what the caller holds
 * and what the worker writes its μ-law to. Each voice extends it with what its own worker needs.
 *
 * <p>Every sink call happens under {@link #lock} after checking {@link #cancelled}, and {@link #cancel()}
 * sets it under the same lock, so once {@code cancel()} returns no callback can follow. A sink must
 * therefore not block on a lock held by whoever calls {@code cancel()}: it would deadlock.
 *
 * <p>A sink that throws is not called again; the exception is kept for the worker, which stops and
 * reports it through {@link AudioSink#failed} (a worker may stop the same way on audio it cannot use).
 *
 * @param <K> the voice's cache key
 */
abstract class SynthesisJob<K> implements Synthesis {

    private final AudioSink sink;
    private final AudioCache<K> cache;
    private final Object lock = new Object();
    private volatile boolean cancelled;
    private boolean finished; // guarded by lock
    /** The worker's task once submitted, so a cancel can keep a queued synthesis from ever starting. */
    volatile Future<?> future;
    private K cacheKey; // the worker's, or set before submission
    private Exception sinkError; // the worker's
    private ByteArrayOutputStream cacheCopy; // the worker's

    SynthesisJob(AudioSink sink, AudioCache<K> cache) {
        this.sink = sink;
        this.cache = cache;
    }

    @Override
    public void cancel() {
        synchronized (lock) {
            cancelled = true;
        }
        Future<?> queued = future;
        if (queued != null) {
            queued.cancel(false); // if it has not started, it never will; if it has, the worker sees the flag
        }
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Cancelled, or the sink threw: the worker should render no more. */
    boolean stopped() {
        return cancelled || sinkError != null;
    }

    /** Why the sink can take no more audio ({@code null} while it can), for the worker to report. */
    Exception sinkError() {
        return sinkError;
    }

    /** Stops the synthesis as a throwing sink would: the worker renders no more and reports {@code error}. */
    void stopWith(Exception error) {
        sinkError = error;
    }

    /** The audio delivered from now on is kept, and cached under {@code key} if the synthesis completes. */
    void cacheUnder(K key) {
        cacheKey = key;
    }

    /** Keeps {@code ulaw} for the cache (if this text is cached) and delivers it; {@code false} stops the synthesis. */
    boolean deliverAndKeep(byte[] ulaw) {
        if (cacheKey != null) {
            if (cacheCopy == null) {
                cacheCopy = new ByteArrayOutputStream(8192);
            }
            cacheCopy.write(ulaw, 0, ulaw.length);
        }
        return deliver(ulaw);
    }

    /** To the sink unless cancelled or finished; {@code false} stops the synthesis. */
    boolean deliver(byte[] ulaw) {
        synchronized (lock) {
            if (cancelled || finished) {
                return false;
            }
            try {
                sink.audio(ulaw);
                return true;
            } catch (RuntimeException e) {
                sinkError = e;
                return false;
            }
        }
    }

    void finishDone() {
        if (cacheKey != null && !cancelled) {
            // complete audio: cache it before done(), so a caller that repeats the text right away hits
            cache.put(cacheKey, cacheCopy == null ? new byte[0] : cacheCopy.toByteArray());
        }
        synchronized (lock) {
            if (!cancelled && !finished) {
                finished = true;
                sink.done();
            }
        }
    }

    void finishFailed(Exception error) {
        synchronized (lock) {
            if (!cancelled && !finished) {
                finished = true;
                sink.failed(error);
            }
        }
    }
}
