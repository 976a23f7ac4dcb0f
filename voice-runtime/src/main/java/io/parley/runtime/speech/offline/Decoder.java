package io.parley.runtime.speech.offline;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded pocketsphinx decoder (acoustic model, dictionary, search). Used by one thread at a
 * time (a stream's worker), passed between threads through {@link DecoderPool}; its native memory
 * is freed exactly once by {@link #free()}.
 */
final class Decoder {

    /** Samples handed to {@code ps_process_raw} per call: 20 ms, the grain of voice-activity changes. */
    static final int PIECE = 320;

    private final PocketSphinx native_;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment config;
    private final MemorySegment ps;
    private final MemorySegment samples;
    private final MemorySegment score;
    // two search names used in turn, so a new grammar never replaces the search that is current
    private final MemorySegment[] searchNames;
    private final AtomicBoolean freed = new AtomicBoolean();
    private int search = -1;
    private String grammar;
    private boolean inUtterance;

    Decoder(PocketSphinx native_, List<String> options) {
        this.native_ = native_;
        try {
            config = native_.configuration(arena, options);
            if (config.equals(MemorySegment.NULL)) {
                throw new OfflineSpeechUnavailableException("pocketsphinx refused its configuration " + options);
            }
            ps = native_.init(config);
            if (ps.equals(MemorySegment.NULL)) {
                native_.freeConfiguration(config);
                throw new OfflineSpeechUnavailableException("pocketsphinx could not load its model with " + options + ": "
                        + OfflineSpeechUnavailableException.INSTALL_HINT);
            }
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
        samples = arena.allocate(JAVA_SHORT, PIECE);
        score = arena.allocate(JAVA_INT);
        searchNames = new MemorySegment[] {arena.allocateFrom("parley0"), arena.allocateFrom("parley1")};
    }

    /**
     * Decodes {@code seconds} of a seeded noise floor at {@code sigma}, so that the voice-activity
     * detector has measured the background before the first caller speaks (otherwise it calls the
     * first 100 ms of any call speech).
     */
    void calibrate(double seconds, double sigma) {
        SplittableRandom random = new SplittableRandom(0x5EED);
        short[] noise = new short[(int) (seconds * 16_000)];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) Math.round(random.nextGaussian() * sigma);
        }
        if (grammar == null) {
            useGrammar(JsgfGrammar.fallback());
        }
        start();
        process(noise, 0, noise.length);
        end();
    }

    /** Makes {@code jsgf} the search for the next utterance; only between utterances. */
    void useGrammar(String jsgf) {
        if (inUtterance) {
            throw new IllegalStateException("grammar changed inside an utterance");
        }
        if (jsgf.equals(grammar)) {
            return;
        }
        int next = search == 0 ? 1 : 0;
        try (Arena call = Arena.ofConfined()) {
            if (native_.setJsgfString(ps, searchNames[next], call.allocateFrom(jsgf)) < 0) {
                throw new IllegalArgumentException("pocketsphinx refused the grammar:\n" + jsgf);
            }
        }
        if (native_.setSearch(ps, searchNames[next]) < 0) {
            throw new IllegalStateException("pocketsphinx could not switch to the new grammar");
        }
        search = next;
        grammar = jsgf;
    }

    void start() {
        if (native_.startUtterance(ps) < 0) {
            throw new IllegalStateException("ps_start_utt failed");
        }
        inUtterance = true;
    }

    /** Feeds samples (in pieces of {@link #PIECE}); returns whether the caller is speaking after the last one. */
    boolean process(short[] pcm, int offset, int length) {
        for (int done = 0; done < length; ) {
            int n = Math.min(PIECE, length - done);
            MemorySegment.copy(pcm, offset + done, samples, JAVA_SHORT, 0, n);
            if (native_.processRaw(ps, samples, n) < 0) {
                throw new IllegalStateException("ps_process_raw failed");
            }
            done += n;
        }
        return native_.inSpeech(ps);
    }

    /** The best hypothesis of the utterance so far (partial while it runs, final after {@link #end()}). */
    String hypothesis() {
        return native_.hypothesis(ps, score);
    }

    void end() {
        inUtterance = false;
        if (native_.endUtterance(ps) < 0) {
            throw new IllegalStateException("ps_end_utt failed");
        }
    }

    boolean inUtterance() {
        return inUtterance;
    }

    /** Frees the decoder, its configuration and its buffers; true the first time, later calls do nothing. */
    boolean free() {
        if (!freed.compareAndSet(false, true)) {
            return false;
        }
        try {
            native_.free(ps);              // drops the decoder's own reference to the configuration
            native_.freeConfiguration(config);
        } finally {
            arena.close();
        }
        return true;
    }

    boolean isFreed() {
        return freed.get();
    }
}
