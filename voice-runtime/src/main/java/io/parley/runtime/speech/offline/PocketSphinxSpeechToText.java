package io.parley.runtime.speech.offline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.runtime.speech.SpeechToText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offline recogniser ({@code offline}): Debian's pocketsphinx 0.8 driven through the FFM API,
 * with a JSGF grammar per dialog step built from {@link StreamSettings#expectedPhrases()} (see
 * {@link JsgfGrammar}). No key, no network: a whole call works on the machine alone.
 *
 * <p>The model knows only 16 kHz: each stream decodes the phone's 8 kHz μ-law and upsamples it
 * as it arrives. A noise floor of {@link PocketSphinxProperties#noiseFloorDbfs()} is added to it. Each
 * stream decodes on a virtual thread of its own, never on the thread that hands it audio; loaded
 * decoders are pooled between calls. Language: English ({@code en-*}, or none); other languages fail
 * the stream.
 *
 * <p>Needs the Debian packages {@code pocketsphinx} and {@code pocketsphinx-en-us}; without them the
 * constructor throws {@link OfflineSpeechUnavailableException}. The JVM needs
 * {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>Meters: {@code parley.runtime.stt.offline.decoder.loads}, {@code ...decoders.idle},
 * {@code ...streams.active}, {@code ...audio.dropped} (samples dropped because a decoder fell behind),
 * {@code ...decode} (time in the decoder per chunk of audio).
 */
public final class PocketSphinxSpeechToText implements SpeechToText, AutoCloseable {

    public static final String ID = "offline";

    private static final Logger log = LoggerFactory.getLogger(PocketSphinxSpeechToText.class);
    /** Noise decoded by each new decoder so that its voice-activity detector knows the background. */
    private static final double CALIBRATION_SECONDS = 1.0;
    /**
     * The cepstral mean a new decoder starts from. The model's own (41.00,-5.29,...) is that of
     * wideband speech; telephone audio (band-limited, upsampled, with the noise floor) has a very
     * different one, so a new decoder misheard its first utterances until it had adapted ("seven
     * seven zero zero" came out "seven seven zero zero five"). Measured as the mean of pocketsphinx's
     * live estimates over 32 sentences in four flite voices sent through a μ-law line with a
     * −54 dBFS floor. pocketsphinx reads it from feat.params, which overrides -cmninit: the
     * recogniser writes a copy of the model's feat.params with this value.
     */
    static final String TELEPHONE_CEPSTRAL_MEAN = "54.23,7.52,-1.68,16.02,0.18,-3.62,7.38,-7.16,-3.34,1.13,-0.51,5.90,-0.54";

    private final PocketSphinxProperties properties;
    private final PocketSphinx native_;
    private final PronunciationDictionary dictionary;
    private final DecoderPool pool;
    private final Path featureParameters;
    private final Set<PocketSphinxStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicLong streamNumber = new AtomicLong();
    private final Counter dropped;
    private final Timer decode;
    private volatile boolean closed;

    public PocketSphinxSpeechToText(PocketSphinxProperties properties) {
        this(properties, new SimpleMeterRegistry());
    }

    /** Loads the library, the dictionary's word list and a first decoder (a few hundred ms). */
    public PocketSphinxSpeechToText(PocketSphinxProperties properties, MeterRegistry registry) {
        this.properties = properties;
        if (!Files.isRegularFile(properties.model().resolve("mdef"))) {
            throw new OfflineSpeechUnavailableException("No acoustic model at " + properties.model() + ": "
                    + OfflineSpeechUnavailableException.INSTALL_HINT);
        }
        if (!Files.isRegularFile(properties.dictionary())) {
            throw new OfflineSpeechUnavailableException("No pronunciation dictionary at " + properties.dictionary() + ": "
                    + OfflineSpeechUnavailableException.INSTALL_HINT);
        }
        this.native_ = PocketSphinx.load();
        this.dictionary = PronunciationDictionary.load(properties.dictionary());
        this.featureParameters = telephoneFeatureParameters(properties.model());
        this.pool = new DecoderPool(this::loadDecoder, properties.poolSize());
        try {
            pool.give(pool.take()); // fails now, not on the first call, if the model does not load
        } catch (RuntimeException e) {
            deleteFeatureParameters();
            throw e;
        }
        FunctionCounter.builder("parley.runtime.stt.offline.decoder.loads", pool, DecoderPool::loads)
                .description("pocketsphinx decoders loaded (model and dictionary)").register(registry);
        Gauge.builder("parley.runtime.stt.offline.decoders.idle", pool, DecoderPool::idle)
                .description("Loaded decoders waiting for a call").register(registry);
        Gauge.builder("parley.runtime.stt.offline.streams.active", streams, Set::size)
                .description("Offline recognition streams open").register(registry);
        this.dropped = Counter.builder("parley.runtime.stt.offline.audio.dropped").baseUnit("samples")
                .description("Audio dropped because a decoder fell behind").register(registry);
        this.decode = Timer.builder("parley.runtime.stt.offline.decode")
                .description("Time in the decoder per chunk of audio").register(registry);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Stream open(StreamSettings settings, Listener listener) {
        if (closed) {
            throw new IllegalStateException("the offline recogniser is closed");
        }
        PocketSphinxStream stream = new PocketSphinxStream(this, settings, listener, properties,
                "stt-offline-" + streamNumber.incrementAndGet());
        streams.add(stream);
        stream.start();
        return stream;
    }

    /** Ends every open stream, waits (briefly) for their decoders and frees all of them. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<PocketSphinxStream> open = new ArrayList<>(streams);
        open.forEach(PocketSphinxStream::close);
        for (PocketSphinxStream stream : open) {
            try {
                stream.awaitWorker(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        pool.close();
        deleteFeatureParameters();
    }

    /** The model's feat.params with the telephone cepstral mean, in a temporary file. */
    private static Path telephoneFeatureParameters(Path model) {
        try {
            List<String> lines = new ArrayList<>();
            Path original = model.resolve("feat.params");
            if (Files.isRegularFile(original)) {
                Files.readAllLines(original, StandardCharsets.ISO_8859_1).stream().filter(line -> !line.startsWith("-cmninit")).forEach(lines::add);
            }
            lines.add("-cmninit " + TELEPHONE_CEPSTRAL_MEAN);
            Path copy = Files.createTempFile("parley-pocketsphinx-", ".feat.params");
            Files.write(copy, lines, StandardCharsets.ISO_8859_1);
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the decoder's feature parameters", e);
        }
    }

    private void deleteFeatureParameters() {
        try {
            Files.deleteIfExists(featureParameters);
        } catch (IOException e) {
            log.debug("Could not delete {}", featureParameters, e);
        }
    }

    /** Decoders loaded since start: one at start, then one per call that found none idle. */
    long modelLoads() {
        return pool.loads();
    }

    /** Decoders freed so far; equals {@link #modelLoads()} once closed and every stream has ended. */
    long decodersFreed() {
        return pool.frees();
    }

    /** Time spent in the decoders so far. */
    long decodeNanos() {
        return (long) decode.totalTime(TimeUnit.NANOSECONDS);
    }

    long droppedSamples() {
        return (long) dropped.count();
    }

    DecoderPool pool() {
        return pool;
    }

    JsgfGrammar grammar(List<String> phrases) {
        JsgfGrammar grammar = JsgfGrammar.of(phrases, dictionary);
        if (!grammar.dropped().isEmpty()) {
            log.info("Offline recogniser: words not in the dictionary left out of the grammar: {}", grammar.dropped());
        }
        return grammar;
    }

    void dropped(int samples) {
        dropped.increment(samples);
    }

    void decoded(long nanos) {
        decode.record(nanos, TimeUnit.NANOSECONDS);
    }

    void ended(PocketSphinxStream stream) {
        streams.remove(stream);
    }

    private Decoder loadDecoder() {
        long started = System.nanoTime();
        Decoder decoder = new Decoder(native_, List.of(
                "-hmm", properties.model().toString(),
                "-dict", properties.dictionary().toString(),
                "-wip", Double.toString(properties.wordInsertionPenalty()),
                "-featparams", featureParameters.toString(),
                "-vad_postspeech", Long.toString(Math.max(1, properties.endSilence().toMillis() / 10)))); // 100 frames a second
        try {
            decoder.calibrate(CALIBRATION_SECONDS, properties.noiseSigma());
        } catch (RuntimeException e) {
            decoder.free();
            throw e;
        }
        log.debug("Offline recogniser: decoder loaded in {} ms", (System.nanoTime() - started) / 1_000_000);
        return decoder;
    }
}
