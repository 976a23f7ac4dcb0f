package io.parley.runtime.speech.offline;

import io.parley.runtime.media.Mulaw;
import io.parley.runtime.media.Resampler;
import io.parley.runtime.speech.TextToSpeech;
import java.text.BreakIterator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The natural offline voice: MaryTTS 5.2's HMM voice {@code cmu-slt-hsmm} (US English, female),
 * in-process, no keys, no network. Personas reach it through {@link OfflineTextToSpeech}
 * ({@code offline}), which falls back to FreeTTS while it is off or if it failed to load.
 *
 * <p>MaryTTS starts once per JVM, on a thread of its own when {@link #load()} is first called (or the
 * first synthesis needs it): 3–8 s on 2 busy cores, about 35 MB of live heap and 180–230 MB more
 * resident memory than FreeTTS; a synthesis asked for meanwhile waits on a worker, never on the
 * caller's thread. A load that fails stays failed.
 *
 * <p>Text is cut into sentences ({@link BreakIterator}) and each is given to MaryTTS on its own, so the
 * first audio waits for the first sentence's analysis only (p50 45–100 ms warm) rather than the whole
 * text's (0.4–0.9 s for six sentences). Speaking runs at a real-time factor of 0.16–0.21 per synthesis,
 * about 9 seconds of audio per second on 2 cores. MaryTTS vocodes a sentence on a thread it starts
 * itself and streams the 48 kHz samples through a small queue; a worker reads them 40 ms at a time,
 * brings them to 8 kHz with the runtime's {@link Resampler} (a 192-tap Kaiser low-pass at 3.7 kHz, so
 * nothing above 4 kHz folds back into the band) and encodes them with {@link Mulaw}. MaryTTS's amplitude
 * is already normalised to full scale, and the resampler clamps, so nothing wraps.
 *
 * <p>Cancelling stops delivery at once and the worker within one read (a sentence's analysis already
 * under way, tens to hundreds of milliseconds, is finished first). MaryTTS's vocoder threads have no
 * way to be told to stop: one whose audio is no longer read blocks forever on its full queue. They are
 * started by the worker, so they belong to the worker's own {@link ThreadGroup}; when a synthesis ends
 * the worker interrupts whatever is left in its group, which ends them (MaryTTS logs "Cannot vocode" at
 * ERROR on logger {@code marytts.Vocoder} for each, which {@code application.yaml} silences). A watchdog
 * fails a synthesis whose audio stops coming for {@link Options#stallTimeout()} (a vocoder that died
 * never ends its stream) and frees its worker.
 *
 * <p>The voice id may name a MaryTTS voice; any other falls back to the default with a warning. The
 * voice's settings are not used. Short texts are cached like FreeTTS's.
 */
public final class MaryTextToSpeech implements TextToSpeech, AutoCloseable {

    public static final String ID = "marytts";
    public static final String DEFAULT_VOICE = "cmu-slt-hsmm";

    private static final Logger log = LoggerFactory.getLogger(MaryTextToSpeech.class);
    /** Audio read from MaryTTS per step: small enough for a prompt first chunk and a prompt cancel. */
    private static final int READ_MILLIS = 40;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * How the provider runs.
     *
     * @param defaultVoice       the voice for personas that name none or an unknown one; loading fails without it
     * @param threads            syntheses at once (each also keeps one MaryTTS vocoder thread busy)
     * @param stallTimeout       a synthesis whose audio stops coming for this long fails
     * @param cacheEntries       how many texts the cache keeps (0: no cache)
     * @param cacheMaxTextLength only texts up to this many characters are cached
     * @param cacheMaxBytes      the cache's total audio, in μ-law bytes (8,000 a second)
     */
    public record Options(String defaultVoice, int threads, Duration stallTimeout, int cacheEntries, int cacheMaxTextLength,
                          long cacheMaxBytes) {

        public Options {
            defaultVoice = defaultVoice == null || defaultVoice.isBlank() ? DEFAULT_VOICE : defaultVoice.strip().toLowerCase(Locale.ROOT);
            stallTimeout = stallTimeout == null ? Duration.ofSeconds(15) : stallTimeout;
            if (threads < 1 || stallTimeout.toMillis() < 100 || cacheEntries < 0 || cacheMaxTextLength < 0 || cacheMaxBytes < 0) {
                throw new IllegalArgumentException("invalid options " + threads + "/" + stallTimeout + "/" + cacheEntries + "/"
                        + cacheMaxTextLength + "/" + cacheMaxBytes);
            }
        }

        /** cmu-slt-hsmm; one thread per core; 15 s stall timeout; 256 texts of up to 200 characters, 16 MB in all. */
        public static Options defaults() {
            return new Options(DEFAULT_VOICE, Runtime.getRuntime().availableProcessors(), null, 256, 200, 16L << 20);
        }

        public Options withDefaultVoice(String voice) {
            return new Options(voice, threads, stallTimeout, cacheEntries, cacheMaxTextLength, cacheMaxBytes);
        }

        public Options withThreads(int count) {
            return new Options(defaultVoice, count, stallTimeout, cacheEntries, cacheMaxTextLength, cacheMaxBytes);
        }
    }

