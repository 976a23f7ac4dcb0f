package io.parley.runtime.media.twilio;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Paces one call's outbound audio at real time in 20 ms frames, keeping at most {@code leadMillis}
 * sent ahead of what the caller can have heard, so a {@code clear} has little to flush. Marks go
 * out right after the last frame queued before them. What was sent and cannot have been heard yet is
 * remembered, so {@link #pause} can take it back (Twilio flushes it on {@code clear}) and send it
 * again on {@link #resume}. Not thread-safe: one owner drives it ({@link PlayoutScheduler}, under the
 * connection's lock).
 */
final class Playout {

    static final int FRAME_BYTES = io.parley.runtime.media.Frames.FRAME_BYTES;
    static final int FRAME_MILLIS = io.parley.runtime.media.Frames.FRAME_MILLIS;

    private sealed interface Item {}
    private record Frame(byte[] bytes, int offset, int length) implements Item {}
    private record MarkItem(String name) implements Item {}
    private record Sent(Item item, long endsAtMillis) {}

    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    /** Items sent in this burst that the caller cannot have heard yet, with the burst time at which they end. */
    private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
    /** Marks sent again after a pause: the first echo of each is Twilio's answer to the flush, not a hearing. */
    private final Map<String, Integer> echoesToSwallow = new HashMap<>();
    private boolean paused;
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
        if (paused) return;
        if (burstStartNanos >= 0 && elapsedMillis(nowNanos) >= sentMillis) {
            burstStartNanos = -1; // the caller has heard all we sent: what comes next starts a new burst with a full lead
            inFlight.clear();
        }
        if (burstStartNanos >= 0) forgetHeard(elapsedMillis(nowNanos));
        while (!queue.isEmpty()) {
            Item next = queue.peek();
            if (next instanceof MarkItem mark) {
                queue.poll();
                if (burstStartNanos >= 0) inFlight.add(new Sent(mark, sentMillis));
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
            inFlight.add(new Sent(frame, sentMillis));
        }
    }

    private void forgetHeard(long elapsedMillis) {
        while (!inFlight.isEmpty() && inFlight.peek().endsAtMillis() <= elapsedMillis) inFlight.poll();
    }

    /**
     * Takes back what was sent and cannot have been heard at {@code nowNanos} (to be flushed with Twilio's
     * {@code clear}) and holds everything until {@link #resume}. Returns whether anything was taken back.
     */
    boolean pause(long nowNanos) {
        if (paused) return false;
        paused = true;
        if (burstStartNanos >= 0) forgetHeard(elapsedMillis(nowNanos));
        boolean tookBack = !inFlight.isEmpty();
        while (!inFlight.isEmpty()) {
            Sent sent = inFlight.pollLast();
            if (sent.item() instanceof Frame) queuedFrames++;
            if (sent.item() instanceof MarkItem mark) echoesToSwallow.merge(mark.name(), 1, Integer::sum);
            queue.addFirst(sent.item());
        }
        burstStartNanos = -1;
        sentMillis = 0;
        return tookBack;
    }

    /** Sends again, from the next {@link #pump}, what {@link #pause} held; a new burst with a full lead. */
    void resume() {
        paused = false;
    }

    /** Whether a mark's echo is the one Twilio returns for a flushed copy (and so not a hearing); counts it off. */
    boolean swallowEcho(String markName) {
        Integer pending = echoesToSwallow.get(markName);
        if (pending == null) return false;
        if (pending == 1) echoesToSwallow.remove(markName);
        else echoesToSwallow.put(markName, pending - 1);
        return true;
    }

    /** Drops what is queued (marks included: Twilio echoes the marks it already has when it clears). */
    void clear() {
        queue.clear();
        inFlight.clear();
        paused = false;
        queuedFrames = 0;
        burstStartNanos = -1;
        sentMillis = 0;
    }

    long queuedMillis() {
        return queuedFrames * FRAME_MILLIS;
    }

    boolean idle() {
        return queue.isEmpty() || paused;
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
