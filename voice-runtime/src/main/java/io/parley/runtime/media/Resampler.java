package io.parley.runtime.media;

import java.util.Arrays;
import java.util.Objects;

/**
 * Streaming rational sample-rate converter for 16-bit mono PCM, one instance per call and direction.
 * It keeps the filter history between {@link #process} calls, so cutting a stream into chunks of
 * any size (including 0 and 1) gives bit-identical output to converting it in one piece.
 *
 * <p>Conversion by {@code L/M} is a windowed-sinc (Kaiser) FIR low-pass at the rate {@code L ×
 * input}, cut off at 3.7 kHz, just under the 4 kHz Nyquist of the telephone side. It
 * removes the images of interpolation and the aliases of decimation. The filter is run in
 * polyphase form: each output is one dot product of the phase's {@code taps / L} coefficients
 * with the newest input samples, so the zeros that interpolation would insert are never
 * multiplied and decimation only computes the outputs it keeps. Coefficients are Q14 integers
 * shared by all instances; accumulation is in {@code int}, which cannot overflow (checked when the
 * coefficients are built), and each output is rounded and clamped to 16 bits. Coefficients and
 * history are held as {@code int[]}, not {@code short[]}: HotSpot vectorises an int dot product
 * but not a short one, which measured up to 4× faster.
 *
 * <p>Output {@code n} is computed as soon as the input sample at {@code floor(n·M/L)} has arrived;
 * after {@code N} input samples in total, {@code ceil(N·L/M)} outputs have been written. The filter
 * delays the signal by about 2 ms. Not thread-safe; one owner drives it. Nothing is allocated after
 * construction.
 */
public final class Resampler {

    /** −6 dB point of every design: above the 3.4 kHz telephone band, below the 4 kHz Nyquist. */
    private static final int CUTOFF_HZ = 3_700;
    /** Kaiser's β for a 60 dB stopband (0.1102 × (60 − 8.7)): far below μ-law's own ~38 dB SNR. */
    private static final double KAISER_BETA = 5.653;
    /** Coefficient scale: Q14 leaves room for the interpolator's ×L gain and keeps the sum in an int. */
    private static final int SHIFT = 14;
    /** Input samples taken per pass; bounds the instance's buffer, not the caller's chunk size. */
    private static final int BLOCK = 512;

    // Same 4 ms span for every design (64 taps at 16 kHz, 192 at 48 kHz), so the same transition:
    // flat within 0.01 dB to 3.2 kHz, −0.5 dB at 3.4 kHz, −6 dB at 3.7 kHz, at least 56 dB down from
    // 4.2 kHz (Q14 rounding costs a few of the 60 dB designed). Aliases of 4.0–4.2 kHz land above 3.8 kHz.
    private static final Design UP_8K_TO_16K = Design.lowPass(8_000, 2, 1, 64);
    private static final Design DOWN_16K_TO_8K = Design.lowPass(16_000, 1, 2, 64);
    private static final Design DOWN_48K_TO_8K = Design.lowPass(48_000, 1, 6, 192);

    private final Design design;
    /** Recent input: the last {@code taps - 1} samples of history, then what has not been used up. */
    private final int[] buffer;
    /** Valid samples in {@link #buffer}. */
    private int filled;
    /** Buffer index of the newest input sample the next output needs. */
    private int newest;
    /** Polyphase branch of the next output, in [0, L). */
    private int phase;

    private Resampler(Design design) {
        this.design = design;
        this.buffer = new int[design.taps - 1 + BLOCK];
        reset();
    }

    /** 8 kHz to 16 kHz (caller audio, decoded from μ-law, for the offline recogniser). */
    public static Resampler upsample8kTo16k() {
        return new Resampler(UP_8K_TO_16K);
    }

    /** 16 kHz to 8 kHz (16 kHz text-to-speech to the phone line). */
    public static Resampler downsample16kTo8k() {
        return new Resampler(DOWN_16K_TO_8K);
    }

    /** 48 kHz to 8 kHz (MaryTTS output to the phone line). */
    public static Resampler downsample48kTo8k() {
        return new Resampler(DOWN_48K_TO_8K);
    }

    /** Sample rate expected at the input, in Hz. */
    public int inputRate() {
        return design.inputRate;
    }

    /** Sample rate produced at the output, in Hz. */
    public int outputRate() {
        return design.inputRate * design.up / design.down;
    }

    /**
     * The most samples one {@link #process} call can write for {@code inputLen} input samples,
     * whatever came before: {@code ceil(inputLen × L / M)}. Size the output buffer with this.
     */
    public int maxOutput(int inputLen) {
        if (inputLen < 0) {
            throw new IllegalArgumentException("negative length " + inputLen);
        }
        return Math.toIntExact(Math.ceilDiv((long) inputLen * design.up, design.down));
    }

