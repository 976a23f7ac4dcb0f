package io.parley.runtime.speech.openai;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a Realtime session has to send, in order: control events, never dropped, and the caller's audio,
 * bounded. When the audio waiting exceeds the bound (a slow or still-connecting socket) the oldest audio
 * is dropped and counted, so the call's thread never blocks. Consecutive audio is sent as one append of
 * up to {@link #MAX_APPEND_BYTES}.
 */
final class RealtimeOutbox {

    /** 100 ms of μ-law 8 kHz: fewer, larger appends than Twilio's 20 ms frames. */
    static final int MAX_APPEND_BYTES = 800;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> queue = new ArrayDeque<>(); // String (an event) or byte[] (audio)
    private final long maxAudioBytes;
    private long audioBytes;
    private long droppedBytes;
    private boolean closed;

    RealtimeOutbox(long maxAudioBytes) {
        this.maxAudioBytes = maxAudioBytes;
    }

    void control(String event) {
        lock.lock();
        try {
            if (closed) return;
            queue.add(event);
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Queues audio; returns the bytes dropped to make room (0 normally). */
    long audio(byte[] ulaw) {
        lock.lock();
        try {
            if (closed || ulaw.length == 0) return 0;
            long dropped = 0;
            while (audioBytes + ulaw.length > maxAudioBytes && audioBytes > 0) {
                dropped += dropOldestAudio();
            }
            queue.add(ulaw);
            audioBytes += ulaw.length;
            droppedBytes += dropped;
            changed.signal();
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next event to send, waiting up to {@code millis}; null if none came or the outbox is closed.
     * Audio comes out as one {@code input_audio_buffer.append} of the consecutive audio at the head.
     */
    String poll(long millis) throws InterruptedException {
        lock.lock();
        try {
            long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
            while (queue.isEmpty() && !closed && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            if (closed || queue.isEmpty()) return null;
            if (queue.peekFirst() instanceof String event) {
                queue.pollFirst();
                return event;
            }
            ByteArrayOutputStream audio = new ByteArrayOutputStream(MAX_APPEND_BYTES);
            while (queue.peekFirst() instanceof byte[] chunk && (audio.size() == 0 || audio.size() + chunk.length <= MAX_APPEND_BYTES)) {
                queue.pollFirst();
                audioBytes -= chunk.length;
                audio.writeBytes(chunk);
            }
            return RealtimeClientEvents.appendAudio(audio.toByteArray());
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the sender; nothing is queued or returned after this. */
    void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long droppedBytes() {
        lock.lock();
        try {
            return droppedBytes;
        } finally {
            lock.unlock();
        }
    }

    private long dropOldestAudio() {
        for (Iterator<Object> it = queue.iterator(); it.hasNext(); ) {
            if (it.next() instanceof byte[] chunk) {
                it.remove();
                audioBytes -= chunk.length;
                return chunk.length;
            }
        }
        audioBytes = 0;
        return 0;
    }
}
