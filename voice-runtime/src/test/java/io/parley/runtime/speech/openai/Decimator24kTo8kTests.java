package io.parley.runtime.speech.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Decimator24kTo8kTests {

    @ParameterizedTest
    @CsvSource({"300", "1000", "2000", "3000"})
    void passesTheTelephoneBand(int hz) {
        short[] out = decimate(sine(24_000, hz, 0.5, 1.0));
        assertThat(out).hasSize(8_000);
        double gainDb = 20 * Math.log10(rms(out, 200, 7_800) / (0.5 * 32767 / Math.sqrt(2)));
        assertThat(gainDb).as("gain at %d Hz", hz).isCloseTo(0.0, within(0.5));
        assertThat(toneShare(out, 200, 7_800, 8_000, hz)).as("the tone stays a tone").isGreaterThan(0.999);
    }

    /** Without the low-pass, 5 kHz would fold to 3 kHz, 6 kHz to 2 kHz and 10 kHz to 2 kHz. */
    @ParameterizedTest
    @CsvSource({"4400", "5000", "6000", "10000"})
    void stopsWhatWouldFoldIntoTheBand(int hz) {
        short[] out = decimate(sine(24_000, hz, 0.5, 1.0));
        double attenuationDb = 20 * Math.log10(rms(out, 200, 7_800) / (0.5 * 32767 / Math.sqrt(2)));
        assertThat(attenuationDb).as("level of %d Hz after decimation", hz).isLessThan(-50);
    }

    @Test
    void anyChunkingGivesTheSameOutput() {
        short[] in = new short[24_000];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < in.length; i++) {
            in[i] = (short) random.nextInt(-20_000, 20_000);
        }
        short[] whole = decimate(in);

        Decimator24kTo8k chunked = new Decimator24kTo8k();
        short[] out = new short[whole.length];
        int written = 0;
        for (int at = 0; at < in.length; ) {
            int n = Math.min(random.nextInt(0, 50), in.length - at);
            int expected = chunked.outputsFor(n);
            assertThat(chunked.process(in, at, n, out, written)).isEqualTo(expected);
            written += expected;
            at += n;
        }
        assertThat(written).isEqualTo(8_000);
        assertThat(out).isEqualTo(whole);
    }

    @Test
    void fullScaleDoesNotWrap() {
        short[] in = new short[3_000];
        for (int i = 0; i < in.length; i++) {
            in[i] = (i / 300) % 2 == 0 ? Short.MAX_VALUE : Short.MIN_VALUE; // a square wave overshoots after filtering
        }
        short[] out = decimate(in);
        for (int i = 1; i < out.length; i++) {
            assertThat(Math.abs(out[i] - out[i - 1])).as("no wrap-around at %d", i).isLessThan(40_000);
        }
    }

    // ------------------------------------------------------------------ helpers

    static short[] decimate(short[] in) {
        Decimator24kTo8k decimator = new Decimator24kTo8k();
        short[] out = new short[decimator.outputsFor(in.length)];
        assertThat(decimator.process(in, 0, in.length, out, 0)).isEqualTo(out.length);
        return out;
    }

    static short[] sine(int rate, double hz, double amplitude, double seconds) {
        short[] pcm = new short[(int) Math.round(rate * seconds)];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return pcm;
    }

    static double rms(short[] pcm, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) pcm[i] * pcm[i];
        }
        return Math.sqrt(sum / (to - from));
    }

    /** Share of the signal's energy at {@code hz} (its DFT bin; the span should hold whole periods). */
    static double toneShare(short[] pcm, int from, int to, int rate, double hz) {
        double w = 2 * Math.PI * hz / rate;
        double re = 0;
        double im = 0;
        double total = 0;
        for (int i = from; i < to; i++) {
            re += pcm[i] * Math.cos(w * (i - from));
            im -= pcm[i] * Math.sin(w * (i - from));
            total += (double) pcm[i] * pcm[i];
        }
        double n = to - from;
        double tonePower = 2 * (re * re + im * im) / n; // energy of a real sinusoid from its DFT bin
        return tonePower / total;
    }
}
