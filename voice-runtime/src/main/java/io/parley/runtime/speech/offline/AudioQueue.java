package io.parley.runtime.speech.offline;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Audio waiting for a stream's decoder, bounded in samples. The producer (a socket thread) never
 * waits: when the queue is full the oldest audio is dropped and counted.
 */
final class AudioQueue {

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Deque<short[]> chunks = new ArrayDeque<>();
    private int queued;
    private long dropped;
    private boolean closed;

    AudioQueue(int capacitySamples) {
        if (capacitySamples <= 0) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacitySamples;
    }

    /** Copies {@code length} samples in; returns how many older samples were dropped to make room. */
    int offer(short[] pcm, int offset, int length) {
        if (length <= 0) {
            return 0;
        }
        int skipped = Math.max(0, length - capacity); // a chunk larger than the queue keeps its end
        short[] chunk = Arrays.copyOfRange(pcm, offset + skipped, offset + length);
        int droppedNow = skipped;
        lock.lock();
        try {
            if (closed) {
                return 0;
            }
            while (queued + chunk.length > capacity) {
                short[] oldest = chunks.pollFirst();
                queued -= oldest.length;
                droppedNow += oldest.length;
            }
            chunks.addLast(chunk);
            queued += chunk.length;
            dropped += droppedNow;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
        return droppedNow;
    }

    /** The oldest chunk, waiting up to {@code timeout}; null when none came or the queue is closed. */
    short[] poll(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (chunks.isEmpty()) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            short[] chunk = chunks.pollFirst();
            queued -= chunk.length;
            return chunk;
        } finally {
            lock.unlock();
        }
    }

    /** Drops what is queued and wakes the consumer; later offers are ignored. */
    void close() {
        lock.lock();
        try {
            closed = true;
            chunks.clear();
            queued = 0;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Samples dropped so far because the consumer fell behind. */
    long dropped() {
        lock.lock();
        try {
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }
}
