package io.parley.runtime.speech.offline;

import com.sun.speech.freetts.audio.AudioPlayer;
import javax.sound.sampled.AudioFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A FreeTTS {@link AudioPlayer} that plays nothing: each {@code write} FreeTTS makes (about 1 KB of
 * PCM as its wave is rendered) is decoded to samples and handed to the current {@link Target} at
 * once. Returning {@code false} from {@code write} is how FreeTTS learns to stop rendering, so a
 * target that refuses audio (a cancelled synthesis) stops the engine within one chunk.
 *
 * <p>One player belongs to one pooled FreeTTS voice and is driven by whichever single thread is
 * speaking with that voice; {@link #cancel()} and {@link #resume()} may come from any thread.
 */
final class FreeTtsTextToSpeechPlayer implements AudioPlayer {

    /** Where decoded audio goes. */
    interface Target {
        /** Mono 16-bit samples at {@code sampleRate}; {@code false} stops FreeTTS. */
        boolean pcm(short[] samples, int count, int sampleRate);
    }

    private static final Logger log = LoggerFactory.getLogger(FreeTtsTextToSpeechPlayer.class);

    private final String voiceName;
    private volatile Target target;
    private AudioFormat format = new AudioFormat(16000f, 16, 1, true, true); // FreeTTS sets it per utterance
    private float volume = 1f;
    private boolean paused;
    private boolean cancelled;
    private long samplesSinceResetTime;
    private int utteranceExpectedBytes;
    private int utteranceWrittenBytes;
    private long firstSampleTimerStart = -1;
    private long firstSampleNanos = -1;
    private int danglingByte = -1; // a write that split a sample in two
    private short[] scratch = new short[1024];

    FreeTtsTextToSpeechPlayer(String voiceName) {
        this.voiceName = voiceName;
    }

    /** Points the player at the next synthesis ({@code null}: none), clearing what the last one left. */
    synchronized void target(Target next) {
        target = next;
        cancelled = false;
        paused = false;
        danglingByte = -1;
        notifyAll();
    }

    @Override
    public synchronized void setAudioFormat(AudioFormat format) {
        if (format.getSampleSizeInBits() != 16 && format.getSampleSizeInBits() != 8) {
            throw new IllegalArgumentException("unsupported FreeTTS audio format " + format);
        }
        this.format = format;
    }

    @Override
    public synchronized AudioFormat getAudioFormat() {
        return format;
    }

    /** Holds further writes (and so FreeTTS) until {@link #resume()} or {@link #cancel()}. */
    @Override
    public synchronized void pause() {
        paused = true;
    }

    @Override
    public synchronized void resume() {
        paused = false;
        notifyAll();
    }

    /** FreeTTS calls this before the first utterance of each text: a fresh start. */
    @Override
    public synchronized void reset() {
        cancelled = false;
        paused = false;
        danglingByte = -1;
        notifyAll();
    }

    /** Nothing is buffered here: every write has already gone to the target. */
    @Override
    public synchronized boolean drain() {
        danglingByte = -1;
        return !cancelled;
    }

    @Override
    public synchronized void begin(int size) {
        utteranceExpectedBytes = size;
        utteranceWrittenBytes = 0;
    }

    @Override
    public synchronized boolean end() {
        if (log.isTraceEnabled()) {
            log.trace("{}: utterance wrote {} of {} announced bytes", voiceName, utteranceWrittenBytes, utteranceExpectedBytes);
        }
        return !cancelled;
    }

    /** Refuses further writes until the next {@link #reset()} or {@link #target}. */
    @Override
    public synchronized void cancel() {
        cancelled = true;
        notifyAll();
    }

    @Override
    public void close() {
        cancel();
        target = null;
    }

    @Override
    public synchronized float getVolume() {
        return volume;
    }

    /** A gain applied to the samples, 0 to 1 (FreeTTS passes the voice's volume before each utterance). */
    @Override
    public synchronized void setVolume(float volume) {
        this.volume = Float.isNaN(volume) ? 1f : Math.clamp(volume, 0f, 1f);
    }

    /** Milliseconds of audio written since {@link #resetTime()}. */
    @Override
    public synchronized long getTime() {
        return samplesSinceResetTime * 1000 / Math.max(1, (long) format.getSampleRate());
    }

    @Override
    public synchronized void resetTime() {
        samplesSinceResetTime = 0;
    }

    @Override
    public synchronized void startFirstSampleTimer() {
        firstSampleTimerStart = System.nanoTime();
        firstSampleNanos = -1;
    }

    @Override
    public boolean write(byte[] audioData) {
        return write(audioData, 0, audioData.length);
    }

    @Override
    public boolean write(byte[] bytes, int offset, int length) {
        Target to;
        int count;
        int sampleRate;
        short[] samples;
        synchronized (this) {
            while (paused && !cancelled) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            to = target;
            if (cancelled || to == null) {
                return false;
            }
            utteranceWrittenBytes += length;
            if (firstSampleTimerStart >= 0 && firstSampleNanos < 0) {
                firstSampleNanos = System.nanoTime() - firstSampleTimerStart;
            }
            count = decode(bytes, offset, length);
            samples = scratch;
            sampleRate = (int) format.getSampleRate();
            samplesSinceResetTime += count;
        }
        return count == 0 || to.pcm(samples, count, sampleRate);
    }

    /** Decodes into {@link #scratch}: mono (the first channel), 8 or 16 bit, either byte order. */
    private int decode(byte[] bytes, int offset, int length) {
        int channels = Math.max(1, format.getChannels());
        boolean sixteen = format.getSampleSizeInBits() == 16;
        int bytesPerSample = sixteen ? 2 : 1;
        int frame = bytesPerSample * channels;
        byte[] data = bytes;
        int from = offset;
        int end = offset + length;
        if (danglingByte >= 0) { // rejoin a frame split across writes
            data = new byte[length + 1];
            data[0] = (byte) danglingByte;
            System.arraycopy(bytes, offset, data, 1, length);
            from = 0;
            end = length + 1;
            danglingByte = -1;
        }
        int frames = (end - from) / frame;
        if ((end - from) % frame != 0) {
            if (frame == 2) {
                danglingByte = data[end - 1] & 0xFF;
            } else {
                log.debug("{}: dropping a partial frame of {} bytes", voiceName, (end - from) % frame);
            }
        }
        if (scratch.length < frames) {
            scratch = new short[frames];
        }
        boolean bigEndian = format.isBigEndian();
        boolean signed = format.getEncoding() != AudioFormat.Encoding.PCM_UNSIGNED;
        float gain = volume;
        for (int i = 0, at = from; i < frames; i++, at += frame) {
            int sample;
            if (sixteen) {
                int hi = bigEndian ? data[at] : data[at + 1];
                int lo = (bigEndian ? data[at + 1] : data[at]) & 0xFF;
                sample = (hi << 8) | lo;
                if (!signed) {
                    sample = (sample & 0xFFFF) - 32768;
                }
            } else {
                sample = (signed ? data[at] : (data[at] & 0xFF) - 128) << 8;
            }
            scratch[i] = (short) (gain == 1f ? sample : Math.clamp(Math.round(sample * gain), Short.MIN_VALUE, Short.MAX_VALUE));
        }
        return frames;
    }

    @Override
    public synchronized void showMetrics() {
        log.debug("{}: first sample after {} ms, {} ms of audio since the last time reset", voiceName,
                firstSampleNanos < 0 ? -1 : firstSampleNanos / 1_000_000, getTime());
    }
}