    /**
     * Converts the next {@code len} samples of the stream, {@code in[off..]}, writing to
     * {@code out[outOff..]} every output sample that has become computable.
     *
     * <p>{@code out} needs room for the samples this call writes; {@link #maxOutput
     * maxOutput(len)} is always enough, and so is sizing one array for a whole stream at
     * {@code maxOutput(total)}. The check is made before anything is consumed.
     *
     * @return the number of samples written, at most {@link #maxOutput maxOutput(len)}
     * @throws IndexOutOfBoundsException if the input range does not fit {@code in}, or the output
     *     this call would write does not fit {@code out} from {@code outOff}
     */
    public int process(short[] in, int off, int len, short[] out, int outOff) {
        Objects.checkFromIndexSize(off, len, in.length);
        Objects.checkFromIndexSize(outOff, outputsFor(len), out.length);
        int written = 0;
        int consumed = 0;
        while (consumed < len) {
            if (filled == buffer.length) {
                compact();
            }
            int n = Math.min(len - consumed, buffer.length - filled);
            for (int i = 0; i < n; i++) {
                buffer[filled + i] = in[off + consumed + i];
            }
            filled += n;
            consumed += n;
            written += drain(out, outOff + written);
        }
        return written;
    }

    /**
     * Forgets the stream so far, as if newly created: for when playback is abandoned (barge-in)
     * and the next audio must not start with the tail of the old.
     */
    public void reset() {
        // the history starts as silence, so the first outputs are well defined
        Arrays.fill(buffer, 0, design.taps - 1, 0);
        filled = design.taps - 1;
        newest = design.taps - 1;
        phase = 0;
    }

    /**
     * Exactly how many outputs {@code len} more input samples complete: those whose newest sample,
     * {@code newest + floor((phase + n·M) / L)}, falls before {@code filled + len}.
     */
    private int outputsFor(int len) {
        long ahead = (long) filled + len - newest;
        return (int) Math.max(0, Math.ceilDiv(ahead * design.up - phase, design.down));
    }

    /** Computes every output whose newest input sample is in the buffer. */
    private int drain(short[] out, int outOff) {
        int[] coefficients = design.coefficients;
        int taps = design.taps;
        int up = design.up;
        int step = design.down / up;
        int stepRemainder = design.down % up;
        int[] x = buffer;
        int written = 0;
        while (newest < filled) {
            int start = newest - (taps - 1);
            int c = phase * taps;
            int acc = 0;
            for (int i = 0; i < taps; i++) {
                acc += coefficients[c + i] * x[start + i];
            }
            int y = (acc + (1 << (SHIFT - 1))) >> SHIFT;
            out[outOff + written++] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, y));
            // advance by M at the rate L × input: whole input samples, then the phase within one
            newest += step;
            phase += stepRemainder;
            if (phase >= up) {
                phase -= up;
                newest++;
            }
        }
        return written;
    }

    /** Moves the history the next output needs to the front of the buffer. */
    private void compact() {
        // newest <= filled + M and taps > M, so start <= filled: nothing not yet received is kept
        int start = newest - (design.taps - 1);
        System.arraycopy(buffer, start, buffer, 0, filled - start);
        filled -= start;
        newest -= start;
    }

    /**
     * One converter's coefficients, shared by all its instances. {@code taps} is per polyphase
     * branch; branch {@code p} is stored time-reversed at {@code [p × taps, (p + 1) × taps)} so
     * that its dot product runs forwards over the buffer.
     */
    private record Design(int inputRate, int up, int down, int taps, int[] coefficients) {

        static Design lowPass(int inputRate, int up, int down, int length) {
            if (length % up != 0 || length / up <= down) {
                throw new IllegalArgumentException("length must be a multiple of L and longer than M per branch");
            }
            double highRate = (double) inputRate * up;
            double[] h = kaiserSinc(length, CUTOFF_HZ / highRate, KAISER_BETA);
            int taps = length / up;
            int[] coefficients = new int[length];
            for (int p = 0; p < up; p++) {
                // branch p holds h[p], h[p + L], ... scaled by L (interpolation spreads each input over L outputs)
                double[] branch = new double[taps];
                for (int j = 0; j < taps; j++) {
                    branch[j] = h[p + j * up] * up;
                }
                int[] q = quantise(branch);
                for (int j = 0; j < taps; j++) {
                    coefficients[p * taps + (taps - 1 - j)] = q[j];
                }
            }
            return new Design(inputRate, up, down, taps, coefficients);
        }

        /**
         * Rounds a branch to Q14, then moves the rounding residue onto its largest tap so the branch
         * sums to exactly 1.0: DC passes at unity and every branch has the same DC gain, so a DC
         * offset does not turn into a tone at the old Nyquist.
         */
        private static int[] quantise(double[] branch) {
            int[] q = new int[branch.length];
            int sum = 0;
            int largest = 0;
            for (int j = 0; j < branch.length; j++) {
                q[j] = (int) Math.round(branch[j] * (1 << SHIFT));
                sum += q[j];
                if (Math.abs(branch[j]) > Math.abs(branch[largest])) {
                    largest = j;
                }
            }
            q[largest] += (1 << SHIFT) - sum;
            long worst = 0;
            for (int c : q) {
                worst += Math.abs(c) * 32_768L;
            }
            if (worst + (1 << (SHIFT - 1)) > Integer.MAX_VALUE) {
                throw new IllegalStateException("filter could overflow an int accumulator");
            }
            return q;
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
                double window = besselI0(beta * Math.sqrt(1 - r * r)) / i0Beta;
                h[n] = sinc * window;
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
}
