package io.parley.runtime.speech.offline;

import com.sun.speech.freetts.FreeTTSSpeakable;
import com.sun.speech.freetts.OutputQueue;
import com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory;
import io.parley.runtime.media.Mulaw;
import io.parley.runtime.media.Resampler;
import io.parley.runtime.speech.TextToSpeech;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;

/**
 * The fast offline voice ({@code offline-fast}): FreeTTS's diphone voice "kevin", in-process, no keys,
 * no network. Robotic but instant (rendering runs at well under 1% of real time once a voice is
 * allocated), so it is the fallback voice and the fast test voice: {@link OfflineTextToSpeech}
 * ({@code offline}) speaks with it when MaryTTS is off or failed to load, or the persona names a
 * FreeTTS voice.
 *
 * <p>Voices are {@code kevin16} (16 kHz, the default, brought to 8 kHz by the runtime's
 * {@link Resampler}) and {@code kevin} (natively 8 kHz); either is encoded with {@link Mulaw}. They
 * are created from {@link KevinVoiceDirectory} directly, so neither {@code freetts.voices} nor a
 * {@code speech.properties}/{@code voices.txt} lookup is involved. Settings: {@code rate} (words per
 * minute, default 150), {@code pitch} (baseline Hz, default 100), {@code pitchRange} (Hz, default
 * 11), {@code volume} (0 to 1, default 1).
 *
 * <p>FreeTTS voices are not thread-safe, so each synthesis borrows a voice of its own from a pool
 * (one is allocated on first need and kept: about 0.3 s for the first in a JVM, 50–90 ms after; see
 * {@link #warmUp}) and runs on a fixed pool of platform threads, one per core by default, never on
 * the caller's thread. Audio goes to the sink as FreeTTS
 * renders it (about every 32 ms of speech), converted to μ-law 8 kHz. Short texts are kept in an LRU
 * cache keyed by voice, settings and text; a cached text is delivered at once, from a virtual thread.
 */
public final class FreeTtsTextToSpeech implements TextToSpeech, AutoCloseable {

    public static final String ID = "offline-fast";
    public static final String DEFAULT_VOICE = "kevin16";
    /** The voice ids this provider knows; any other falls back to the default. */
    public static final Set<String> VOICES = Set.of("kevin16", "kevin");

    public static final String SETTING_RATE = "rate";
    public static final String SETTING_PITCH = "pitch";
    public static final String SETTING_PITCH_RANGE = "pitchRange";
    public static final String SETTING_VOLUME = "volume";

    private static final Logger log = LoggerFactory.getLogger(FreeTtsTextToSpeech.class);
    private static final int TELEPHONE_RATE = 8000;

    /** FreeTTS loads its lexicon and letter-to-sound tables through static state: one allocation at a time, JVM-wide. */
    private static final Object ALLOCATION_LOCK = new Object();

    /**
     * How the provider runs.
     *
     * @param defaultVoice       the voice for personas that name none or an unknown one
     * @param threads            synthesis threads (synthesis is CPU-bound); also the most voices allocated per voice id
     * @param cacheEntries       how many texts the cache keeps (0: no cache)
     * @param cacheMaxTextLength only texts up to this many characters are cached
     * @param cacheMaxBytes      the cache's total audio, in μ-law bytes (8,000 a second)
     */
    public record Options(String defaultVoice, int threads, int cacheEntries, int cacheMaxTextLength, long cacheMaxBytes) {

        public Options {
            defaultVoice = defaultVoice == null ? DEFAULT_VOICE : defaultVoice.strip().toLowerCase(Locale.ROOT);
            if (!VOICES.contains(defaultVoice)) {
                throw new IllegalArgumentException("unknown FreeTTS voice " + defaultVoice + "; known: " + VOICES);
            }
            if (threads < 1 || cacheEntries < 0 || cacheMaxTextLength < 0 || cacheMaxBytes < 0) {
                throw new IllegalArgumentException("invalid options " + threads + "/" + cacheEntries + "/"
                        + cacheMaxTextLength + "/" + cacheMaxBytes);
            }
        }

