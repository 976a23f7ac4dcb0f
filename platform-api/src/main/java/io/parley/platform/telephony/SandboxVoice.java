package io.parley.platform.telephony;

import com.sun.speech.freetts.Voice;
import com.sun.speech.freetts.audio.SingleFileAudioPlayer;
import com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;

/**
 * The sandbox callee's voice: FreeTTS's kevin16 (in the JVM, no key, no network) rendered as a phone line carries
 * it, 8 kHz μ-law, in 20 ms frames of 160 bytes.
 */
final class SandboxVoice {

    static final int FRAME_BYTES = 160;
    private static final Object FREETTS = new Object(); // FreeTTS voices are not safe to allocate concurrently

    private SandboxVoice() {}

    /** {@code text} spoken, as μ-law at 8 kHz. */
    static byte[] speak(String text) {
        Path dir;
        try {
            dir = Files.createTempDirectory("parley-sandbox-voice");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path base = dir.resolve("line");
        try {
            synchronized (FREETTS) {
                Voice voice = null;
                for (Voice v : new KevinVoiceDirectory().getVoices()) {
                    if (v.getName().equals("kevin16")) voice = v;
                }
                if (voice == null) throw new IllegalStateException("FreeTTS has no kevin16 voice");
                SingleFileAudioPlayer player = new SingleFileAudioPlayer(base.toString(), javax.sound.sampled.AudioFileFormat.Type.WAVE);
                voice.setAudioPlayer(player);
                voice.allocate();
                try {
                    voice.speak(text);
                } finally {
                    voice.deallocate();
                    player.close();
                }
            }
            return toUlaw8k(base.resolveSibling("line.wav"));
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a temp file left behind
            }
            dir.toFile().delete();
        }
    }

    private static byte[] toUlaw8k(Path wav) {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat format = in.getFormat();
            AudioFormat pcm = new AudioFormat(format.getSampleRate(), 16, 1, true, false);
            byte[] bytes = AudioSystem.getAudioInputStream(pcm, in).readAllBytes();
            short[] samples = new short[bytes.length / 2];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
            int step = Math.round(format.getSampleRate() / 8000f);   // kevin16 speaks at 16 kHz: every other sample, averaged
            byte[] ulaw = new byte[samples.length / step];
            for (int i = 0; i < ulaw.length; i++) {
                int sum = 0;
                for (int j = 0; j < step; j++) sum += samples[i * step + j];
                ulaw[i] = ulaw((short) (sum / step));
            }
            return ulaw;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedAudioFileException e) {
            throw new IllegalStateException("FreeTTS wrote no WAV", e);
        }
    }

    /** G.711 μ-law of one 16-bit sample. */
    static byte ulaw(short sample) {
        int pcm = sample;
        int sign = (pcm >> 8) & 0x80;
        if (sign != 0) pcm = -pcm;
        if (pcm > 32635) pcm = 32635;
        pcm += 0x84;
        int exponent = 7;
        for (int mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1) exponent--;
        int mantissa = (pcm >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }
}
