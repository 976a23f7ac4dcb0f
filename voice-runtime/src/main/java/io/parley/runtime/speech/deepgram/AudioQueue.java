package io.parley.runtime.speech.deepgram;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Audio between the thread that hands it over (never blocked: it copies and returns) and the thread
 * that sends it: μ-law, one byte a sample. Holds at most {@code capacity} samples; when more arrive the oldest are dropped and
 * counted, so a stalled socket costs the start of the backlog, never the newest speech.
 */
final class AudioQueue {

    private final int capacity;
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private int queued;
    private long dropped;
    private boolean closed;

    AudioQueue(int capacitySamples) {
        if (capacitySamples <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacitySamples;
    }

    /** Copies {@code pcm[offset, offset + length)} in; returns the number of samples dropped to make room. */
    int offer(byte[] pcm, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int skip = Math.max(0, length - capacity); // a chunk larger than the whole queue keeps its tail
        byte[] copy = new byte[length - skip];
        System.arraycopy(pcm, offset + skip, copy, 0, copy.length);
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            int droppedNow = skip;
            while (queued + copy.length > capacity) {
                byte[] oldest = chunks.removeFirst();
                queued -= oldest.length;
                droppedNow += oldest.length;
            }
            chunks.addLast(copy);
            queued += copy.length;
            dropped += droppedNow;
            available.signal();
            return droppedNow;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeoutNanos} for audio, then takes whole chunks, oldest first, up to
     * {@code maxSamples} in total (always at least one chunk). Returns null on timeout or once closed.
     */
    byte[] poll(long timeoutNanos, int maxSamples) throws InterruptedException {
        lock.lock();
        try {
            long left = timeoutNanos;
            while (chunks.isEmpty() && !closed) {
                if (left <= 0) {
                    return null;
                }
                left = available.awaitNanos(left);
            }
            if (closed) {
                return null;
            }
            int total = 0;
            int count = 0;
            for (byte[] c : chunks) {
                if (count > 0 && total + c.length > maxSamples) {
                    break;
                }
                total += c.length;
                count++;
            }
            byte[] out = new byte[total];
            int at = 0;
            for (int i = 0; i < count; i++) {
                byte[] c = chunks.removeFirst();
                System.arraycopy(c, 0, out, at, c.length);
                at += c.length;
            }
            queued -= total;
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is queued and wakes the sender; later offers are ignored. */
    void close() {
        lock.lock();
        try {
            closed = true;
            chunks.clear();
            queued = 0;
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }
}