        /** kevin16; one thread per core; 256 texts of up to 200 characters, 16 MB (about 33 minutes) in all. */
        public static Options defaults() {
            return new Options(DEFAULT_VOICE, Runtime.getRuntime().availableProcessors(), 256, 200, 16L << 20);
        }
    }

    private final Options options;
    private final ExecutorService executor;
    private final Map<String, ConcurrentLinkedDeque<PooledVoice>> idleVoices = new ConcurrentHashMap<>();
    private final AtomicInteger allocatedVoices = new AtomicInteger();
    private final AudioCache<CacheKey> cache;
    private final Set<String> reportedUnknownVoices = ConcurrentHashMap.newKeySet();
    private final AtomicLong engineRuns = new AtomicLong();
    private volatile boolean closed;

    public FreeTtsTextToSpeech() {
        this(Options.defaults());
    }

    public FreeTtsTextToSpeech(Options options) {
        this.options = Objects.requireNonNull(options, "options");
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> Thread.ofPlatform()
                        .name("freetts-" + threadNumber.incrementAndGet()).daemon().unstarted(runnable));
        this.cache = new AudioCache<>(options.cacheEntries(), options.cacheMaxBytes());
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * Allocates one voice of {@code voiceIds} (the default voice if none) now, so the first call does not
     * pay for it. Blocking; safe to call again.
     */
    public void warmUp(String... voiceIds) {
        ensureOpen();
        String[] names = voiceIds.length == 0 ? new String[] {options.defaultVoice()} : voiceIds;
        for (String name : names) {
            String resolved = resolveVoice(name);
            ConcurrentLinkedDeque<PooledVoice> idle = idle(resolved);
            if (idle.isEmpty()) {
                idle.push(allocate(resolved));
            }
        }
    }

    @Override
    public Synthesis synthesize(String text, Voice voice, AudioSink sink) {
        Objects.requireNonNull(sink, "sink");
        ensureOpen();
        String spoken = text == null ? "" : text.strip();
        Rendering rendering = rendering(voice);
        Job job = new Job(spoken, rendering, sink);
        if (spoken.isEmpty()) {
            Thread.ofVirtual().name("freetts-empty").start(job::finishDone);
            return job;
        }
        CacheKey key = cache.enabled() && spoken.length() <= options.cacheMaxTextLength()
                ? new CacheKey(rendering, spoken) : null;
        byte[] cached = key == null ? null : cache.get(key);
        if (cached != null) {
            Thread.ofVirtual().name("freetts-cached").start(() -> {
                if (job.deliver(cached.clone())) {
                    job.finishDone();
                }
            });
            return job;
        }
        job.cacheUnder(key);
        try {
            job.future = executor.submit(() -> run(job));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the offline voice is closed", e);
        }
        return job;
    }

