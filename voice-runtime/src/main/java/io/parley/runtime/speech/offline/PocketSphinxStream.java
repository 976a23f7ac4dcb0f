package io.parley.runtime.speech.offline;

import io.parley.runtime.media.Mulaw;
import io.parley.runtime.media.Resampler;
import io.parley.runtime.speech.SpeechToText;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call's recognition: the socket thread queues audio, a virtual thread of its own feeds it to a
 * pooled decoder and turns the decoder's voice-activity changes into utterances (activity on,
 * interims every {@code interimInterval} of speech when they change, activity off, the final text
 * and end of utterance). Callbacks are made with a lock that {@link #close()} takes too, so none
 * starts after close returns.
 */
final class PocketSphinxStream implements SpeechToText.Stream {

    private static final Logger log = LoggerFactory.getLogger(PocketSphinxStream.class);

    private final PocketSphinxSpeechToText recogniser;
    private final SpeechToText.Listener listener;
    private final String language;
    private final AudioQueue queue;
    private final Resampler upsampler = Resampler.upsample8kTo16k();
    private final short[] pcm8k = new short[160];
    private final short[] pcm16k = new short[upsampler.maxOutput(pcm8k.length)];
    private final AtomicReference<List<String>> pendingPhrases = new AtomicReference<>();
    private final ReentrantLock delivering = new ReentrantLock();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final SplittableRandom noise = new SplittableRandom(0x9A21E7L);
    private final double noiseSigma;
    private final int interimSamples;
    private final Thread worker;
    private volatile boolean closed;

    PocketSphinxStream(PocketSphinxSpeechToText recogniser, SpeechToText.StreamSettings settings, SpeechToText.Listener listener,
                       PocketSphinxProperties properties, String name) {
        this.recogniser = recogniser;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.language = settings.language();
        this.queue = new AudioQueue((int) Math.min(Integer.MAX_VALUE, properties.maxQueued().toMillis() * 16));
        this.noiseSigma = properties.noiseSigma();
        this.interimSamples = (int) (properties.interimInterval().toMillis() * 16);
        this.pendingPhrases.set(copy(settings.expectedPhrases()));
        this.worker = Thread.ofVirtual().name(name).unstarted(this::run);
    }

    void start() {
        worker.start();
    }

    /** Decodes the phone's μ-law and upsamples it to the 16 kHz pocketsphinx's acoustic model wants. */
    @Override
    public synchronized void audio(byte[] ulaw, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, ulaw.length);
        if (closed) {
            return;
        }
        for (int at = offset; at < offset + length; at += pcm8k.length) {
            int n = Math.min(pcm8k.length, offset + length - at);
            Mulaw.decode(ulaw, at, n, pcm8k, 0);
            int samples = upsampler.process(pcm8k, 0, n, pcm16k, 0);
            int dropped = queue.offer(pcm16k, 0, samples);
            if (dropped > 0) {
                recogniser.dropped(dropped);
            }
        }
    }

    @Override
    public void expect(List<String> phrases) {
        pendingPhrases.set(copy(phrases)); // applied by the worker between utterances
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        delivering.lock(); // waits for a callback in progress: none starts after this
        try {
            closed = true;
        } finally {
            delivering.unlock();
        }
        queue.close(); // the worker wakes, gives its decoder back and leaves
    }

    /** Waits for the worker to give its decoder back (the recogniser's close). */
    void awaitWorker(long millis) throws InterruptedException {
        if (Thread.currentThread() != worker) {
            worker.join(millis);
        }
    }

    long droppedSamples() {
        return queue.dropped();
    }

    private void run() {
        Decoder decoder = null;
        boolean reusable = false;
        try {
            if (language != null && !language.isBlank() && !language.toLowerCase(Locale.ROOT).startsWith("en")) {
                throw new IllegalArgumentException("The offline recogniser speaks English only, not " + language);
            }
            decoder = recogniser.pool().take();
            useExpectedPhrases(decoder);
            decoder.start();
            decode(decoder);
            if (decoder.inUtterance()) {
                decoder.end();
            }
            reusable = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IllegalStateException("offline recognition interrupted", e));
        } catch (Exception e) {
            fail(e);
        } finally {
            if (decoder != null) {
                if (reusable) {
                    recogniser.pool().give(decoder);
                } else {
                    recogniser.pool().discard(decoder); // its state is unknown after a failure
                }
            }
            recogniser.ended(this);
        }
    }

    private void decode(Decoder decoder) throws InterruptedException {
        boolean speaking = false;
        int sinceInterim = 0;
        String lastInterim = "";
        while (!closed) {
            short[] chunk = queue.poll(1, TimeUnit.SECONDS);
            if (chunk == null) {
                continue;
            }
            addNoiseFloor(chunk);
            long started = System.nanoTime();
            for (int offset = 0; offset < chunk.length && !closed; offset += Decoder.PIECE) {
                int n = Math.min(Decoder.PIECE, chunk.length - offset);
                if (!speaking && pendingPhrases.get() != null) {
                    decoder.end();
                    useExpectedPhrases(decoder);
                    decoder.start();
                }
                boolean inSpeech = decoder.process(chunk, offset, n);
                if (inSpeech && !speaking) {
                    speaking = true;
                    sinceInterim = 0;
                    lastInterim = "";
                    deliver(() -> listener.voiceActivity(true));
                } else if (inSpeech) {
                    sinceInterim += n;
                    if (sinceInterim >= interimSamples) {
                        sinceInterim = 0;
                        String partial = decoder.hypothesis();
                        if (!partial.isEmpty() && !partial.equals(lastInterim)) {
                            lastInterim = partial;
                            deliver(() -> listener.interim(partial));
                        }
                    }
                } else if (speaking) {
                    speaking = false;
                    decoder.end();
                    String text = decoder.hypothesis();
                    deliver(() -> listener.voiceActivity(false));
                    if (!text.isEmpty()) { // only fillers heard (a cough, a breath): no utterance
                        deliver(() -> listener.finalText(text));
                        deliver(listener::endOfUtterance);
                    }
                    if (pendingPhrases.get() != null) {
                        useExpectedPhrases(decoder);
                    }
                    decoder.start();
                }
            }
            recogniser.decoded(System.nanoTime() - started);
        }
    }

    private void useExpectedPhrases(Decoder decoder) {
        List<String> phrases = pendingPhrases.getAndSet(null);
        if (phrases != null) {
            decoder.useGrammar(recogniser.grammar(phrases).jsgf());
        }
    }

    /** Adds the seeded Gaussian noise floor, in place. */
    private void addNoiseFloor(short[] chunk) {
        for (int i = 0; i < chunk.length; i++) {
            long sample = chunk[i] + Math.round(noise.nextGaussian() * noiseSigma);
            chunk[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sample));
        }
    }

    private void deliver(Runnable callback) {
        delivering.lock();
        try {
            if (!closed) {
                callback.run();
            }
        } catch (RuntimeException e) {
            log.warn("A speech listener threw; recognition goes on", e);
        } finally {
            delivering.unlock();
        }
    }

    private void fail(Exception error) {
        delivering.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            log.warn("Offline recognition failed", error);
            listener.failed(error);
        } catch (RuntimeException e) {
            log.warn("A speech listener threw on failure", e);
        } finally {
            delivering.unlock();
        }
        close();
    }

    private static List<String> copy(List<String> phrases) {
        return phrases == null ? List.of() : phrases.stream().filter(Objects::nonNull).toList();
    }
}
