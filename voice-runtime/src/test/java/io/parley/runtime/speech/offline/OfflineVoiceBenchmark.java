package io.parley.runtime.speech.offline;

import io.parley.runtime.speech.TextToSpeech;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Prints an offline voice's figures: time to ready, memory, time to first audio and real-time factor,
 * one synthesis at a time and two at once. A program, not a test; one voice per JVM, so the start and
 * the memory are its own:
 * {@code java -cp <test classpath> io.parley.runtime.speech.offline.OfflineVoiceBenchmark mary|freetts}.
 */
public final class OfflineVoiceBenchmark {

    private static final List<String> SENTENCES = List.of(
            "Hello, thanks for calling Parley.", "How can I help you today?", "Your order has shipped and should arrive on Tuesday.",
            "Please say your account number, one digit at a time.", "I'm sorry, I didn't catch that.",
            "We are open from nine in the morning until five in the evening.", "Is there anything else I can do for you?",
            "Ho ho ho, merry Christmas!", "What would you like for Christmas this year?", "A red bicycle! What a wonderful wish.",
            "Let me check that for you, it will only take a moment.", "Thank you for your patience.",
            "The appointment is confirmed for Monday at ten thirty.", "Could you spell your last name for me?",
            "I have transferred your request to our billing team.", "Goodbye, and have a lovely day.");
    private static final TextToSpeech.Voice DEFAULT = new TextToSpeech.Voice(null, "en-US", Map.of(), null);

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "mary" : args[0];
        MaryTextToSpeechTests.quietMaryLogs();
        long heapBefore = heapAfterGc();
        long rssBefore = residentKilobytes();
        long started = System.nanoTime();
        AutoCloseable closeable;
        TextToSpeech voice;
        if (which.equals("mary")) {
            // no cache, so every synthesis really runs
            MaryTextToSpeech mary = new MaryTextToSpeech(new MaryTextToSpeech.Options(null, 2, null, 0, 0, 0));
            mary.load().get(120, TimeUnit.SECONDS);
            voice = mary;
            closeable = mary;
        } else {
            FreeTtsTextToSpeech freetts = new FreeTtsTextToSpeech(new FreeTtsTextToSpeech.Options("kevin16", 2, 0, 0, 0));
            freetts.warmUp();
            voice = freetts;
            closeable = freetts;
        }
        long readyMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("%s: ready in %d ms (cold JVM, including one warm-up sentence)%n", which, readyMillis);

        List<Long> firstAudio = new ArrayList<>();
        double audioSeconds = 0;
        long busyNanos = 0;
        for (int round = 0; round < 2; round++) {
            for (String sentence : SENTENCES) {
                Run run = speak(voice, sentence + (round == 0 ? "" : " Again."));
                if (round == 1) { // the first round warms the JIT on every path
                    firstAudio.add(run.firstAudioNanos / 1_000);
                    audioSeconds += run.audioSeconds;
                    busyNanos += run.doneNanos;
                }
            }
        }
        firstAudio.sort(null);
        System.out.printf("one at a time: first audio p50 %.0f ms, max %.0f ms; real-time factor %.3f (%.1f s of audio in %.1f s)%n",
                firstAudio.get(firstAudio.size() / 2) / 1000.0, firstAudio.getLast() / 1000.0, busyNanos / 1e9 / audioSeconds,
                audioSeconds, busyNanos / 1e9);

        long together = System.nanoTime();
        double togetherAudio = 0;
        List<Thread> callers = new ArrayList<>();
        List<Run> runs = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        for (int caller = 0; caller < 2; caller++) {
            callers.add(Thread.ofPlatform().start(() -> {
                for (int i; (i = next.getAndIncrement()) < SENTENCES.size(); ) {
                    runs.add(speak(voice, SENTENCES.get(i) + " Once more."));
                }
            }));
        }
        for (Thread caller : callers) {
            caller.join();
        }
        for (Run run : runs) {
            togetherAudio += run.audioSeconds;
        }
        double wall = (System.nanoTime() - together) / 1e9;
        System.out.printf("two at once: %.1f s of audio in %.1f s, %.2f s of audio per second%n", togetherAudio, wall, togetherAudio / wall);

        String story = String.join(" ", SENTENCES.subList(0, 6));
        Run long_ = speak(voice, story);
        System.out.printf("six sentences in one text: first audio %d ms, done %d ms, %.1f s of audio%n", long_.firstAudioNanos / 1_000_000,
                long_.doneNanos / 1_000_000, long_.audioSeconds);

        long heapAfter = heapAfterGc();
        long rssAfter = residentKilobytes();
        System.out.printf("memory: heap after GC %d MB more than before loading (%d MB in all); resident set %d MB (%d MB before loading)%n",
                (heapAfter - heapBefore) >> 20, heapAfter >> 20, rssAfter >> 10, rssBefore >> 10);
        closeable.close();
    }

    private record Run(long firstAudioNanos, long doneNanos, double audioSeconds) {}

    private static Run speak(TextToSpeech voice, String text) {
        long start = System.nanoTime();
        long[] first = {-1};
        AtomicInteger bytes = new AtomicInteger();
        CountDownLatch ended = new CountDownLatch(1);
        voice.synthesize(text, DEFAULT, new TextToSpeech.AudioSink() {
            @Override public void audio(byte[] ulaw) {
                if (first[0] < 0) {
                    first[0] = System.nanoTime() - start;
                }
                bytes.addAndGet(ulaw.length);
            }
            @Override public void done() { ended.countDown(); }
            @Override public void failed(Exception error) {
                error.printStackTrace();
                ended.countDown();
            }
        });
        try {
            if (!ended.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no end for: " + text);
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return new Run(first[0], System.nanoTime() - start, bytes.get() / 8000.0);
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long residentKilobytes() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("VmRSS:")).mapToLong(line -> Long.parseLong(line.replaceAll("\\D", ""))).findFirst().orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private OfflineVoiceBenchmark() {}
}
