package io.parley.runtime.media;

import java.util.Arrays;
import java.util.Objects;

/**
 * Cuts a stream of 8 kHz μ-law bytes, arriving in chunks of any size (text-to-speech output, say),
 * into exact {@value Frames#FRAME_BYTES}-byte frames, holding back the remainder until more
 * arrives or {@link #flush} is called. One per call; not thread-safe; nothing is allocated after
 * construction.
 *
 * <p>Frames are lent to the {@link Sink}, not given: a frame is either a slice of the caller's
 * chunk (no copy, when nothing is held back) or this splitter's own buffer, which is reused for the
 * next frame. A sink that keeps a frame past its call must copy it.
 */
public final class FrameSplitter {

    /** Receives frames in stream order. */
    @FunctionalInterface
    public interface Sink {
        /**
         * One frame: {@code bytes[offset .. offset + length)}, valid only during this call.
         * {@code length} is {@value Frames#FRAME_BYTES} except for an unpadded {@link #flush}.
         */
        void frame(byte[] bytes, int offset, int length);
    }

    private final Sink sink;
    private final byte[] pending = new byte[Frames.FRAME_BYTES];
    private int pendingLength;

    /** A splitter that hands its frames to {@code sink}. */
    public FrameSplitter(Sink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Adds the whole of {@code chunk}; see {@link #accept(byte[], int, int)}. */
    public void accept(byte[] chunk) {
        accept(chunk, 0, chunk.length);
    }

    /**
     * Adds {@code chunk[off .. off + len)} to the stream, handing every frame it completes to the
     * sink and keeping the rest (fewer than {@value Frames#FRAME_BYTES} bytes) for later.
     *
     * @throws IndexOutOfBoundsException if the range does not fit {@code chunk}
     */
    public void accept(byte[] chunk, int off, int len) {
        Objects.checkFromIndexSize(off, len, chunk.length);
        int end = off + len;
        int at = off;
        if (pendingLength > 0) {
            int n = Math.min(Frames.FRAME_BYTES - pendingLength, len);
            System.arraycopy(chunk, at, pending, pendingLength, n);
            pendingLength += n;
            at += n;
            if (pendingLength < Frames.FRAME_BYTES) {
                return;
            }
            pendingLength = 0;
            sink.frame(pending, 0, Frames.FRAME_BYTES);
        }
        // aligned now: whole frames go out straight from the caller's array
        while (end - at >= Frames.FRAME_BYTES) {
            sink.frame(chunk, at, Frames.FRAME_BYTES);
            at += Frames.FRAME_BYTES;
        }
        System.arraycopy(chunk, at, pending, 0, end - at);
        pendingLength = end - at;
    }

    /**
     * Ends the stream so far: hands the held-back remainder to the sink, either padded with μ-law
     * silence (0xFF) to a full frame or as a short frame of its own length. Does nothing if
     * nothing is held back.
     *
     * @return the number of audio bytes (not counting padding) that were handed out
     */
    public int flush(boolean padWithSilence) {
        int audio = pendingLength;
        if (audio == 0) {
            return 0;
        }
        pendingLength = 0;
        if (padWithSilence) {
            Arrays.fill(pending, audio, Frames.FRAME_BYTES, Mulaw.silence());
            sink.frame(pending, 0, Frames.FRAME_BYTES);
        } else {
            sink.frame(pending, 0, audio);
        }
        return audio;
    }

    /** Bytes held back, waiting for the rest of their frame: always less than a frame. */
    public int pending() {
        return pendingLength;
    }

    /** Drops the held-back remainder without sending it (barge-in: stop talking now). */
    public void clear() {
        pendingLength = 0;
    }
}
