package io.parley.runtime.bench;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallTokens;
import io.parley.runtime.speech.SpeechToText;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The voice runtime's latency and capacity benchmark: a program, not a test (it never asserts on
 * timing). It starts the real runtime in this JVM on the real Redis (127.0.0.1:6379, database 9 by
 * default, cleaned up after), with fake providers registered as beans, and drives it through Twilio
 * emulators over loopback WebSockets. See voice-runtime/README.md, "Benchmark". Run with
 * {@code ./mvnw -o -pl voice-runtime -Pbench process-test-classes}; options in {@code -Dbench.args="..."}:
 * {@code levels=50,100,...}, {@code window=8} (seconds), {@code calls=30}, {@code budget=420} (seconds),
 * {@code db=9}, {@code skip=capacity|latency}, {@code vad=provider|on-box} (who detects the caller's voice:
 * the recogniser fake, or the runtime's own detector). Ends with one {@code BENCH ...} line.
 */
public final class VoiceRuntimeBenchmark {

    static final String GREETING = "Hello, thanks for calling Bella Cucina. How can I help you today?";
    static final String SECOND_GREETING = "Good evening, this is Bella Cucina. What can I do for you?";
    static final UUID TENANT = UUID.nameUUIDFromBytes("parley-bench-tenant".getBytes());
    /** ConversationSettings' default bargeInYield: the first {@code clear} goes out this long into the caller's voice. */
    static final long ENGINE_BARGE_IN_YIELD_NANOS = 80_000_000;
    static final List<Truth.Kind> CONVERSATION = List.of(Truth.Kind.NORMAL, Truth.Kind.STORY_BARGE, Truth.Kind.NORMAL,
            Truth.Kind.NORMAL, Truth.Kind.STORY_BARGE, Truth.Kind.NORMAL);
    static final List<Truth.Kind> BUSY = List.of(Truth.Kind.STORY, Truth.Kind.NORMAL);

    // options
    private final int[] levels;
    private final int windowSeconds;
    private final int latencyCalls;
    private final int budgetSeconds;
    private final int db;
    private final String skip;
    private final io.parley.runtime.call.VoiceActivitySource voiceActivity;

    // the results on the BENCH line
    private volatile double addedP50 = Double.NaN;
    private volatile double addedP99 = Double.NaN;
    private volatile double turnP50 = Double.NaN;
    private volatile double bargeP50 = Double.NaN;
    private volatile double bargeP99 = Double.NaN;
    private volatile long framesAfterClear = -1;
    private volatile int maxCalls = -1;
    private volatile double heapPerCallKb = Double.NaN;
    private volatile double firstGreeting = Double.NaN;
    private final AtomicBoolean printed = new AtomicBoolean();

    private final long started = System.nanoTime();
    private final Truth truth = new Truth();
    private final Latencies latencies = new Latencies();
    private final ScheduledExecutorService providers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-fakes");
        t.setDaemon(true);
        return t;
    });
    private final FakeRecogniser ears = new FakeRecogniser(truth, latencies, providers);
    private final FakeModel model = new FakeModel(truth, latencies, providers);
    private final FakeVoice voice = new FakeVoice(truth, latencies, providers);
    private final SendTap tap = new SendTap();
    private final List<UUID> callIds = new ArrayList<>();
    private final Path out = Path.of(System.getProperty("java.io.tmpdir"), "parley-bench");
    private int keys;

    private ConfigurableApplicationContext runtime;
    private CallSessionStore store;
    private CallTokens tokens;
    private MeterRegistry meters;
    private StringRedisTemplate redis;
    private PhoneNetwork net;
    private int port;

    private VoiceRuntimeBenchmark(Map<String, String> options) {
        this.levels = java.util.Arrays.stream(options.getOrDefault("levels", "10,20,30,40,50,75,100,150,200,400,800,1000,1200,1600,2000").split(","))
                .mapToInt(s -> Integer.parseInt(s.strip())).toArray();
        this.windowSeconds = Integer.parseInt(options.getOrDefault("window", "8"));
        this.latencyCalls = Integer.parseInt(options.getOrDefault("calls", "30"));
        this.budgetSeconds = Integer.parseInt(options.getOrDefault("budget", "420"));
        this.db = Integer.parseInt(options.getOrDefault("db", "9"));
        this.skip = options.getOrDefault("skip", "");
        this.voiceActivity = io.parley.runtime.call.VoiceActivitySource.parse(options.getOrDefault("vad", "provider"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            for (String word : arg.trim().split("\\s+")) {
                int eq = word.indexOf('=');
                if (eq > 0) options.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        VoiceRuntimeBenchmark bench = new VoiceRuntimeBenchmark(options);
        int status = 0;
        try {
            bench.run();
        } catch (Throwable e) {
            System.out.println("benchmark failed: " + e);
            e.printStackTrace(System.out);
            status = 1;
        } finally {
            bench.printBench();
        }
        System.exit(status);
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep((budgetSeconds + 150) * 1000L);
                System.out.println("watchdog: over the time limit, stopping with what was measured");
                printBench();
                Runtime.getRuntime().halt(3);
            } catch (InterruptedException ignored) {
                // finished in time
            }
        }, "bench-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        voice.cache(GREETING);
        voice.cache(SECOND_GREETING);
        startRuntime();
        try {
            line("voice activity: " + (voiceActivity == io.parley.runtime.call.VoiceActivitySource.ON_BOX
                    ? "the runtime's on-box detector (the recogniser fake's voice events are ignored)" : "from the recogniser fake"));
            line("warm-up (zero latency, 10 calls; not counted)");
            conversations("warm-up", Latencies.Mode.ZERO, 10, List.of(Truth.Kind.NORMAL, Truth.Kind.STORY_BARGE, Truth.Kind.NORMAL), false);
            if (!skip.contains("latency")) {
                TurnFigures zero = conversations("zero-latency providers", Latencies.Mode.ZERO, latencyCalls, CONVERSATION, true);
                TurnFigures published = conversations("published provider latencies", Latencies.Mode.PUBLISHED, latencyCalls, CONVERSATION, true);
                addedP50 = published.addedP50;
                addedP99 = published.addedP99;
                turnP50 = published.turnP50;
                bargeP50 = published.bargeP50;
                bargeP99 = published.bargeP99;
                framesAfterClear = zero.framesAfterClear + published.framesAfterClear;
                greeting();
            }
            if (!skip.contains("capacity")) capacity();
        } finally {
            cleanUp();
        }
        watchdog.interrupt();
    }

    // ---------------------------------------------------------------- the runtime

    private void startRuntime() {
        String secret = HexFormat.of().formatHex(random(32));
        ApplicationContextInitializer<ConfigurableApplicationContext> fakes = context -> {
            context.getBeanFactory().registerSingleton("benchSpeechToText", ears);
            context.getBeanFactory().registerSingleton("benchLanguageModel", model);
            context.getBeanFactory().registerSingleton("benchTextToSpeech", voice);
            context.getBeanFactory().addBeanPostProcessor(tap);
        };
        long t = System.nanoTime();
        runtime = new SpringApplicationBuilder(VoiceRuntimeApplication.class).initializers(fakes).run(
                "--server.port=0", "--parley.runtime.call-token-secret=" + secret, "--spring.jmx.enabled=false",
                "--parley.runtime.offline-speech.enabled=false", "--spring.data.redis.url=redis://127.0.0.1:6379/" + db,
                "--logging.level.root=WARN", "--spring.main.banner-mode=off", "--server.shutdown=immediate",
                "--parley.runtime.voice-activity=" + voiceActivity.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        port = ((WebServerApplicationContext) runtime).getWebServer().getPort();
        store = runtime.getBean(CallSessionStore.class);
        tokens = runtime.getBean(CallTokens.class);
        meters = runtime.getBean(MeterRegistry.class);
        redis = runtime.getBean(StringRedisTemplate.class);
        net = new PhoneNetwork(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH));
        line(String.format(Locale.ROOT, "runtime up in %.1f s on 127.0.0.1:%d (Redis 127.0.0.1:6379 db %d); speech-to-text beans %s; %d cores, max heap %d MB, %s",
                (System.nanoTime() - t) / 1e9, port, db, runtime.getBeansOfType(SpeechToText.class).keySet(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.version")));
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private Caller dial(String greeting, List<Truth.Kind> plan, boolean loop, boolean greetingOnly) {
        String key = "c" + (++keys);
        Truth.Call call = truth.register(key);
        UUID callId = UUID.randomUUID();
        callIds.add(callId);
        UUID persona = UUID.nameUUIDFromBytes(greeting.getBytes());
        store.saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, TENANT, "bench",
                new CallBootstrap.Persona(persona, "Bella", "assistant", "You take bookings for Bella Cucina.", greeting, "en-US-x-" + key,
                        new CallBootstrap.Provider(FakeVoice.ID, "tone", Map.of()),
                        new CallBootstrap.Provider(FakeRecogniser.ID, null, Map.of()),
                        new CallBootstrap.Provider(FakeModel.ID, "bench-model@" + key, Map.of("temperature", 0.5)),
                        new CallBootstrap.Limits(600, 0, null, "Goodbye!", 60, "Are you still there?", null), null),
                Map.of()));
        return new Caller(net, call, tokens.mint(callId, TENANT, Duration.ofMinutes(30)), plan, loop, greetingOnly);
    }

    // ---------------------------------------------------------------- latency: whole conversations

    record TurnFigures(double addedP50, double addedP99, double turnP50, double bargeP50, double bargeP99, long framesAfterClear,
                       double finalToModelP50, double sentenceToSynthP50, double byteToFrameP50) {}

    private TurnFigures conversations(String name, Latencies.Mode mode, int calls, List<Truth.Kind> plan, boolean report) throws InterruptedException {
        latencies.mode = mode;
        List<Caller> callers = new ArrayList<>();
        long phaseStart = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            Caller caller = dial(GREETING, plan, false, false);
            callers.add(caller);
            caller.connect();
            Thread.sleep(Math.max(1, 2_000 / calls)); // starts spread over two seconds
        }
        PhoneNetwork.Window window = new PhoneNetwork.Window();
        net.window = window;
        tap.window = window;
        Recording recording = report ? Profiler.startRecording() : null;
        boolean all = awaitFinished(callers, 120);
        net.window = null;
        tap.window = null;
        Path profile = out.resolve(name.replaceAll("[^a-z]+", "-") + ".jfr");
        if (recording != null) Profiler.stopRecording(recording, profile);
        TurnFigures figures = analyse(name, mode, callers, report, (System.nanoTime() - phaseStart) / 1e9, all);
        if (report) {
            line(String.format(Locale.ROOT, "   outbound pacing: %,d frames, inter-frame jitter p50 %.2f p99 %.2f max %.1f ms (where the runtime sends: p99 %.2f max %.1f ms), "
                            + "lateness vs. paced schedule p99 %.1f ms, underruns %d",
                    window.frames.sum(), window.jitter.percentileMillis(50), window.jitter.percentileMillis(99), window.jitter.maxMillis(),
                    window.sendJitter.percentileMillis(99), window.sendJitter.maxMillis(), window.lateness.percentileMillis(99), window.underruns.sum()));
            line("   profile (" + profile + "):");
            Profiler.summarize(profile).forEach(VoiceRuntimeBenchmark::line);
        }
        callers.forEach(c -> truth.forget(c.truth.key));
        return figures;
    }

    private TurnFigures analyse(String name, Latencies.Mode mode, List<Caller> callers, boolean report, double seconds, boolean allFinished) {
        List<Long> turn = new ArrayList<>();
        List<Long> added = new ArrayList<>();
        List<Long> provider = new ArrayList<>();
        List<Long> inbound = new ArrayList<>();
        List<Long> finalToModel = new ArrayList<>();
        List<Long> sentenceToSynth = new ArrayList<>();
        List<Long> byteToFrame = new ArrayList<>();
        List<Long> barge = new ArrayList<>();
        List<Long> bargeInbound = new ArrayList<>();
        List<Long> bargeRest = new ArrayList<>();
        long afterClear = 0;
        int turns = 0;
        int unanswered = 0;
        int endpointed = 0;
        int bargeTurns = 0;
        int bargeMissed = 0;
        long unexpectedClears = 0;
        long noReply = 0;
        long underruns = 0;
        List<String> failures = new ArrayList<>();
        List<String> unansweredExamples = new ArrayList<>();
        for (Caller c : callers) {
            if (c.failure != null) failures.add(c.failure);
            unexpectedClears += c.unexpectedClears.get();
            noReply += c.noReply.get();
            underruns += c.underruns.get();
            afterClear += c.framesAfterClear.get();
            for (Truth.Turn t : c.truth.turns()) {
                if (t.endSent == 0) continue; // cut off by the end of the phase
                turns++;
                if (t.answered()) {
                    turn.add(t.turnNanos());
                    inbound.add(t.heardEnd - t.endSent);
                    sentenceToSynth.add(t.ttsCalled - t.llmSentence);
                    byteToFrame.add(t.firstFrame - t.ttsFirst);
                    if (t.endpointedBeforeFinal()) {
                        endpointed++;
                    } else {
                        added.add(t.runtimeAddedNanos());
                        provider.add(t.providerNanos());
                        finalToModel.add(t.llmCalled - t.finalAt);
                    }
                } else {
                    unanswered++;
                    if (unansweredExamples.size() < 3) {
                        unansweredExamples.add(String.format(Locale.ROOT, "%s turn %d %s \"%s\": heard end %s, final %s, model %s, first sentence %s, synthesis %s, first byte %s, frame %s",
                                c.truth.key, t.index, t.kind, t.text, t.heardEnd != 0, t.finalAt != 0, t.llmCalled != 0, t.llmSentence != 0,
                                t.ttsCalled != 0, t.ttsFirst != 0, t.firstFrame != 0));
                    }
                }
                if (t.kind == Truth.Kind.BARGE) {
                    bargeTurns++;
                    if (t.clearAt != 0 && t.onsetSent != 0) {
                        barge.add(t.clearAt - t.onsetSent);
                        if (t.heardOnset != 0) bargeInbound.add(t.heardOnset - t.onsetSent);
                        if (t.vadOnAt != 0) bargeRest.add(t.clearAt - t.vadOnAt - ENGINE_BARGE_IN_YIELD_NANOS);
                    } else {
                        bargeMissed++;
                    }
                }
            }
        }
        TurnFigures figures = new TurnFigures(p(added, 50), p(added, 99), p(turn, 50), p(barge, 50), p(barge, 99), afterClear,
                p(finalToModel, 50), p(sentenceToSynth, 50), p(byteToFrame, 50));
        if (!report) return figures;
        line("");
        line(String.format(Locale.ROOT, "== %s: %d calls, %d caller turns, %d answered, %d unanswered (%.0f s)%s", name, callers.size(), turns,
                turn.size(), unanswered, seconds, allFinished ? "" : " — some calls did not finish in time"));
        if (mode == Latencies.Mode.PUBLISHED) {
            line(String.format(Locale.ROOT, "   injected: STT final p50 %d ms, LLM first token p50 %d ms (+%d ms a token), TTS first byte p50 %d ms; lognormal sigma %.1f",
                    Latencies.STT_FINAL_P50_MS, Latencies.LLM_FIRST_TOKEN_P50_MS, Latencies.LLM_INTER_TOKEN_MS, Latencies.TTS_FIRST_BYTE_P50_MS, Latencies.SIGMA));
        }
        line(String.format(Locale.ROOT, "   turn (caller's last speech frame sent -> first bot frame received): p50 %.1f  p99 %.1f  max %.1f ms",
                p(turn, 50), p(turn, 99), p(turn, 100)));
        if (endpointed > 0) {
            line(String.format(Locale.ROOT, "   %d turns answered on the engine's silence timer before a slow STT final (over 700 ms) came: in the turn figures, not in runtime added",
                    endpointed));
        }
        line(String.format(Locale.ROOT, "   providers' own time in it (STT final + LLM to first sentence + TTS first byte): p50 %.1f  p99 %.1f ms",
                p(provider, 50), p(provider, 99)));
        line(String.format(Locale.ROOT, "   before the final transcript: last caller frame sent -> recogniser has it p50 %.2f  p99 %.2f ms (then the STT's own latency)",
                p(inbound, 50), p(inbound, 99)));
        line(String.format(Locale.ROOT, "   runtime added (STT final -> first frame at the caller, minus the model's and the voice's time): p50 %.2f  p99 %.2f  max %.2f ms, made of:",
                p(added, 50), p(added, 99), p(added, 100)));
        line(String.format(Locale.ROOT, "     final transcript -> model called             p50 %.2f  p99 %.2f ms", p(finalToModel, 50), p(finalToModel, 99)));
        line(String.format(Locale.ROOT, "     first sentence's token -> synthesis called   p50 %.2f  p99 %.2f ms", p(sentenceToSynth, 50), p(sentenceToSynth, 99)));
        line(String.format(Locale.ROOT, "     first audio byte -> first frame at the caller p50 %.2f  p99 %.2f ms", p(byteToFrame, 50), p(byteToFrame, 99)));
        line(String.format(Locale.ROOT, "   barge-in (caller's first speech frame sent -> clear received): %d of %d, p50 %.1f  p99 %.1f  max %.1f ms",
                barge.size(), bargeTurns, p(barge, 50), p(barge, 99), p(barge, 100)));
        line(String.format(Locale.ROOT, "     of which: to the recogniser p50 %.2f ms; the engine's yield rule (silent %d ms into the caller's voice, clear now, cancel at 250 ms); after it p50 %.2f  p99 %.2f ms",
                p(bargeInbound, 50), ENGINE_BARGE_IN_YIELD_NANOS / 1_000_000, p(bargeRest, 50), p(bargeRest, 99)));
        line(String.format(Locale.ROOT, "   media frames after clear: %d; clears not caused by a barge-in: %d; barge-ins without clear: %d; replies never received: %d; playout underruns: %d",
                afterClear, unexpectedClears, bargeMissed, noReply, underruns));
        if (!failures.isEmpty()) line("   call failures: " + failures.size() + ", e.g. " + failures.getFirst());
        for (String example : unansweredExamples) line("   unanswered: " + example);
        return figures;
    }

    private static double p(List<Long> nanos, double percentile) {
        return Histogram.percentileMillis(nanos.stream().mapToLong(Long::longValue).toArray(), percentile);
    }

    // ---------------------------------------------------------------- first greeting frame

    private void greeting() throws Exception {
        latencies.mode = Latencies.Mode.PUBLISHED;
        List<Long> cached = new ArrayList<>();
        long uncached = -1;
        for (int i = 0; i < 31; i++) {
            Caller caller = dial(SECOND_GREETING, List.of(), false, true);
            caller.connect().get(15, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!caller.started() && System.nanoTime() < deadline) Thread.sleep(1);
            if (caller.started()) {
                long t = caller.greetingFirstFrame - caller.startSent;
                if (i == 0) uncached = t;
                else cached.add(t);
            }
            awaitFinished(List.of(caller), 5);
            truth.forget(caller.truth.key);
            Thread.sleep(50);
        }
        firstGreeting = p(cached, 50);
        line("");
        line(String.format(Locale.ROOT, "== first greeting frame (start sent -> first media frame), one call at a time: uncached (first call of the persona) %.2f ms; "
                + "cached (next %d calls of the same persona) p50 %.2f  p99 %.2f  max %.2f ms", uncached / 1e6, cached.size(), p(cached, 50), p(cached, 99), p(cached, 100)));
    }

    // ---------------------------------------------------------------- capacity

    private void capacity() throws Exception {
        latencies.mode = Latencies.Mode.PUBLISHED;
        line("");
        line("== capacity: N concurrent calls (starts spread over 5 s), each greeting, then asking in turn for a story (a 14 s answer) and a booking");
        line("   (a 1.5 s answer), bots speaking about half the time; published provider latencies; after all are up and 3 s more, a " + windowSeconds + " s window;");
        line("   SLO: inter-frame jitter p99 < 20 ms at the callers, no playout underrun, no frame dropped, every call up; the ramp stops at the first miss");
        Map<String, Long> histogramBefore = null;
        Map<String, Long> histogramAfter = null;
        int histogramCalls = 0;
        Path failedProfile = null;
        Path passedProfile = null;
        int best = 0;
        for (int level : levels) {
            long stagger = Math.max(1_000_000L, 5_000_000_000L / level); // starts spread over 5 s: calls not in lockstep
            double estimate = level * stagger / 1e9 + 4 + 3 + windowSeconds + 6 + 8;
            double left = budgetSeconds - (System.nanoTime() - started) / 1e9;
            if (estimate > left) {
                line(String.format(Locale.ROOT, "   level %d: not run (about %.0f s needed, %.0f s of the %d s budget left)", level, estimate, left, budgetSeconds));
                break;
            }
            PhoneNetwork.Window window = new PhoneNetwork.Window(); // allocated before the baseline: its histograms are not per call
            long baseline = Profiler.heapAfterGc();
            Map<String, Long> before = Profiler.classHistogram();
            double dropped0 = counter("parley.runtime.frames.dropped");
            double closed0 = counter("parley.runtime.sockets.closed");
            double rejected0 = counter("parley.runtime.frames.rejected");
            Map<String, Double> reasons0 = byTag("parley.runtime.frames.rejected", "reason");

            List<Caller> callers = new ArrayList<>();
            long connectStart = System.nanoTime();
            for (int i = 0; i < level; i++) {
                Caller caller = dial(GREETING, BUSY, true, false);
                callers.add(caller);
                caller.connect();
                long next = connectStart + (i + 1) * stagger;
                while (System.nanoTime() < next) Thread.sleep(0, 200_000);
            }
            long upDeadline = System.nanoTime() + 10_000_000_000L;
            while (callers.stream().filter(Caller::started).count() < level && System.nanoTime() < upDeadline) Thread.sleep(20);
            Thread.sleep(3_000);

            String timerTask = "java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask";
            long tasksBefore = Profiler.classInstances().getOrDefault(timerTask, 0L);
            long tasksFrom = System.nanoTime();
            Properties redisBefore = redisInfo();
            Recording recording = Profiler.startRecording();
            long windowStart = System.nanoTime();
            net.window = window;
            tap.window = window;
            Thread.sleep(windowSeconds * 1000L);
            net.window = null;
            tap.window = null;
            double windowSecs = (System.nanoTime() - windowStart) / 1e9;
            Path profile = out.resolve("capacity-" + level + ".jfr");
            Profiler.stopRecording(recording, profile);
            Properties redisAfter = redisInfo();
            long[] snapshotSizes = snapshotSizes(callers);
            double active = gauge("parley.runtime.calls.active");
            long up = callers.stream().filter(Caller::started).count();
            long alive = callers.stream().filter(c -> !c.finished()).count();
            long withCalls = Profiler.heapAfterGc();
            Map<String, Long> after = Profiler.classHistogram();
            long tasksAfter = Profiler.classInstances().getOrDefault(timerTask, 0L);
            double taskMinutes = (System.nanoTime() - tasksFrom) / 60e9;
            double perCall = (withCalls - baseline) / 1024.0 / level;
            heapPerCallKb = perCall;
            histogramBefore = before;
            histogramAfter = after;
            histogramCalls = level;

            for (Caller c : callers) c.hangUpRequested = true;
            awaitFinished(callers, 15);
            List<String> failures = callers.stream().map(c -> c.failure).filter(f -> f != null).toList();
            double dropped = counter("parley.runtime.frames.dropped") - dropped0;
            double closedForCause = counter("parley.runtime.sockets.closed") - closed0;
            double rejected = counter("parley.runtime.frames.rejected") - rejected0;
            Map<String, Double> reasons = byTag("parley.runtime.frames.rejected", "reason");
            reasons0.forEach((k, v) -> reasons.merge(k, -v, Double::sum));
            reasons.values().removeIf(v -> v == 0);
            TurnFigures turns = analyse("level " + level, Latencies.Mode.PUBLISHED, callers, false, 0, true);
            callers.forEach(c -> truth.forget(c.truth.key));

            double jitter99 = window.jitter.percentileMillis(99);
            long underruns = window.underruns.sum();
            double lag99 = window.senderLag.percentileMillis(99);
            List<String> missed = new ArrayList<>();
            if (!(jitter99 < 20)) missed.add(String.format(Locale.ROOT, "jitter p99 %.1f ms", jitter99));
            if (underruns > 0) missed.add(underruns + " playout underruns");
            if (dropped > 0) missed.add((long) dropped + " frames dropped by the runtime");
            if (closedForCause > 0) missed.add((long) closedForCause + " sockets closed for cause");
            if (up < level || alive < level) missed.add((level - Math.min(up, alive)) + " calls not up for the whole window");
            if (!failures.isEmpty()) missed.add(failures.size() + " call failures (" + failures.getFirst() + ")");
            boolean pass = missed.isEmpty();
            double[] cpu = Profiler.cpu(profile);
            line(String.format(Locale.ROOT, "   level %d: %s — %d/%d calls up (runtime gauge %.0f); CPU: this JVM %.0f%%, machine %.0f%% of 2 cores; %,d frames to callers (%,.0f/s); "
                            + "jitter p50 %.2f p99 %.2f max %.1f ms; lateness vs. paced schedule p99 %.1f ms; underruns %d; runtime drops %.0f; rejected frames %.0f",
                    level, pass ? "PASS" : "FAIL (" + String.join(", ", missed) + ")", Math.min(up, alive), level, active, 100 * cpu[0], 100 * cpu[1],
                    window.frames.sum(), window.frames.sum() / windowSecs, window.jitter.percentileMillis(50), jitter99, window.jitter.maxMillis(),
                    window.lateness.percentileMillis(99), underruns, dropped, rejected) + (reasons.isEmpty() ? "" : " " + reasons));
            line(String.format(Locale.ROOT, "      where the runtime's writer sends (%,d paced frames): jitter p50 %.2f p99 %.2f max %.1f ms; sendText blocked p99 %.2f max %.1f ms",
                    window.sendJitter.count(), window.sendJitter.percentileMillis(50), window.sendJitter.percentileMillis(99), window.sendJitter.maxMillis(),
                    window.sendBlocked.percentileMillis(99), window.sendBlocked.maxMillis()));
            line(String.format(Locale.ROOT, "      load generator: caller frames sent late p50 %.2f p99 %.1f max %.1f ms, %d skipped, %d sends queued behind the previous one%s",
                    window.senderLag.percentileMillis(50), lag99, window.senderLag.maxMillis(), window.skippedSends.sum(), window.sendBacklog.sum(),
                    lag99 > 20 ? " — the emulator itself fell behind at this level" : ""));
            line(String.format(Locale.ROOT, "      under this load: runtime added p50 %.2f p99 %.2f ms (final->model p50 %.2f, token->synthesis p50 %.2f, byte->frame p50 %.2f), "
                            + "turn p50 %.0f ms, barge-in p50 %.0f ms; heap %.0f KB a call (after GC, %d calls); conversation snapshot in Redis p50 %,d max %,d bytes",
                    turns.addedP50, turns.addedP99, turns.finalToModelP50, turns.sentenceToSynthP50, turns.byteToFrameP50, turns.turnP50, turns.bargeP50,
                    perCall, level, snapshotSizes[0], snapshotSizes[1]));
            line("      " + redisLine(redisBefore, redisAfter, windowSecs, level));
            line(String.format(Locale.ROOT, "      scheduled timer tasks alive (ScheduledFutureTask, after GC): %,d -> %,d in %.0f s, %+,.0f per call per minute",
                    tasksBefore, tasksAfter, taskMinutes * 60, (tasksAfter - tasksBefore) / taskMinutes / level));
            if (pass) {
                best = level;
                maxCalls = best;
                passedProfile = profile;
            } else {
                failedProfile = profile;
                break;
            }
            Thread.sleep(1_000);
        }
        maxCalls = best;
        if (histogramAfter != null) {
            line("");
            line(String.format(Locale.ROOT, "== heap with %d calls open, after GC, minus before them: %.0f KB a call (this JVM holds both the runtime and the %d emulated callers); by owner:",
                    histogramCalls, heapPerCallKb, histogramCalls));
            Profiler.heapBreakdown(histogramBefore, histogramAfter, histogramCalls).forEach(VoiceRuntimeBenchmark::line);
        }
        if (passedProfile != null) {
            line("");
            line("== profile of the highest passing level (" + passedProfile + "):");
            Profiler.summarize(passedProfile).forEach(VoiceRuntimeBenchmark::line);
        }
        if (failedProfile != null) {
            line("");
            line("== profile of the first failing level (" + failedProfile + "):");
            Profiler.summarize(failedProfile).forEach(VoiceRuntimeBenchmark::line);
        }
    }

    /** Sizes of the calls' conversation snapshots in Redis right now: p50 and max, in bytes. */
    private long[] snapshotSizes(List<Caller> callers) {
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < callers.size(); i++) {
            UUID id = callIds.get(callIds.size() - callers.size() + i);
            Long n = redis.opsForHash().lengthOfValue("call:" + id, "conversation");
            if (n != null) sizes.add(n);
        }
        sizes.sort(Long::compare);
        return sizes.isEmpty() ? new long[] {0, 0} : new long[] {sizes.get(sizes.size() / 2), sizes.getLast()};
    }

    private double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private Map<String, Double> byTag(String name, String tag) {
        Map<String, Double> counts = new java.util.TreeMap<>();
        meters.find(name).counters().forEach(c -> counts.merge(String.valueOf(c.getId().getTag(tag)), c.count(), Double::sum));
        return counts;
    }

    private double gauge(String name) {
        Gauge g = meters.find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    private Properties redisInfo() {
        Properties all = new Properties();
        try {
            all.putAll(redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("commandstats")));
            all.putAll(redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("cpu")));
        } catch (RuntimeException e) {
            // best effort
        }
        return all;
    }

    private static String redisLine(Properties before, Properties after, double seconds, int calls) {
        Map<String, Double> rates = new LinkedHashMap<>();
        double total = 0;
        for (String key : after.stringPropertyNames()) {
            if (!key.startsWith("cmdstat_")) continue;
            double n = calls(after.getProperty(key)) - calls(before.getProperty(key, "calls=0"));
            if (n <= 0) continue;
            rates.put(key.substring(8), n / seconds);
            total += n / seconds;
        }
        double cpu = cpu(after) - cpu(before);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Redis (server-wide, others may share it): %,.0f commands/s = %.1f per call per second; redis-server CPU %.0f%% of a core;",
                total, total / calls, 100 * cpu / seconds));
        rates.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(7)
                .forEach(e -> sb.append(String.format(Locale.ROOT, " %s %,.0f/s", e.getKey(), e.getValue())));
        return sb.toString();
    }

    private static double calls(String stat) {
        for (String part : stat.split(",")) {
            if (part.startsWith("calls=")) return Double.parseDouble(part.substring(6));
        }
        return 0;
    }

    private static double cpu(Properties info) {
        try {
            return Double.parseDouble(info.getProperty("used_cpu_sys", "0")) + Double.parseDouble(info.getProperty("used_cpu_user", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private boolean awaitFinished(List<Caller> callers, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (callers.stream().allMatch(Caller::finished)) return true;
            Thread.sleep(50);
        }
        callers.stream().filter(c -> !c.finished()).forEach(Caller::abort);
        return false;
    }

    private void cleanUp() {
        try {
            if (net != null) net.close();
            if (redis != null) {
                List<String> keys = new ArrayList<>();
                for (UUID id : callIds) {
                    keys.add("call:" + id);
                    keys.add("call:" + id + ":owner");
                    if (keys.size() >= 1000) {
                        redis.delete(keys);
                        keys.clear();
                    }
                }
                if (!keys.isEmpty()) redis.delete(keys);
                if (db != 0) redis.delete(CallEvents.STREAM); // the benchmark's own database
            }
        } catch (RuntimeException e) {
            line("clean-up: " + e);
        }
        if (runtime != null) runtime.close();
        providers.shutdownNow();
    }

    private static void line(String text) {
        System.out.println(text);
        System.out.flush();
    }

    private void printBench() {
        if (!printed.compareAndSet(false, true)) return;
        System.out.println(String.format(Locale.ROOT,
                "BENCH runtime_added_p50_ms=%.2f runtime_added_p99_ms=%.2f turn_p50_ms=%.1f barge_in_p50_ms=%.1f barge_in_p99_ms=%.1f "
                        + "frames_after_clear=%d max_calls_at_slo=%d heap_per_call_kb=%.0f first_greeting_frame_ms=%.2f",
                addedP50, addedP99, turnP50, bargeP50, bargeP99, framesAfterClear, maxCalls, heapPerCallKb, firstGreeting));
        System.out.flush();
    }
}
