package io.parley.runtime.media;

import java.time.Duration;
import java.util.Objects;

/**
 * On-box voice activity detection on the caller's 8 kHz μ-law audio, for when the runtime should not
 * wait for the speech-to-text provider to say the caller started or stopped talking (a provider
 * without voice events, or one whose events arrive late).
 *
 * <p>Per 20 ms frame it measures the level (RMS, dBFS, from a 256-entry table of squared μ-law
 * values: no decoding) and compares it with the line's noise floor, estimated by <em>minimum
 * statistics</em>: the quietest frame of the last {@link Settings#floorWindow()}. Speech has pauses
 * between syllables and words that let the floor through, while steady noise (a car, a fan, a
 * hissing line) raises the floor and stops counting as voice within one window.
 * <ul>
 *   <li>A frame is <em>voiced</em> when it is at least {@link Settings#onsetMarginDb()} above the
 *       floor and above {@link Settings#minSpeechDbfs()}.</li>
 *   <li>Voice <em>starts</em> after {@link Settings#onset()} of consecutive voiced frames, and is
 *       reported as having started at the first of them.</li>
 *   <li>Voice <em>stops</em> after {@link Settings#hangover()} of frames below the lower threshold
 *       ({@link Settings#offsetMarginDb()} above the floor, hysteresis), reported as having stopped
 *       at the first of them.</li>
 * </ul>
 * Not thread-safe: one instance per call, fed in order from one thread at a time. Its state is two
 * small arrays (the floor window) and a few counters.
 */
public final class VoiceActivityDetector {

    /** What the detector decides, with how long ago (in the audio fed so far) it really happened. */
    public interface Listener {
        /** The caller started speaking {@code millisAgo} before the end of the frame that decided it. */
        void started(long millisAgo);

        /** The caller stopped speaking {@code millisAgo} before the end of the frame that decided it. */
        void stopped(long millisAgo);
    }

    /**
     * Tuning.
     *
     * @param onsetMarginDb  how far above the noise floor a frame must be to count as voice
     * @param offsetMarginDb below this much above the floor a frame counts as silence (≤ onset margin)
     * @param minSpeechDbfs  no frame quieter than this is voice, whatever the floor
     * @param onset          voiced time before voice is reported (a click or a pop is shorter)
     * @param hangover       quiet time before the end of voice is reported (gaps between words are shorter)
     * @param floorWindow    how far back the noise floor looks for the quietest frame
     */
    public record Settings(double onsetMarginDb, double offsetMarginDb, double minSpeechDbfs,
                           Duration onset, Duration hangover, Duration floorWindow) {

        /** Telephone speech over a quiet to moderately noisy line. */
        public static final Settings DEFAULTS = new Settings(12, 6, -45,
                Duration.ofMillis(40), Duration.ofMillis(240), Duration.ofSeconds(5));

        public Settings {
            Objects.requireNonNull(onset, "onset");
            Objects.requireNonNull(hangover, "hangover");
            Objects.requireNonNull(floorWindow, "floorWindow");
            if (!(offsetMarginDb >= 0 && offsetMarginDb <= onsetMarginDb)) {
                throw new IllegalArgumentException("need 0 <= offsetMarginDb <= onsetMarginDb");
            }
            if (onset.isNegative() || hangover.isNegative() || floorWindow.toMillis() < Frames.FRAME_MILLIS) {
                throw new IllegalArgumentException("durations must be positive, the floor window at least a frame");
            }
        }
    }

    /** Quieter than this is treated as this (digital silence would otherwise be −∞). */
    private static final double FLOOR_DBFS = -90;
    private static final double FULL_SCALE_SQUARED = 32768.0 * 32768.0;
    /** Squared linear value of each μ-law code. */
    private static final double[] SQUARED = new double[256];

    static {
        for (int code = 0; code < 256; code++) {
            double v = Mulaw.decode((byte) code);
            SQUARED[code] = v * v;
        }
    }

    private final Settings settings;
    private final Listener listener;
    private final int onsetFrames;
    private final int hangoverFrames;
    private final int window;

    /** Partial frame carried over to the next call of {@link #accept}. */
    private double pendingEnergy;
    private int pendingSamples;

    /** Monotonic deque of (frame number, level): its head is the quietest frame of the window. */
    private final long[] dequeFrame;
    private final double[] dequeLevel;
    private int head;
    private int size;

    private long frame;
    private boolean speaking;
    private int run;

    public VoiceActivityDetector(Settings settings, Listener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.onsetFrames = Math.max(1, frames(settings.onset()));
        this.hangoverFrames = Math.max(1, frames(settings.hangover()));
        this.window = Math.max(1, frames(settings.floorWindow()));
        this.dequeFrame = new long[window];
        this.dequeLevel = new double[window];
    }

    /** Feeds caller audio, any length; whole 20 ms frames are judged as they complete. */
    public void accept(byte[] ulaw, int off, int len) {
        Objects.checkFromIndexSize(off, len, ulaw.length);
        for (int i = off, end = off + len; i < end; i++) {
            pendingEnergy += SQUARED[ulaw[i] & 0xFF];
            if (++pendingSamples == Frames.FRAME_BYTES) {
                double level = level(pendingEnergy / Frames.FRAME_BYTES);
                pendingEnergy = 0;
                pendingSamples = 0;
                judge(level);
            }
        }
    }

    /** Whether the caller is speaking, as last reported. */
    public boolean speaking() {
        return speaking;
    }

    /** The current noise floor estimate, dBFS. */
    public double noiseFloorDbfs() {
        return size == 0 ? FLOOR_DBFS : dequeLevel[head];
    }

    private void judge(double level) {
        double floor = track(level);
        if (!speaking) {
            boolean voiced = level >= Math.max(settings.minSpeechDbfs(), floor + settings.onsetMarginDb());
            run = voiced ? run + 1 : 0;
            if (run >= onsetFrames) {
                speaking = true;
                run = 0;
                listener.started((long) onsetFrames * Frames.FRAME_MILLIS);
            }
        } else {
            boolean quiet = level < Math.max(settings.minSpeechDbfs(), floor + settings.offsetMarginDb());
            run = quiet ? run + 1 : 0;
            if (run >= hangoverFrames) {
                speaking = false;
                run = 0;
                listener.stopped((long) hangoverFrames * Frames.FRAME_MILLIS);
            }
        }
    }

    /** Adds this frame to the floor window; answers the floor (the window's quietest frame). */
    private double track(double level) {
        long now = frame++;
        // drop frames that left the window, then louder frames that can never be the minimum again
        while (size > 0 && dequeFrame[head] <= now - window) {
            head = (head + 1) % window;
            size--;
        }
        while (size > 0 && dequeLevel[(head + size - 1) % window] >= level) {
            size--;
        }
        int tail = (head + size) % window;
        dequeFrame[tail] = now;
        dequeLevel[tail] = level;
        size++;
        return dequeLevel[head];
    }

    private static double level(double meanSquare) {
        if (meanSquare <= 0) return FLOOR_DBFS;
        return Math.max(FLOOR_DBFS, 10 * Math.log10(meanSquare / FULL_SCALE_SQUARED));
    }

    private static int frames(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis() / Frames.FRAME_MILLIS);
    }
}
