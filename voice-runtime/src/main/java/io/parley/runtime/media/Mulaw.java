package io.parley.runtime.media;

import java.util.Objects;

/**
 * G.711 μ-law codec (ITU-T G.711, the usual 16-bit form with bias 0x84 and clip 32635), as used by
 * Twilio Media Streams ({@code audio/x-mulaw}, 8 kHz mono). Both directions are table lookups so the
 * per-sample cost on the media path is one array read: 256 entries to decode, 65,536 to encode.
 *
 * <p>Codes 0x80–0xFF are positive and 0x00–0x7F negative. Two codes mean zero: 0xFF (+0) and 0x7F
 * (−0); both decode to 0, and 0 always encodes as 0xFF, so 0x7F does not survive a round trip. No
 * "zero trap" is applied (full-scale negative is 0x00, not 0x02): that was a T1 line-coding rule,
 * not part of G.711. Stateless and thread-safe.
 */
public final class Mulaw {

    /** Added to the magnitude before segmenting, so every segment starts at a power of two. */
    private static final int BIAS = 0x84;
    /** Largest magnitude that still fits the top segment once biased (32635 + 132 = 32767). */
    private static final int CLIP = 32635;
    private static final byte SILENCE = (byte) 0xFF;

    private static final short[] DECODE = new short[256];
    /** Indexed by the 16-bit sample's bit pattern ({@code pcm & 0xFFFF}). */
    private static final byte[] ENCODE = new byte[1 << 16];

    static {
        for (int code = 0; code < DECODE.length; code++) {
            DECODE[code] = computeDecode(code);
        }
        for (int bits = 0; bits < ENCODE.length; bits++) {
            ENCODE[bits] = computeEncode((short) bits);
        }
    }

    private Mulaw() {}

    /**
     * The μ-law code for a 16-bit linear sample. −32768 encodes exactly like −32767 (code 0x00):
     * the magnitude is taken in {@code int}, so it cannot wrap to a near-silent code the way a
     * {@code short} negation does.
     */
    public static byte encode(short pcm) {
        return ENCODE[pcm & 0xFFFF];
    }

    /** The 16-bit linear sample a μ-law code stands for: the middle of its quantisation step. */
    public static short decode(byte ulaw) {
        return DECODE[ulaw & 0xFF];
    }

    /**
     * Decodes {@code len} codes from {@code src[off..]} into {@code dst[dstOff..]}.
     *
     * @throws IndexOutOfBoundsException if either range does not fit its array
     */
    public static void decode(byte[] src, int off, int len, short[] dst, int dstOff) {
        Objects.checkFromIndexSize(off, len, src.length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = DECODE[src[off + i] & 0xFF];
        }
    }

    /**
     * Encodes {@code len} samples from {@code src[off..]} into {@code dst[dstOff..]}.
     *
     * @throws IndexOutOfBoundsException if either range does not fit its array
     */
    public static void encode(short[] src, int off, int len, byte[] dst, int dstOff) {
        Objects.checkFromIndexSize(off, len, src.length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = ENCODE[src[off + i] & 0xFFFF];
        }
    }

    /** The code for silence (+0), 0xFF: what to pad a short frame with. */
    public static byte silence() {
        return SILENCE;
    }

    /** G.711 decoding; only used to fill the table. */
    private static short computeDecode(int code) {
        int bits = ~code & 0xFF; // codes are sent inverted
        int exponent = (bits >> 4) & 0x07;
        int mantissa = bits & 0x0F;
        int magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
        return (short) ((bits & 0x80) != 0 ? -magnitude : magnitude);
    }

    /** G.711 encoding; only used to fill the table. */
    private static byte computeEncode(short pcm) {
        int sign = pcm < 0 ? 0x80 : 0;
        int magnitude = Math.min(Math.abs((int) pcm), CLIP) + BIAS; // int: |−32768| does not wrap
        // magnitude is in [132, 32767], so magnitude >> 7 is in [1, 255]; its top bit is the segment
        int exponent = 31 - Integer.numberOfLeadingZeros(magnitude >> 7);
        int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }
}
