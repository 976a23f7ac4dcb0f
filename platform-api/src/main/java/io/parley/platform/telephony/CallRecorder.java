package io.parley.platform.telephony;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;

/**
 * Records both sides of a call as a carrier hears them: 8 kHz μ-law frames of each party, placed at the moment
 * they were heard, mixed into one 16-bit mono WAV. Thread-safe.
 */
public final class CallRecorder {

    private static final int RATE = 8_000;
    private static final short[] MULAW = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            int u = ~i & 0xFF;
            int t = ((u & 0x0F) << 3) + 0x84;
            t <<= (u & 0x70) >> 4;
            MULAW[i] = (short) ((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
        }
    }

    private final long maxSamples;
    private int[] mix = new int[RATE * 10];
    private long length;

    /** @param longest the longest recording kept (audio after it is dropped) */
    public CallRecorder(Duration longest) {
        this.maxSamples = longest.toSeconds() * RATE;
    }

    /** μ-law audio that started {@code atSample} samples (1/8000 s) into the call. */
    public synchronized void add(long atSample, byte[] mulaw) {
        if (atSample < 0 || atSample >= maxSamples) {
            return;
        }
        int n = (int) Math.min(mulaw.length, maxSamples - atSample);
        int end = (int) atSample + n;
        if (end > mix.length) {
            mix = Arrays.copyOf(mix, Math.max(end, mix.length * 2));
        }
        for (int i = 0; i < n; i++) {
            mix[(int) atSample + i] += MULAW[mulaw[i] & 0xFF];
        }
        length = Math.max(length, end);
    }

    public synchronized Duration duration() {
        return Duration.ofMillis(length * 1000 / RATE);
    }

    /** The recording so far: a RIFF WAV, PCM 16-bit, 8 kHz, mono. */
    public synchronized byte[] wav() {
        int samples = (int) length;
        ByteBuffer wav = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        wav.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        wav.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(RATE).putInt(RATE * 2)
                .putShort((short) 2).putShort((short) 16);
        wav.put("data".getBytes()).putInt(samples * 2);
        for (int i = 0; i < samples; i++) {
            wav.putShort((short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, mix[i])));
        }
        return wav.array();
    }

    /** Decodes one μ-law byte (G.711) to a 16-bit sample. */
    static short decode(byte mulaw) {
        return MULAW[mulaw & 0xFF];
    }

}
