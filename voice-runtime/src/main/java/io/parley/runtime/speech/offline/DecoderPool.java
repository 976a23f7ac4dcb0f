package io.parley.runtime.speech.offline;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * Loaded decoders kept between calls: loading one (model and 135k-word dictionary) takes about
 * 150–300 ms, a grammar switch about 1 ms. Streams take a decoder for the whole call and give it
 * back; at most {@code maxIdle} are kept, the others are freed. A stream never waits for another:
 * with none idle, a new decoder is loaded.
 */
final class DecoderPool implements AutoCloseable {

    private final Supplier<Decoder> loader;
    private final int maxIdle;
    private final Deque<Decoder> idle = new ArrayDeque<>();
    private final Object loading = new Object();
    private boolean closed;
    private long loads;
    private long frees;

    DecoderPool(Supplier<Decoder> loader, int maxIdle) {
        this.loader = loader;
        this.maxIdle = maxIdle;
    }

    /** An idle decoder, or a newly loaded one. */
    Decoder take() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the offline recogniser is closed");
            }
            Decoder decoder = idle.pollFirst();
            if (decoder != null) {
                return decoder;
            }
        }
        return load();
    }

    private Decoder load() {
        Decoder decoder;
        synchronized (loading) { // one load at a time: sphinxbase keeps some global state (its log, its debug level)
            decoder = loader.get();
        }
        synchronized (this) {
            loads++;
        }
        return decoder;
    }

    /** Loads decoders until {@code count} (at most the pool's size) are idle. */
    void fill(int count) {
        while (!isClosed() && idle() < Math.min(count, maxIdle)) {
            give(load());
        }
    }

    /** Returns a decoder that is between utterances; frees it when the pool is full or closed. */
    void give(Decoder decoder) {
        synchronized (this) {
            if (!closed && idle.size() < maxIdle && !decoder.inUtterance()) {
                idle.addFirst(decoder); // the warmest first
                return;
            }
        }
        discard(decoder);
    }

    /** Frees a decoder that must not be reused (it failed mid-call). */
    void discard(Decoder decoder) {
        if (decoder.free()) {
            synchronized (this) {
                frees++;
            }
        }
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    synchronized long loads() {
        return loads;
    }

    synchronized long frees() {
        return frees;
    }

    synchronized int idle() {
        return idle.size();
    }

    /** Frees the idle decoders; those still in use are freed when their streams give them back. */
    @Override
    public void close() {
        Deque<Decoder> toFree;
        synchronized (this) {
            closed = true;
            toFree = new ArrayDeque<>(idle);
            idle.clear();
        }
        toFree.forEach(this::discard);
    }
}
