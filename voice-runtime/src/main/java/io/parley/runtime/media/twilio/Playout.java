package io.parley.runtime.media.twilio;

import java.util.ArrayDeque;

/**
 * Paces one call's outbound audio at real time in 20 ms frames, keeping at most {@code leadMillis}
 * sent ahead of what the caller can have heard, so a {@code clear} has little to flush. Marks go
 * out right after the last frame queued before them. Not thread-safe: one owner drives it
 * ({@link PlayoutScheduler}, under the connection's lock).
 */
final class Playout {

    static final int FRAME_BYTES = io.parley.runtime.media.Frames.FRAME_BYTES;
    static final int FRAME_MILLIS = io.parley.runtime.media.Frames.FRAME_MILLIS;

    private sealed interface Item {}
    private record Frame(byte[] bytes, int offset, int length) implements Item {}
    private record MarkItem(String name) implements Item {}

    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private final int leadMillis;
    private long burstStartNanos = -1;
    private long sentMillis;
    private long queuedFrames;

    Playout(int leadMillis) {
        this.leadMillis = leadMillis;
    }

    void enqueue(byte[] ulaw, String markAfter) {
        for (int offset = 0; offset < ulaw.length; offset += FRAME_BYTES) {
            queue.add(new Frame(ulaw, offset, Math.min(FRAME_BYTES, ulaw.length - offset)));
            queuedFrames++;
        }
        if (markAfter != null) {
            queue.add(new MarkItem(markAfter));
        }
    }

    /** Sends what is due at {@code nowNanos}: frames while less than the lead is in flight, and marks between them. */
    void pump(long nowNanos, Sink sink) {
        if (burstStartNanos >= 0 && elapsedMillis(nowNanos) >= sentMillis) {
            burstStartNanos = -1; // the caller has heard all we sent: what comes next starts a new burst with a full lead
        }
        while (!queue.isEmpty()) {
            Item next = queue.peek();
            if (next instanceof MarkItem mark) {
                queue.poll();
                sink.mark(mark.name());
                continue;
            }
            if (burstStartNanos < 0) {
                burstStartNanos = nowNanos;
                sentMillis = 0;
            }
            if (sentMillis - elapsedMillis(nowNanos) >= leadMillis) {
                return;
            }
            Frame frame = (Frame) queue.poll();
            queuedFrames--;
            sink.media(frame.bytes(), frame.offset(), frame.length());
            sentMillis += FRAME_MILLIS;
        }
    }

    /** Drops what is queued (marks included: Twilio echoes the marks it already has when it clears). */
    void clear() {
        queue.clear();
        queuedFrames = 0;
        burstStartNanos = -1;
        sentMillis = 0;
    }

    long queuedMillis() {
        return queuedFrames * FRAME_MILLIS;
    }

    boolean idle() {
        return queue.isEmpty();
    }

    private long elapsedMillis(long nowNanos) {
        return (nowNanos - burstStartNanos) / 1_000_000;
    }

    /** Where due items go. */
    interface Sink {
        void media(byte[] ulaw, int offset, int length);

        void mark(String name);
    }
}