    private final Options options;
    private final Callable<MaryEngine> loader;
    private final String name = "marytts-" + INSTANCES.incrementAndGet();
    private final CompletableFuture<MaryEngine> engine = new CompletableFuture<>();
    private final AtomicBoolean loadStarted = new AtomicBoolean();
    private final ExecutorService executor;
    private final ScheduledExecutorService watchdog;
    private final Set<Job> running = ConcurrentHashMap.newKeySet();
    private final AudioCache<CacheKey> cache;
    private final Set<String> reportedUnknownVoices = ConcurrentHashMap.newKeySet();
    private final AtomicLong engineRuns = new AtomicLong();
    private volatile boolean closed;

    public MaryTextToSpeech() {
        this(Options.defaults());
    }

    public MaryTextToSpeech(Options options) {
        this(options, MaryEngine::local);
    }

    MaryTextToSpeech(Options options, Callable<MaryEngine> loader) {
        this.options = Objects.requireNonNull(options, "options");
        this.loader = Objects.requireNonNull(loader, "loader");
        AtomicInteger threadNumber = new AtomicInteger();
        // each worker has a thread group of its own: the vocoder threads MaryTTS starts from it land there
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    String threadName = name + "-" + threadNumber.incrementAndGet();
                    return Thread.ofPlatform().group(new ThreadGroup(threadName)).name(threadName).daemon().unstarted(runnable);
                });
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                runnable -> Thread.ofPlatform().name(name + "-watchdog").daemon().unstarted(runnable));
        long period = Math.max(50, options.stallTimeout().toMillis() / 4);
        timer.scheduleWithFixedDelay(this::checkStalls, period, period, TimeUnit.MILLISECONDS);
        this.watchdog = timer;
        this.cache = new AudioCache<>(options.cacheEntries(), options.cacheMaxBytes());
    }

    @Override
    public String id() {
        return ID;
    }

    /**
     * Starts MaryTTS on a thread of its own if nothing has yet, and says when it is ready: the stage
     * completes normally once a sentence has been spoken (so the first call does not pay for the JIT),
     * or exceptionally with an {@link OfflineSpeechUnavailableException}. Never blocks.
     */
    public CompletableFuture<Void> load() {
        if (loadStarted.compareAndSet(false, true)) {
            Thread.ofPlatform().name(name + "-load").daemon().start(this::loadNow);
        }
        return engine.thenAccept(loaded -> {});
    }

    /** Whether MaryTTS is loaded and can speak now; does not start loading. */
    public boolean ready() {
        return engine.isDone() && !engine.isCompletedExceptionally();
    }

    private void loadNow() {
        long started = System.nanoTime();
        try {
            MaryEngine loaded = loader.call();
            if (!loaded.voices().contains(options.defaultVoice())) {
                throw new OfflineSpeechUnavailableException("MaryTTS has no voice " + options.defaultVoice() + "; it has " + loaded.voices());
            }
            long ready = System.nanoTime();
            warmUp(loaded);
            log.info("MaryTTS ready in {} ms (started in {} ms, then one sentence to warm up); voices {}",
                    (System.nanoTime() - started) / 1_000_000, (ready - started) / 1_000_000, loaded.voices());
            engine.complete(loaded);
        } catch (Throwable e) {
            log.warn("MaryTTS is not available: {}", e.toString());
            engine.completeExceptionally(e instanceof OfflineSpeechUnavailableException ? e
                    : new OfflineSpeechUnavailableException("MaryTTS could not start: " + e, e));
            if (e instanceof VirtualMachineError fatal) {
                throw fatal;
            }
        }
    }

    /** Reads one sentence to the end, in a group of its own so no vocoder thread outlives it. */
    private void warmUp(MaryEngine loaded) throws Exception {
        Callable<Void> speak = () -> {
            try (AudioInputStream audio = loaded.generate("Hello, how are you?", options.defaultVoice())) {
                byte[] discard = new byte[8192];
                while (audio.read(discard) >= 0) {
                    // nothing: the JIT is what this is for
                }
            } finally {
                interruptOthersInGroup();
            }
            return null;
        };
        var task = new java.util.concurrent.FutureTask<>(speak);
        Thread warm = Thread.ofPlatform().group(new ThreadGroup(name + "-warm-up")).name(name + "-warm-up").daemon().start(task);
        try {
            task.get(options.stallTimeout().toMillis() * 4, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (java.util.concurrent.TimeoutException e) {
            warm.interrupt();
            throw new OfflineSpeechUnavailableException("MaryTTS did not finish its first sentence within " + options.stallTimeout().multipliedBy(4));
        }
    }

    @Override
    public Synthesis synthesize(String text, Voice voice, AudioSink sink) {
        Objects.requireNonNull(sink, "sink");
        ensureOpen();
        String spoken = text == null ? "" : text.strip();
        Job job = new Job(spoken, voice == null ? null : voice.voiceId(), sink);
        if (spoken.isEmpty()) {
            Thread.ofVirtual().name(name + "-empty").start(job::finishDone);
            return job;
        }
        if (ready() && cacheable(spoken)) {
            byte[] cached = cache.get(new CacheKey(resolveVoice(job.voiceId, engine.join()), spoken));
            if (cached != null) {
                Thread.ofVirtual().name(name + "-cached").start(() -> {
                    if (cached.length == 0 || job.deliver(cached.clone())) { // a text without phones has no audio
                        job.finishDone();
                    }
                });
                return job;
            }
        }
        load();
        try {
            job.future = executor.submit(() -> run(job));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the MaryTTS voice is closed", e);
        }
        return job;
    }

    /**
     * Stops the workers, the vocoder threads they started and the watchdog. Queued syntheses never call
     * back; one being spoken may still end with done or failed. MaryTTS itself stays up for the JVM.
     */
    @Override
    public void close() {
        closed = true;
        executor.shutdownNow();
        watchdog.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many sentences MaryTTS was asked to speak (cache hits, empty texts and the warm-up do not count). */
    long engineRuns() {
        return engineRuns.get();
    }

    /** Threads MaryTTS started from this provider's workers that are still alive (its vocoders). */
    int liveVocoderThreads() {
        int count = 0;
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            ThreadGroup group = thread.getThreadGroup();
            if (group != null && group.getName().startsWith(name + "-") && !thread.getName().startsWith(name)) {
                count++;
            }
        }
        return count;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the MaryTTS voice is closed");
        }
    }

    private boolean cacheable(String text) {
        return cache.enabled() && text.length() <= options.cacheMaxTextLength();
    }

    private record CacheKey(String voice, String text) {}

    private String resolveVoice(String voiceId, MaryEngine loaded) {
        if (voiceId == null || voiceId.isBlank()) {
            return options.defaultVoice();
        }
        String wanted = voiceId.strip().toLowerCase(Locale.ROOT);
        if (loaded.voices().contains(wanted)) {
            return wanted;
        }
        if (reportedUnknownVoices.size() < 1000 && reportedUnknownVoices.add(wanted)) {
            log.warn("MaryTTS has no voice '{}' (it has {}); using {}", voiceId, loaded.voices(), options.defaultVoice());
        }
        return options.defaultVoice();
    }

    /** The text's sentences, as MaryTTS would find them, each spoken as soon as it is ready. */
    static List<String> sentences(String text) {
        BreakIterator boundaries = BreakIterator.getSentenceInstance(Locale.US);
        boundaries.setText(text);
        List<String> sentences = new ArrayList<>();
        for (int start = boundaries.first(), end = boundaries.next(); end != BreakIterator.DONE; start = end, end = boundaries.next()) {
            String sentence = text.substring(start, end).strip();
            if (!sentence.isEmpty()) {
                sentences.add(sentence);
            }
        }
        return sentences;
    }

    // ---- the worker ----

    private void run(Job job) {
        if (job.isCancelled()) {
            return;
        }
        MaryEngine loaded;
        try {
            loaded = engine.get();
        } catch (ExecutionException e) {
            job.finishFailed(e.getCause() instanceof OfflineSpeechUnavailableException unavailable ? unavailable
                    : new OfflineSpeechUnavailableException("MaryTTS is not available", e.getCause()));
            return;
        } catch (InterruptedException e) {
            return; // closing
        }
        String voice = resolveVoice(job.voiceId, loaded);
        job.cacheUnder(cacheable(job.text) ? new CacheKey(voice, job.text) : null);
        job.worker = Thread.currentThread();
        job.lastProgressNanos = System.nanoTime();
        running.add(job);
        try {
            for (String sentence : sentences(job.text)) {
                if (job.isCancelled() || !speak(loaded, voice, sentence, job)) {
                    break;
                }
            }
            if (job.isCancelled()) {
                return;
            }
            if (job.sinkError() != null) {
                job.finishFailed(job.sinkError());
            } else {
                job.finishDone();
            }
        } catch (Exception | LinkageError e) {
            if (job.stalled) {
                job.finishFailed(new IllegalStateException("MaryTTS produced no audio for " + options.stallTimeout().toMillis()
                        + " ms on: " + abbreviate(job.text)));
            } else if (!job.isCancelled()) {
                job.finishFailed(new IllegalStateException("MaryTTS failed on: " + abbreviate(job.text), e));
            }
        } finally {
            running.remove(job);
            interruptOthersInGroup();
            Thread.interrupted(); // a stall interrupt must not reach the next synthesis
        }
    }

    /** One sentence, read to its end unless the job stops; {@code false} when it stopped. */
    private boolean speak(MaryEngine loaded, String voice, String sentence, Job job) throws Exception {
        engineRuns.incrementAndGet();
        try (AudioInputStream audio = loaded.generate(sentence, voice)) {
            AudioFormat format = audio.getFormat();
            if (format.getChannels() != 1 || format.getSampleSizeInBits() != 16
                    || !AudioFormat.Encoding.PCM_SIGNED.equals(format.getEncoding())) {
                throw new IllegalStateException("MaryTTS produced " + format + "; expected 16-bit signed PCM, mono");
            }
            int rate = Math.round(format.getSampleRate());
            job.useRate(rate);
            boolean bigEndian = format.isBigEndian();
            byte[] bytes = new byte[rate * READ_MILLIS / 1000 * 2];
            while (!job.stopped()) {
                int read = audio.read(bytes, 0, bytes.length);
                if (read < 0) {
                    return true;
                }
                job.lastProgressNanos = System.nanoTime();
                if (!job.pcm(bytes, read, bigEndian)) {
                    return false;
                }
            }
            return false;
        }
    }

    /** Ends the vocoder threads this worker started: they would otherwise wait forever to be read. */
    private static void interruptOthersInGroup() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        Thread[] members = new Thread[group.activeCount() + 8];
        int count = group.enumerate(members, false);
        for (int i = 0; i < count; i++) {
            if (members[i] != Thread.currentThread()) {
                members[i].interrupt();
            }
        }
    }

    private void checkStalls() {
        long now = System.nanoTime();
        for (Job job : running) {
            Thread worker = job.worker;
            if (worker != null && !job.stalled && now - job.lastProgressNanos > options.stallTimeout().toNanos()) {
                log.warn("MaryTTS stalled for {} ms on: {}", (now - job.lastProgressNanos) / 1_000_000, abbreviate(job.text));
                job.stalled = true;
                worker.interrupt();
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** One synthesis, with what the worker needs to speak it sentence by sentence and the watchdog to watch it. */
    private final class Job extends SynthesisJob<CacheKey> {
        final String text;
        final String voiceId;
        volatile Thread worker;
        volatile long lastProgressNanos;
        volatile boolean stalled;
        private Resampler resampler;
        private short[] samples = new short[0];
        private short[] telephone = new short[0];

        Job(String text, String voiceId, AudioSink sink) {
            super(sink, cache);
            this.text = text;
            this.voiceId = voiceId;
        }

        /** One resampler for the whole text, so the filter runs on across sentences. */
        void useRate(int rate) {
            if (resampler != null && resampler.inputRate() == rate) {
                return;
            }
            resampler = switch (rate) {
                case 48_000 -> Resampler.downsample48kTo8k();
                case 16_000 -> Resampler.downsample16kTo8k();
                default -> throw new IllegalStateException("MaryTTS produced " + rate + " Hz audio; cannot convert it to 8 kHz");
            };
        }

        /** PCM bytes to 8 kHz μ-law to the sink; {@code false} stops the synthesis. */
        boolean pcm(byte[] bytes, int length, boolean bigEndian) {
            int count = length / 2;
            if (samples.length < count) {
                samples = new short[count];
            }
            for (int i = 0, at = 0; i < count; i++, at += 2) {
                int hi = bigEndian ? bytes[at] : bytes[at + 1];
                int lo = (bigEndian ? bytes[at + 1] : bytes[at]) & 0xFF;
                samples[i] = (short) ((hi << 8) | lo);
            }
            int room = resampler.maxOutput(count);
            if (telephone.length < room) {
                telephone = new short[room];
            }
            int produced = resampler.process(samples, 0, count, telephone, 0);
            if (produced == 0) {
                return true;
            }
            byte[] ulaw = new byte[produced];
            Mulaw.encode(telephone, 0, produced, ulaw, 0);
            return deliverAndKeep(ulaw);
        }
    }
}
