package io.parley.runtime.media;

/**
 * The 20 ms framing of Twilio Media Streams: each {@code media} message carries 160 μ-law bytes,
 * 160 samples at 8 kHz. See {@link FrameSplitter} to cut arbitrary audio into such frames.
 */
public final class Frames {

    /** Length of one frame in milliseconds. */
    public static final int FRAME_MILLIS = 20;
    /** Bytes in one frame of 8 kHz μ-law (one byte per sample). */
    public static final int FRAME_BYTES = 160;

    private Frames() {}

    /**
     * Samples in one 20 ms frame at {@code sampleRate} Hz (160 at 8 kHz, 320 at 16 kHz, 960 at
     * 48 kHz): the natural chunk size for buffers on either side of a {@link Resampler}.
     *
     * @throws IllegalArgumentException if the rate is not positive or 20 ms is not a whole number of samples
     */
    public static int samplesPerFrame(int sampleRate) {
        if (sampleRate <= 0 || sampleRate % (1000 / FRAME_MILLIS) != 0) {
            throw new IllegalArgumentException("no whole 20 ms frame at " + sampleRate + " Hz");
        }
        return sampleRate / (1000 / FRAME_MILLIS);
    }

    /** How long {@code bytes} of 8 kHz μ-law play for, in milliseconds (rounded down). */
    public static long millisOf(long bytes) {
        return bytes * FRAME_MILLIS / FRAME_BYTES;
    }
}
