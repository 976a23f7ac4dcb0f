package io.parley.runtime.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MulawTests {

    /**
     * The decoding rule as ITU-T G.711 writes it, on the 14-bit scale, then ×4 to 16 bits: written
     * differently from the codec on purpose.
     */
    private static int referenceDecode(int code) {
        int inverted = ~code & 0xFF;
        int segment = (inverted >> 4) & 0x07;
        int step = inverted & 0x0F;
        int magnitude14 = ((2 * step + 33) << segment) - 33;
        return (inverted & 0x80) != 0 ? -4 * magnitude14 : 4 * magnitude14;
    }

    /** Width of the quantisation step of a code's segment, on the 16-bit scale. */
    private static int stepOf(byte code) {
        int segment = ((~code & 0xFF) >> 4) & 0x07;
        return 8 << segment;
    }

    @Test
    void decodeTableMatchesTheG711FormulaForAll256Codes() {
        for (int code = 0; code < 256; code++) {
            assertThat((int) Mulaw.decode((byte) code)).as("code 0x%02X", code).isEqualTo(referenceDecode(code));
        }
    }

    @Test
    void everyCodeSurvivesARoundTripExceptNegativeZero() {
        for (int code = 0; code < 256; code++) {
            byte back = Mulaw.encode(Mulaw.decode((byte) code));
            if (code == 0x7F) {
                continue;
            }
            assertThat(back & 0xFF).as("code 0x%02X", code).isEqualTo(code);
        }
    }

    @Test
    void bothZeroCodesDecodeToZeroAndZeroEncodesAsPositiveZero() {
        assertThat(Mulaw.decode((byte) 0xFF)).isZero();
        assertThat(Mulaw.decode((byte) 0x7F)).isZero();
        assertThat(Mulaw.encode(Mulaw.decode((byte) 0x7F))).isEqualTo((byte) 0xFF);
    }

    @Test
    void knownValues() {
        assertThat(Mulaw.encode((short) 0)).isEqualTo((byte) 0xFF);
        assertThat(Mulaw.encode((short) 32767)).isEqualTo((byte) 0x80);
        assertThat(Mulaw.encode((short) -32768)).isEqualTo((byte) 0x00);
        assertThat(Mulaw.decode((byte) 0x80)).isEqualTo((short) 32124);
        assertThat(Mulaw.decode((byte) 0x00)).isEqualTo((short) -32124);
        assertThat(Mulaw.decode((byte) 0xFE)).isEqualTo((short) 8);
        assertThat(Mulaw.decode((byte) 0x7E)).isEqualTo((short) -8);
        assertThat(Mulaw.silence()).isEqualTo((byte) 0xFF);
    }

    @Test
    void mostNegativeSampleEncodesLikeItsNeighbourNotAsSilence() {
        assertThat(Mulaw.encode(Short.MIN_VALUE)).isEqualTo(Mulaw.encode((short) -32767));
        assertThat(Mulaw.decode(Mulaw.encode(Short.MIN_VALUE))).isEqualTo((short) -32124);
    }

    @Test
    void quantisationErrorIsWithinHalfAStepForEvery16BitValue() {
        int previous = Integer.MIN_VALUE;
        for (int v = Short.MIN_VALUE; v <= Short.MAX_VALUE; v++) {
            byte code = Mulaw.encode((short) v);
            int decoded = Mulaw.decode(code);
            int error = Math.abs(decoded - v);
            if (Math.abs(v) <= 32635) {
                assertThat(error).as("v=%d", v).isLessThanOrEqualTo(stepOf(code) / 2);
            } else {
                // beyond G.711's range everything clips to the outermost code
                assertThat(Math.abs(decoded)).as("v=%d", v).isEqualTo(32124);
                assertThat(error).as("v=%d", v).isLessThanOrEqualTo(stepOf(code));
            }
            assertThat(decoded).as("monotonic at v=%d", v).isGreaterThanOrEqualTo(previous);
            previous = decoded;
        }
    }

    @Test
    void sineAtMinus6DbfsKeepsAnSnrAbove35Db() {
        assertThat(roundTripSnrDb(0.5)).isGreaterThan(35);
    }

    @Test
    void compandingKeepsQuietSpeechAbove30Db() {
        // a linear 8-bit code would give about 20 dB here; μ-law's log segments keep the SNR up
        assertThat(roundTripSnrDb(Math.pow(10, -30 / 20.0))).isGreaterThan(30);
    }

    private static double roundTripSnrDb(double amplitude) {
        int n = 8000;
        short[] pcm = new short[n];
        for (int i = 0; i < n; i++) {
            pcm[i] = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 1013 * i / 8000.0));
        }
        byte[] ulaw = new byte[n];
        short[] back = new short[n];
        Mulaw.encode(pcm, 0, n, ulaw, 0);
        Mulaw.decode(ulaw, 0, n, back, 0);
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < n; i++) {
            signal += (double) pcm[i] * pcm[i];
            noise += (double) (back[i] - pcm[i]) * (back[i] - pcm[i]);
        }
        return 10 * Math.log10(signal / noise);
    }

    @Test
    void bulkVariantsMatchSingleSamplesAndRespectOffsets() {
        short[] pcm = new short[300];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (i * 219 - 32768);
        }
        byte[] ulaw = new byte[310];
        Mulaw.encode(pcm, 20, 250, ulaw, 5);
        for (int i = 0; i < 250; i++) {
            assertThat(ulaw[5 + i]).isEqualTo(Mulaw.encode(pcm[20 + i]));
        }
        assertThat(ulaw[4]).isZero();
        assertThat(ulaw[255]).isZero();

        short[] decoded = new short[260];
        Mulaw.decode(ulaw, 5, 250, decoded, 3);
        for (int i = 0; i < 250; i++) {
            assertThat(decoded[3 + i]).isEqualTo(Mulaw.decode(ulaw[5 + i]));
        }
        assertThat(decoded[2]).isZero();
        assertThat(decoded[253]).isZero();
    }

    @Test
    void bulkVariantsRejectRangesOutsideTheArrays() {
        assertThatThrownBy(() -> Mulaw.encode(new short[10], 5, 6, new byte[10], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Mulaw.encode(new short[10], 0, 10, new byte[10], 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Mulaw.decode(new byte[10], 0, 10, new short[9], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