    /**
     * Stops the threads and frees the voices. Queued syntheses never call back; one being spoken may
     * still end with done or failed. Further {@link #synthesize} calls throw.
     */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        idleVoices.values().forEach(idle -> {
            for (PooledVoice pooled; (pooled = idle.poll()) != null; ) {
                pooled.free();
            }
        });
    }

    /** How many times FreeTTS was asked to speak (cache hits and empty texts do not count). */
    long engineRuns() {
        return engineRuns.get();
    }

    /** FreeTTS voices allocated and not freed. */
    int allocatedVoices() {
        return allocatedVoices.get();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the offline voice is closed");
        }
    }

    // ---- voices ----

    /** A voice id and the settings that shape its sound: the parts of a request that change the audio. */
    private record Rendering(String voice, float rate, float pitch, float pitchRange, float volume) {}

    private record CacheKey(Rendering rendering, String text) {}

    private Rendering rendering(Voice voice) {
        String name = resolveVoice(voice == null ? null : voice.voiceId());
        Map<String, Object> settings = voice == null || voice.settings() == null ? Map.of() : voice.settings();
        return new Rendering(name,
                setting(settings, SETTING_RATE, PooledVoice.DEFAULT_RATE, 40, 500),
                setting(settings, SETTING_PITCH, PooledVoice.DEFAULT_PITCH, 40, 400),
                setting(settings, SETTING_PITCH_RANGE, PooledVoice.DEFAULT_PITCH_RANGE, 0, 200),
                setting(settings, SETTING_VOLUME, 1f, 0, 1));
    }

    private String resolveVoice(String voiceId) {
        if (voiceId == null || voiceId.isBlank()) {
            return options.defaultVoice();
        }
        String name = voiceId.strip().toLowerCase(Locale.ROOT);
        if (VOICES.contains(name)) {
            return name;
        }
        if (reportedUnknownVoices.size() < 1000 && reportedUnknownVoices.add(name)) {
            log.warn("FreeTTS has no voice '{}' (it has {}); using {}", voiceId, VOICES, options.defaultVoice());
        }
        return options.defaultVoice();
    }

    private static float setting(Map<String, Object> settings, String key, float fallback, float min, float max) {
        Object value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            float number = value instanceof Number n ? n.floatValue() : Float.parseFloat(value.toString().strip());
            if (Float.isFinite(number)) {
                return Math.clamp(number, min, max);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.debug("ignoring FreeTTS setting {}={}", key, value);
        return fallback;
    }

    private ConcurrentLinkedDeque<PooledVoice> idle(String name) {
        return idleVoices.computeIfAbsent(name, n -> new ConcurrentLinkedDeque<>());
    }

    private PooledVoice borrow(String name) {
        PooledVoice pooled = idle(name).poll();
        return pooled != null ? pooled : allocate(name);
    }

    private void giveBack(PooledVoice pooled) {
        if (closed) {
            pooled.free();
        } else {
            idle(pooled.name).push(pooled); // most recently used first: it is the warmest
        }
    }

    private PooledVoice allocate(String name) {
        long requested = System.nanoTime();
        long start;
        PooledVoice pooled;
        synchronized (ALLOCATION_LOCK) {
            start = System.nanoTime();
            com.sun.speech.freetts.Voice found = null;
            for (com.sun.speech.freetts.Voice candidate : new KevinVoiceDirectory().getVoices()) {
                if (candidate.getName().equals(name)) {
                    found = candidate;
                }
            }
            if (found == null) {
                throw new IllegalStateException("FreeTTS's KevinVoiceDirectory has no voice " + name);
            }
            FreeTtsTextToSpeechPlayer player = new FreeTtsTextToSpeechPlayer(name);
            found.setAudioPlayer(player);
            found.setOutputQueue(new OutputQueue()); // a queue of our own: allocate() starts no output thread
            found.allocate();
            found.setOutputQueue(null); // render in the speaking thread, so audio is done when speak() returns
            pooled = new PooledVoice(name, found, player);
        }
        long end = System.nanoTime();
        int count = allocatedVoices.incrementAndGet();
        log.info("FreeTTS voice {} allocated in {} ms ({} ms with the wait for other allocations); {} allocated", name,
                (end - start) / 1_000_000, (end - requested) / 1_000_000, count);
        return pooled;
    }

    private final class PooledVoice {
        static final float DEFAULT_RATE = 150;
        static final float DEFAULT_PITCH = 100;
        static final float DEFAULT_PITCH_RANGE = 11;

        final String name;
        final com.sun.speech.freetts.Voice voice;
        final FreeTtsTextToSpeechPlayer player;

        PooledVoice(String name, com.sun.speech.freetts.Voice voice, FreeTtsTextToSpeechPlayer player) {
            this.name = name;
            this.voice = voice;
            this.player = player;
        }

        void configure(Rendering rendering) {
            voice.setRate(rendering.rate());
            voice.setPitch(rendering.pitch());
            voice.setPitchRange(rendering.pitchRange());
            voice.setVolume(rendering.volume());
        }

        void free() {
            allocatedVoices.decrementAndGet();
            try {
                player.close();
                voice.deallocate();
            } catch (RuntimeException e) {
                log.debug("freeing FreeTTS voice {}", name, e);
            }
        }
    }

    // ---- synthesis ----

    private void run(Job job) {
        if (job.isCancelled()) {
            return;
        }
        PooledVoice pooled;
        try {
            pooled = borrow(job.rendering.voice());
        } catch (RuntimeException | Error e) {
            job.finishFailed(new IllegalStateException("cannot load FreeTTS voice " + job.rendering.voice(), e));
            rethrowIfFatal(e);
            return;
        }
        boolean healthy = false;
        try {
            pooled.configure(job.rendering);
            pooled.player.target(job);
            Speakable speakable = new Speakable(job.text, job);
            engineRuns.incrementAndGet();
            boolean spoken = pooled.voice.speak(speakable);
            pooled.player.target(null);
            healthy = true;
            // back in the pool before done(), so a caller that speaks again at once finds it idle
            giveBack(pooled);
            if (job.isCancelled()) {
                return;
            }
            if (job.sinkError() != null) {
                job.finishFailed(job.sinkError());
            } else if (!spoken || !speakable.completed || speakable.engineCancelled) {
                job.finishFailed(new IllegalStateException("FreeTTS could not speak: " + abbreviate(job.text)));
            } else {
                job.finishDone();
            }
        } catch (RuntimeException | Error e) {
            if (!healthy) {
                pooled.free(); // its state after a throw is unknown
            }
            job.finishFailed(new IllegalStateException("FreeTTS failed on: " + abbreviate(job.text), e));
            rethrowIfFatal(e);
        }
    }

    private static void rethrowIfFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** One synthesis, with the rendering it asks for and the resampler the player's audio goes through. */
    private final class Job extends SynthesisJob<CacheKey> implements FreeTtsTextToSpeechPlayer.Target {
        final String text;
        final Rendering rendering;
        private Resampler resampler;
        private short[] resampled = new short[0];

        Job(String text, Rendering rendering, AudioSink sink) {
            super(sink, cache);
            this.text = text;
            this.rendering = rendering;
        }

        /**
         * From the player, on the worker: to 8 kHz, to μ-law, to the sink, at once; {@code false} stops
         * FreeTTS. The resampler keeps its state across FreeTTS's writes and utterances (one stream); its
         * last 2 ms stay in the filter, which is the silence FreeTTS ends every utterance with.
         */
        @Override
        public boolean pcm(short[] samples, int count, int sampleRate) {
            if (stopped()) {
                return false;
            }
            short[] telephone = samples;
            int length = count;
            if (sampleRate != TELEPHONE_RATE) {
                if (resampler == null || resampler.inputRate() != sampleRate) {
                    resampler = switch (sampleRate) {
                        case 16_000 -> Resampler.downsample16kTo8k();
                        case 48_000 -> Resampler.downsample48kTo8k();
                        default -> null;
                    };
                    if (resampler == null) {
                        stopWith(new IllegalStateException("FreeTTS produced " + sampleRate + " Hz audio; cannot convert it to 8 kHz"));
                        return false;
                    }
                }
                if (resampled.length < resampler.maxOutput(count)) {
                    resampled = new short[resampler.maxOutput(count)];
                }
                length = resampler.process(samples, 0, count, resampled, 0);
                telephone = resampled;
            }
            if (length == 0) {
                return true;
            }
            byte[] ulaw = new byte[length];
            Mulaw.encode(telephone, 0, length, ulaw, 0);
            return deliverAndKeep(ulaw);
        }
    }

    /**
     * The text as FreeTTS sees it. Its {@code isCompleted()} turns true when the synthesis is cancelled,
     * which FreeTTS checks between utterances and between chunks of wave, so a cancel stops it early.
     * Speaking happens in the calling thread (no output queue), so nothing is left to wait for.
     */
    private static final class Speakable implements FreeTTSSpeakable {
        private final String text;
        private final Job job;
        volatile boolean completed;
        volatile boolean engineCancelled;

        Speakable(String text, Job job) {
            this.text = text;
            this.job = job;
        }

        @Override public void started() {}
        @Override public void completed() { completed = true; }
        @Override public void cancelled() { engineCancelled = true; } // an engine error or a refused write
        @Override public boolean isCompleted() { return completed || engineCancelled || job.isCancelled(); }
        @Override public boolean waitCompleted() { return completed && !engineCancelled; }
        @Override public boolean isPlainText() { return true; }
        @Override public boolean isStream() { return false; }
        @Override public boolean isDocument() { return false; }
        @Override public String getText() { return text; }
        @Override public Document getDocument() { return null; }
        @Override public InputStream getInputStream() { return null; }
    }
}
