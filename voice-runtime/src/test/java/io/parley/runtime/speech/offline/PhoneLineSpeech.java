package io.parley.runtime.speech.offline;

import io.parley.runtime.media.Mulaw;
import io.parley.runtime.media.Resampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Speech as the recogniser gets it from a call, made at test time: flite speaks the text (16 kHz)
 * and the audio crosses a telephone line: down to 8 kHz G.711 μ-law, what Twilio delivers and the
 * runtime hands the recogniser.
 *
 * <p>flite (Debian package {@code flite}) rather than espeak-ng: pocketsphinx's model, trained on
 * recorded speech, hears flite's voices well, while espeak-ng's formant synthesis of "seven" comes
 * out as "three oh one" on any setting tried.
 */
final class PhoneLineSpeech {

    private static final Map<String, byte[]> SPOKEN = new ConcurrentHashMap<>();

    private PhoneLineSpeech() {}

    /** {@code text} in flite's {@code slt} voice (US English, female), 8 kHz μ-law after a phone line. */
    static byte[] say(String text) {
        return say(text, "slt");
    }

    /** {@code text} in flite's {@code voice} ({@code slt}, {@code rms}, {@code awb} are 16 kHz voices). */
    static byte[] say(String text, String voice) {
        return SPOKEN.computeIfAbsent(voice + ":" + text, key -> overPhoneLine(synthesize(text, voice))).clone();
    }

    /** {@code millis} of digital silence, 8 kHz μ-law. */
    static byte[] silence(int millis) {
        byte[] quiet = new byte[millis * 8];
        java.util.Arrays.fill(quiet, Mulaw.silence());
        return quiet;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** 16 kHz → 8 kHz → μ-law. */
    static byte[] overPhoneLine(short[] pcm16k) {
        Resampler down = Resampler.downsample16kTo8k();
        short[] narrow = new short[down.maxOutput(pcm16k.length)];
        int n = down.process(pcm16k, 0, pcm16k.length, narrow, 0);
        byte[] ulaw = new byte[n];
        Mulaw.encode(narrow, 0, n, ulaw, 0);
        return ulaw;
    }

    private static short[] synthesize(String text, String voice) {
        try {
            Path wav = Files.createTempFile("parley-speech-", ".wav");
            try {
                Process flite;
                try {
                    flite = new ProcessBuilder("flite", "-voice", voice, "-t", text, "-o", wav.toString())
                            .redirectErrorStream(true).start();
                } catch (IOException e) {
                    throw new IllegalStateException("flite is needed to make test speech: apt-get install flite", e);
                }
                byte[] output = flite.getInputStream().readAllBytes();
                if (!flite.waitFor(30, TimeUnit.SECONDS) || flite.exitValue() != 0) {
                    throw new IllegalStateException("flite failed: " + new String(output));
                }
                return readWav16k(Files.readAllBytes(wav));
            } finally {
                Files.deleteIfExists(wav);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The samples of a 16 kHz mono 16-bit PCM WAV file. */
    static short[] readWav16k(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 0x46464952 || in.getInt(8) != 0x45564157) { // "RIFF", "WAVE"
            throw new IllegalArgumentException("not a WAV file");
        }
        int at = 12;
        int rate = 0;
        while (at + 8 <= file.length) {
            int id = in.getInt(at);
            int size = in.getInt(at + 4);
            if (id == 0x20746d66) { // "fmt "
                int format = in.getShort(at + 8);
                int channels = in.getShort(at + 10);
                rate = in.getInt(at + 12);
                int bits = in.getShort(at + 22);
                if (format != 1 || channels != 1 || bits != 16 || rate != 16_000) {
                    throw new IllegalArgumentException("expected 16 kHz mono 16-bit PCM, got format " + format + ", "
                            + channels + " channels, " + rate + " Hz, " + bits + " bits");
                }
            } else if (id == 0x61746164) { // "data"
                if (rate == 0) {
                    throw new IllegalArgumentException("data before fmt");
                }
                int length = Math.min(size, file.length - at - 8) / 2;
                short[] samples = new short[length];
                in.position(at + 8);
                in.asShortBuffer().get(samples);
                return samples;
            }
            at += 8 + size + (size & 1);
        }
        throw new IllegalArgumentException("no data chunk");
    }
}
