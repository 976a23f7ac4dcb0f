package io.parley.runtime.speech.offline;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The offline recogniser's settings ({@code parley.speech.offline.*}); every one has a default.
 *
 * @param model                the acoustic model directory (16 kHz US English from {@code pocketsphinx-en-us})
 * @param dictionary           the pronunciation dictionary; grammar words it lacks are dropped
 * @param poolSize             loaded decoders kept between calls (loading one takes 150–300 ms); one is
 *                             loaded at start. More calls at once than this still work: extra decoders
 *                             are loaded, and freed when their calls end
 * @param maxQueued            audio a stream holds while its decoder catches up; beyond it the oldest is dropped
 * @param noiseFloorDbfs       level of the seeded noise added to all audio: the model was trained on noisy
 *                             speech and fails on digital silence
 * @param interimInterval      audio between two interim hypotheses while the caller speaks
 * @param endSilence           silence that ends an utterance (the decoder's {@code -vad_postspeech})
 * @param wordInsertionPenalty the decoder's {@code -wip}: lower inserts fewer words (1e-3 beats the default
 *                             0.65 on digit strings)
 */
@ConfigurationProperties("parley.speech.offline")
public record PocketSphinxProperties(Path model, Path dictionary, Integer poolSize, Duration maxQueued, Double noiseFloorDbfs,
                                     Duration interimInterval, Duration endSilence, Double wordInsertionPenalty) {

    public static final Path DEBIAN_MODEL = Path.of("/usr/share/pocketsphinx/model/en-us/en-us");
    public static final Path DEBIAN_DICTIONARY = Path.of("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict");

    public PocketSphinxProperties {
        model = model == null ? DEBIAN_MODEL : model;
        dictionary = dictionary == null ? DEBIAN_DICTIONARY : dictionary;
        poolSize = poolSize == null ? 2 : poolSize;
        maxQueued = maxQueued == null ? Duration.ofSeconds(5) : maxQueued;
        noiseFloorDbfs = noiseFloorDbfs == null ? -54.0 : noiseFloorDbfs;
        interimInterval = interimInterval == null ? Duration.ofMillis(300) : interimInterval;
        endSilence = endSilence == null ? Duration.ofMillis(500) : endSilence;
        wordInsertionPenalty = wordInsertionPenalty == null ? 1e-3 : wordInsertionPenalty;
        if (poolSize < 0) {
            throw new IllegalArgumentException("poolSize must not be negative");
        }
        if (maxQueued.toMillis() < 100 || interimInterval.toMillis() < 10 || endSilence.toMillis() < 100) {
            throw new IllegalArgumentException("maxQueued and endSilence must be at least 100 ms, interimInterval at least 10 ms");
        }
    }

    /** Debian's model and dictionary, and the defaults above. */
    public static PocketSphinxProperties defaults() {
        return new PocketSphinxProperties(null, null, null, null, null, null, null, null);
    }

    public PocketSphinxProperties withPoolSize(int size) {
        return new PocketSphinxProperties(model, dictionary, size, maxQueued, noiseFloorDbfs, interimInterval, endSilence, wordInsertionPenalty);
    }

    public PocketSphinxProperties withModel(Path modelDirectory, Path dictionaryFile) {
        return new PocketSphinxProperties(modelDirectory, dictionaryFile, poolSize, maxQueued, noiseFloorDbfs, interimInterval, endSilence,
                wordInsertionPenalty);
    }

    /** The standard deviation, in 16-bit sample units, of the Gaussian noise at {@link #noiseFloorDbfs()}. */
    double noiseSigma() {
        return 32768 * Math.pow(10, noiseFloorDbfs / 20);
    }
}
