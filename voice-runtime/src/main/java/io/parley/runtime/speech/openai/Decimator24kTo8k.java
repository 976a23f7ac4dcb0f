package io.parley.runtime.speech.openai;

import java.util.Objects;

/**
 * 24 kHz to 8 kHz for 16-bit mono PCM (OpenAI's {@code pcm} speech to the phone line): a low-pass
 * then every third sample. The project's {@code Resampler} has no 24 kHz design; this is the same
 * kind of filter, a Kaiser-windowed sinc (β 5.653, about 60 dB), 120 taps (5 ms) at 24 kHz with its
 * −6 dB point at 3.6 kHz: flat to about 3.2 kHz, at least about 55 dB down from 4 kHz, so nothing
 * above the 4 kHz Nyquist of the output folds back into the band. Only the kept outputs are computed.
 *
 * <p>Streaming: the history is kept between {@link #process} calls, so any chunking gives the same
 * output as one piece. After {@code N} input samples in total, {@code floor(N / 3)} outputs have been
 * written. Delay: 59.5 input samples (about 2.5 ms). Not thread-safe; one owner drives it.
 */
final class Decimator24kTo8k {

    static final int INPUT_RATE = 24_000;
    static final int FACTOR = 3;
    static final int TAPS = 120;
    private static final double CUTOFF_HZ = 3_600;
    private static final double KAISER_BETA = 5.653;
    private static final double[] COEFFICIENTS = kaiserSinc(TAPS, CUTOFF_HZ / INPUT_RATE, KAISER_BETA);

    /** The last {@link #TAPS} inputs twice over, so the window from {@link #newest} is always contiguous. */
    private final double[] history = new double[2 * TAPS];
    private int newest;
    /** Inputs since the last output, in [0, FACTOR). */
    private int phase;

    /** How many outputs the next {@code inputLen} input samples complete. */
    int outputsFor(int inputLen) {
        return (phase + inputLen) / FACTOR;
    }

    /**
     * Filters {@code in[off, off + len)} and writes the outputs it completes to {@code out[outOff..]}.
     *
     * @return the number written, {@link #outputsFor outputsFor(len)}
     */
    int process(short[] in, int off, int len, short[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, in.length);
        Objects.checkFromIndexSize(outOff, outputsFor(len), out.length);
        int written = 0;
        for (int i = 0; i < len; i++) {
            newest = newest == 0 ? TAPS - 1 : newest - 1; // newest first: history[newest + k] is k samples old
            double x = in[off + i];
            history[newest] = x;
            history[newest + TAPS] = x;
            if (++phase == FACTOR) {
                phase = 0;
                double acc = 0;
                for (int k = 0; k < TAPS; k++) {
                    acc += COEFFICIENTS[k] * history[newest + k];
                }
                long y = Math.round(acc);
                out[outOff + written++] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, y));
            }
        }
        return written;
    }

    /** Windowed-sinc low-pass with unity DC gain; {@code cutoff} is a fraction of the sample rate. */
    private static double[] kaiserSinc(int length, double cutoff, double beta) {
        double[] h = new double[length];
        double centre = (length - 1) / 2.0;
        double i0Beta = besselI0(beta);
        double sum = 0;
        for (int n = 0; n < length; n++) {
            double t = n - centre;
            double sinc = t == 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            double r = t / centre;
            h[n] = sinc * besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
            sum += h[n];
        }
        for (int n = 0; n < length; n++) {
            h[n] /= sum;
        }
        return h;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series. */
    private static double besselI0(double x) {
        double term = 1;
        double sum = 1;
        double halfX = x / 2;
        for (int k = 1; term > 1e-12 * sum; k++) {
            term *= (halfX / k) * (halfX / k);
            sum += term;
        }
        return sum;
    }
}
