package io.parley.runtime.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ResamplerTests {

    /** Output skipped before measuring: far more than the ~2 ms the filters take to settle. */
    private static final int SETTLE_MILLIS = 50;

    static Stream<Named<Supplier<Resampler>>> converters() {
        return Stream.of(
                Named.of("8k->16k", Resampler::upsample8kTo16k),
                Named.of("16k->8k", Resampler::downsample16kTo8k),
                Named.of("48k->8k", Resampler::downsample48kTo8k));
    }

    @Test
    void factoriesConvertBetweenTheNamedRates() {
        assertThat(Resampler.upsample8kTo16k()).extracting(Resampler::inputRate, Resampler::outputRate)
                .containsExactly(8_000, 16_000);
        assertThat(Resampler.downsample16kTo8k()).extracting(Resampler::inputRate, Resampler::outputRate)
                .containsExactly(16_000, 8_000);
        assertThat(Resampler.downsample48kTo8k()).extracting(Resampler::inputRate, Resampler::outputRate)
                .containsExactly(48_000, 8_000);
    }

    @ParameterizedTest
    @MethodSource("converters")
    void passesA1kHzToneWithinHalfADecibel(Supplier<Resampler> factory) {
        Resampler resampler = factory.get();
        short[] out = convert(resampler, tone(resampler.inputRate(), 1_000, 0.5, 1.0));
        double gainDb = db(amplitudeAt(settled(out, resampler.outputRate()), resampler.outputRate(), 1_000) / (0.5 * 32767));
        assertThat(gainDb).isBetween(-0.5, 0.5);
    }

    @ParameterizedTest
    @MethodSource("converters")
    void telephoneBandEdgeLosesLessThanOneDecibel(Supplier<Resampler> factory) {
        Resampler resampler = factory.get();
        short[] out = convert(resampler, tone(resampler.inputRate(), 3_400, 0.5, 1.0));
        double gainDb = db(amplitudeAt(settled(out, resampler.outputRate()), resampler.outputRate(), 3_400) / (0.5 * 32767));
        assertThat(gainDb).isBetween(-1.0, 0.5);
    }

    @ParameterizedTest(name = "{0} Hz at 16 kHz")
    @CsvSource({"4500", "5000", "6000", "7000", "7900"})
    void downsampling16kSuppressesAliasesBy40Db(int frequency) {
        assertThat(aliasAttenuationDb(Resampler.downsample16kTo8k(), frequency)).isLessThan(-40);
    }

    @ParameterizedTest(name = "{0} Hz at 48 kHz")
    @CsvSource({"4500", "6000", "8000", "10000", "12000", "16000", "20000", "23900"})
    void downsampling48kSuppressesAliasesBy40Db(int frequency) {
        assertThat(aliasAttenuationDb(Resampler.downsample48kTo8k(), frequency)).isLessThan(-40);
    }

    /** Everything that comes out of an out-of-band tone is alias: its whole power, relative to the input's. */
    private static double aliasAttenuationDb(Resampler resampler, int frequency) {
        double amplitude = 0.9;
        short[] out = settled(convert(resampler, tone(resampler.inputRate(), frequency, amplitude, 1.0)), resampler.outputRate());
        return db(rms(out) / (amplitude * 32767 / Math.sqrt(2)));
    }

    @ParameterizedTest(name = "{0} Hz tone, image at {1} Hz")
    @CsvSource({"1000, 7000", "3000, 5000"})
    void upsamplingSuppressesImagesBy40Db(int frequency, int image) {
        Resampler resampler = Resampler.upsample8kTo16k();
        short[] out = settled(convert(resampler, tone(8_000, frequency, 0.9, 1.0)), 16_000);
        assertThat(db(amplitudeAt(out, 16_000, image) / amplitudeAt(out, 16_000, frequency))).isLessThan(-40);
    }

    @ParameterizedTest
    @MethodSource("converters")
    void anyChunkingGivesBitIdenticalOutput(Supplier<Resampler> factory) {
        Random random = new Random(42);
        short[] input = noisyTones(factory.get().inputRate(), 3.0, random);
        short[] whole = convert(factory.get(), input);
        for (int trial = 0; trial < 5; trial++) {
            Resampler resampler = factory.get();
            short[] out = new short[resampler.maxOutput(input.length)];
            int written = 0;
            for (int at = 0; at < input.length; ) {
                int len = Math.min(input.length - at, randomChunk(random));
                written += resampler.process(input, at, len, out, written);
                at += len;
            }
            assertThat(Arrays.copyOf(out, written)).as("trial %d", trial).isEqualTo(whole);
        }
    }

    /** Mostly tiny and odd chunks, sometimes larger than the converter's internal block. */
    private static int randomChunk(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(3); // 0, 1 or 2
            case 1 -> 2 * random.nextInt(20) + 1; // odd
            case 2 -> random.nextInt(400);
            default -> random.nextInt(5_000);
        };
    }

    @ParameterizedTest
    @MethodSource("converters")
    void outputLengthTracksTheRateRatioExactly(Supplier<Resampler> factory) {
        Resampler resampler = factory.get();
        int inRate = resampler.inputRate();
        int outRate = resampler.outputRate();
        Random random = new Random(7);
        short[] chunk = new short[5_000];
        short[] out = new short[resampler.maxOutput(chunk.length)];
        long totalIn = 0;
        long totalOut = 0;
        long target = 60L * inRate; // a minute of audio
        while (totalIn < target) {
            int len = (int) Math.min(target - totalIn, randomChunk(random));
            int expected = (int) (Math.ceilDiv((totalIn + len) * outRate, inRate) - totalOut);
            // an output array of exactly the right size is accepted
            int written = resampler.process(chunk, 0, len, out, out.length - expected);
            assertThat(written).isEqualTo(expected).isLessThanOrEqualTo(resampler.maxOutput(len));
            totalIn += len;
            totalOut += written;
            // every output is written as soon as its newest input sample has arrived
            assertThat(totalOut).isEqualTo(Math.ceilDiv(totalIn * outRate, inRate));
        }
        assertThat(totalOut).isEqualTo(60L * outRate);
    }

    @Test
    void maxOutputIsTheCeilingOfTheRatio() {
        assertThat(Resampler.upsample8kTo16k().maxOutput(160)).isEqualTo(320);
        assertThat(Resampler.downsample16kTo8k().maxOutput(321)).isEqualTo(161);
        assertThat(Resampler.downsample48kTo8k().maxOutput(960)).isEqualTo(160);
        assertThat(Resampler.downsample48kTo8k().maxOutput(961)).isEqualTo(161);
        assertThat(Resampler.downsample48kTo8k().maxOutput(0)).isZero();
    }

    @ParameterizedTest
    @MethodSource("converters")
    void fullScaleSquareWaveClipsInsteadOfWrapping(Supplier<Resampler> factory) {
        Resampler resampler = factory.get();
        int inRate = resampler.inputRate();
        int outRate = resampler.outputRate();
        int period = inRate / 100; // 100 Hz: 5 ms half periods, flat long after the ringing has decayed
        short[] square = new short[inRate];
        for (int i = 0; i < square.length; i++) {
            square[i] = (i % period) < period / 2 ? Short.MAX_VALUE : Short.MIN_VALUE;
        }
        short[] out = convert(resampler, square);

        // Gibbs overshoot would exceed 16 bits: the output must sit on the rails, not jump across zero
        assertThat(out).contains(Short.MAX_VALUE, Short.MIN_VALUE);
        int outPeriod = outRate / 100;
        int delay = outRate * 2 / 1000; // about the filter's delay
        int guard = outRate / 2000; // 0.5 ms either side of each edge, where the signal really crosses zero
        for (int n = outPeriod; n < out.length; n++) {
            int t = Math.floorMod(n - delay, outPeriod);
            boolean high = t >= guard && t < outPeriod / 2 - guard;
            boolean low = t >= outPeriod / 2 + guard && t < outPeriod - guard;
            if (high) {
                assertThat(out[n]).as("sample %d", n).isGreaterThan((short) 16_000);
            } else if (low) {
                assertThat(out[n]).as("sample %d", n).isLessThan((short) -16_000);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("converters")
    void resetStartsAfresh(Supplier<Resampler> factory) {
        Random random = new Random(3);
        Resampler used = factory.get();
        convert(used, noisyTones(used.inputRate(), 0.1, random));
        used.reset();
        short[] input = noisyTones(used.inputRate(), 0.2, random);
        assertThat(convert(used, input)).isEqualTo(convert(factory.get(), input));
    }

    @Test
    void rejectsAnOutputBufferTooSmallForWhatTheCallWrites() {
        Resampler resampler = Resampler.upsample8kTo16k();
        assertThatThrownBy(() -> resampler.process(new short[160], 0, 160, new short[319], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> resampler.process(new short[160], 1, 160, new short[320], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> resampler.maxOutput(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    // --- signal helpers ---

    private static short[] convert(Resampler resampler, short[] input) {
        short[] out = new short[resampler.maxOutput(input.length)];
        int written = resampler.process(input, 0, input.length, out, 0);
        return Arrays.copyOf(out, written);
    }

    private static short[] tone(int rate, double frequency, double amplitude, double seconds) {
        short[] s = new short[(int) (rate * seconds)];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * frequency * i / rate));
        }
        return s;
    }

    /** Tones across the band plus full-scale-ish noise, so clamping and every phase get exercised. */
    private static short[] noisyTones(int rate, double seconds, Random random) {
        short[] s = new short[(int) (rate * seconds)];
        for (int i = 0; i < s.length; i++) {
            double v = 12_000 * Math.sin(2 * Math.PI * 440 * i / rate)
                    + 8_000 * Math.sin(2 * Math.PI * 3_900 * i / rate)
                    + 16_000 * random.nextGaussian();
            s[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
        }
        return s;
    }

    private static short[] settled(short[] out, int rate) {
        return Arrays.copyOfRange(out, rate * SETTLE_MILLIS / 1000, out.length);
    }

    /** Amplitude of one frequency by correlation over a whole number of its periods (here, whole ms). */
    private static double amplitudeAt(short[] s, int rate, double frequency) {
        int n = s.length - s.length % (rate / 1000 * 10); // whole 10 ms: an integer number of periods for 100 Hz multiples
        double re = 0;
        double im = 0;
        for (int i = 0; i < n; i++) {
            double phase = 2 * Math.PI * frequency * i / rate;
            re += s[i] * Math.cos(phase);
            im += s[i] * Math.sin(phase);
        }
        return 2 * Math.hypot(re, im) / n;
    }

    private static double rms(short[] s) {
        double sum = 0;
        for (short v : s) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum / s.length);
    }

    private static double db(double ratio) {
        return 20 * Math.log10(ratio);
    }
}
