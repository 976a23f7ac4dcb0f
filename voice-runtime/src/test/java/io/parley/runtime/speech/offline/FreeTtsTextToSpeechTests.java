package io.parley.runtime.speech.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.media.Mulaw;
import io.parley.runtime.speech.TextToSpeech;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FreeTtsTextToSpeechTests {

    static final String CHRISTMAS = "Ho ho ho, merry Christmas";
    static final TextToSpeech.Voice DEFAULT = voice(null, Map.of());

    static FreeTtsTextToSpeech tts;

    @BeforeAll
    static void start() {
        tts = new FreeTtsTextToSpeech();
        tts.warmUp();
    }

    @AfterAll
    static void stop() {
        tts.close();
    }

    @Test
    void speaksAPhraseAsAudibleTelephoneAudio() throws IOException {
        Recording sink = speak(tts, CHRISTMAS, DEFAULT);

        assertThat(sink.failures).isEmpty();
        assertThat(sink.dones.get()).isEqualTo(1);
        byte[] ulaw = sink.audio();
        double seconds = ulaw.length / 8000.0;
        assertThat(seconds).as("duration").isBetween(0.8, 4.0);
        short[] pcm = decode(ulaw);
        assertThat(rms(pcm)).as("RMS of the decoded speech").isGreaterThan(1000);
        assertThat(peak(pcm)).isGreaterThan(8000);
        // speech has pauses and loud parts: the loudest 20 ms window is far above the quietest
        assertThat(loudestToQuietestWindowDb(pcm)).isGreaterThan(30);
        assertThat(sink.chunks).as("delivered as FreeTTS renders, not in one piece").hasSizeGreaterThan(5);

        Path wav = Path.of("target", "freetts-ho-ho-ho.wav");
        Files.createDirectories(wav.getParent());
        Files.write(wav, wav(pcm));
    }

    @Test
    void firstChunkArrivesLongBeforeDone() {
        String longText = String.join(" ", java.util.Collections.nCopies(40,
                "This sentence is one of many, spoken to see the audio stream before the end."));
        Recording sink = speak(tts, longText, DEFAULT);

        assertThat(sink.failures).isEmpty();
        assertThat(sink.events.getFirst()).isEqualTo("audio");
        assertThat(sink.events.getLast()).isEqualTo("done");
        assertThat(sink.events).filteredOn("done"::equals).hasSize(1);
        long first = sink.firstChunkNanos - sink.startNanos;
        long done = sink.doneNanos - sink.startNanos;
        assertThat(first).as("first chunk after %d µs, done after %d µs", first / 1000, done / 1000).isLessThan(done / 4);
    }

    @Test
    void nothingArrivesAfterCancelReturns() throws InterruptedException {
        Random random = new Random();
        String text = "Good evening, this is the offline voice, and it will be interrupted at a random moment. "
                + "Please hold while we find somebody to help you.";
        List<Recording> sinks = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Recording sink = new Recording();
            // vary the words so the cache does not answer
            TextToSpeech.Synthesis synthesis = tts.synthesize(text + " Number " + i + ".", DEFAULT, sink);
            switch (random.nextInt(4)) {
                case 0 -> {} // at once
                case 1 -> LockSupport.parkNanos(random.nextInt(200_000));
                case 2 -> LockSupport.parkNanos(random.nextInt(5_000_000));
                default -> {
                    long giveUp = System.nanoTime() + 5_000_000_000L;
                    while (sink.chunks.isEmpty() && sink.ended.getCount() > 0 && System.nanoTime() < giveUp) {
                        Thread.onSpinWait(); // cancel while audio is flowing
                    }
                }
            }
            synthesis.cancel();
            sink.cancelReturned = true;
            sinks.add(sink);
        }
        Thread.sleep(300); // let late callbacks, if any, arrive
        for (Recording sink : sinks) {
            assertThat(sink.afterCancel.get()).as("callbacks after cancel returned").isZero();
            assertThat(sink.failures).isEmpty();
        }
        assertThat(sinks).as("some were cancelled mid-stream").anyMatch(s -> !s.chunks.isEmpty() && s.dones.get() == 0);
    }

    @Test
    void cancelStopsFreeTtsEarly() throws InterruptedException {
        // one thread: a synthesis that kept running after cancel would hold up the next one
        try (FreeTtsTextToSpeech single = new FreeTtsTextToSpeech(new FreeTtsTextToSpeech.Options("kevin16", 1, 0, 0, 0))) {
            single.warmUp();
            String huge = String.join(" ", java.util.Collections.nCopies(150, "A long sentence goes on and on, for quite a while."));
            Recording full = speak(single, huge, DEFAULT);
            long fullNanos = full.doneNanos - full.startNanos;

            Recording cancelledSink = new Recording();
            AtomicInteger chunksSeen = new AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<TextToSpeech.Synthesis> holder = new java.util.concurrent.atomic.AtomicReference<>();
            CountDownLatch cancelled = new CountDownLatch(1);
            TextToSpeech.AudioSink cancelling = new TextToSpeech.AudioSink() {
                @Override public void audio(byte[] ulaw) {
                    cancelledSink.audio(ulaw);
                    if (chunksSeen.incrementAndGet() == 1) {
                        while (holder.get() == null) {
                            Thread.onSpinWait();
                        }
                        holder.get().cancel(); // from inside the callback: barge-in does this
                        cancelled.countDown();
                    }
                }
                @Override public void done() { cancelledSink.done(); }
                @Override public void failed(Exception error) { cancelledSink.failed(error); }
            };
            holder.set(single.synthesize(huge, DEFAULT, cancelling));
            assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
            Recording next = speak(single, "Next.", DEFAULT);
            long nextNanos = next.doneNanos - cancelledSink.startNanos;

            assertThat(cancelledSink.chunks).hasSize(1);
            assertThat(cancelledSink.dones.get()).isZero();
            assertThat(nextNanos).as("next done %d ms after start; the full text takes %d ms", nextNanos / 1_000_000,
                    fullNanos / 1_000_000).isLessThan(fullNanos / 4);
        }
    }

    @Test
    void concurrentSynthesesEachGetTheirOwnAudio() throws Exception {
        List<String> texts = List.of("Yes.", "Hello there.", "Your order has shipped.",
                "The quick brown fox jumps over the lazy dog.",
                "Please say your account number, one digit at a time, after the tone.",
                "We are open from nine in the morning until five in the evening, Monday to Friday.",
                "Thank you for calling, and have a wonderful day, and a very merry Christmas to you and yours.",
                "Ho ho ho.");
        // no cache, so every synthesis really runs; the expected audio is each text spoken alone
        try (FreeTtsTextToSpeech parallel = new FreeTtsTextToSpeech(new FreeTtsTextToSpeech.Options("kevin16", 8, 0, 0, 0))) {
            List<byte[]> expected = new ArrayList<>();
            for (String text : texts) {
                expected.add(speak(parallel, text, DEFAULT).audio());
            }
            for (int i = 1; i < texts.size() - 1; i++) {
                assertThat(expected.get(i).length).as("longer text, longer audio: " + texts.get(i))
                        .isGreaterThan(expected.get(i - 1).length);
            }
            ExecutorService callers = Executors.newFixedThreadPool(8);
            try {
                for (int round = 0; round < 5; round++) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<Recording>> results = new ArrayList<>();
                    for (String text : texts) {
                        results.add(callers.submit(() -> {
                            go.await();
                            Recording sink = new Recording();
                            parallel.synthesize(text, DEFAULT, sink);
                            sink.awaitEnd();
                            return sink;
                        }));
                    }
                    go.countDown();
                    for (int i = 0; i < texts.size(); i++) {
                        Recording sink = results.get(i).get(30, TimeUnit.SECONDS);
                        assertThat(sink.failures).isEmpty();
                        assertThat(sink.dones.get()).as("one done for " + texts.get(i)).isEqualTo(1);
                        assertThat(sink.audio()).as("audio of " + texts.get(i)).isEqualTo(expected.get(i));
                    }
                }
            } finally {
                callers.shutdownNow();
            }
            assertThat(parallel.allocatedVoices()).as("at most one voice per thread").isBetween(1, 8);
        }
    }

    @Test
    void cacheReplaysTheSameAudioWithoutFreeTts() {
        String greeting = "Hello, thanks for calling Parley. How can I help?";
        long before = tts.engineRuns();
        byte[] first = speak(tts, greeting, DEFAULT).audio();
        assertThat(tts.engineRuns()).isEqualTo(before + 1);

        List<Long> firstChunkMicros = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            Recording again = speak(tts, greeting, DEFAULT);
            assertThat(again.audio()).isEqualTo(first);
            assertThat(again.dones.get()).isEqualTo(1);
            firstChunkMicros.add((again.firstChunkNanos - again.startNanos) / 1000);
        }
        assertThat(tts.engineRuns()).as("FreeTTS runs").isEqualTo(before + 1);
        firstChunkMicros.sort(null);
        assertThat(firstChunkMicros.get(firstChunkMicros.size() / 2)).as("median start to first cached audio, µs")
                .isLessThan(20_000);

        // other settings are other audio
        byte[] faster = speak(tts, greeting, voice("kevin16", Map.of("rate", 300))).audio();
        assertThat(tts.engineRuns()).isEqualTo(before + 2);
        assertThat(faster).isNotEqualTo(first);
    }

    @Test
    void cachedAudioIsACopyTheSinkMayKeep() {
        String text = "Copy me.";
        byte[] first = speak(tts, text, DEFAULT).audio();
        Recording second = speak(tts, text, DEFAULT);
        second.chunks.forEach(chunk -> Arrays.fill(chunk, (byte) 0)); // the sink scribbles on what it got
        assertThat(speak(tts, text, DEFAULT).audio()).isEqualTo(first);
    }

    @Test
    void unknownVoiceFallsBackToTheDefault() {
        String text = "Which voice is this?";
        Recording unknown = speak(tts, text, voice("galadriel", Map.of()));
        Recording unknownAgain = speak(tts, text + " Again?", voice("galadriel", Map.of()));
        assertThat(unknown.failures).isEmpty();
        assertThat(unknownAgain.failures).isEmpty();
        assertThat(unknown.audio()).isEqualTo(speak(tts, text, voice("kevin16", Map.of())).audio());

        byte[] eightKilohertzVoice = speak(tts, text, voice("kevin", Map.of())).audio();
        assertThat(eightKilohertzVoice).isNotEqualTo(unknown.audio());
        assertThat(eightKilohertzVoice.length / 8000.0).isCloseTo(unknown.audio().length / 8000.0,
                org.assertj.core.api.Assertions.within(0.3));
        assertThat(rms(decode(eightKilohertzVoice))).isGreaterThan(1000);
    }

    @Test
    void rateChangesTheLength() {
        String text = "Speaking rate is measured in words per minute.";
        // one thread, no cache: the same pooled voice speaks every time
        try (FreeTtsTextToSpeech single = new FreeTtsTextToSpeech(new FreeTtsTextToSpeech.Options("kevin16", 1, 0, 0, 0))) {
            int normal = speak(single, text, voice("kevin16", Map.of())).audio().length;
            int fast = speak(single, text, voice("kevin16", Map.of("rate", "300"))).audio().length;
            int slow = speak(single, text, voice("kevin16", Map.of("rate", 75.0))).audio().length;
            assertThat((double) fast / normal).isBetween(0.4, 0.65);
            assertThat((double) slow / normal).isBetween(1.6, 2.4);
            // the voice does not keep the last request's settings
            assertThat(speak(single, text, voice("kevin16", Map.of("rate", 150))).audio().length).isEqualTo(normal);
            assertThat(speak(single, text, voice("kevin16", Map.of())).audio().length).isEqualTo(normal);
            assertThat(single.allocatedVoices()).isEqualTo(1);
        }
    }

    @Test
    void emptyTextIsDoneAtOnceWithoutAudio() {
        long before = tts.engineRuns();
        for (String empty : Arrays.asList("", "   ", "\n\t", null)) {
            Recording sink = speak(tts, empty, DEFAULT);
            assertThat(sink.chunks).isEmpty();
            assertThat(sink.dones.get()).isEqualTo(1);
            assertThat(sink.failures).isEmpty();
            assertThat(Duration.ofNanos(sink.doneNanos - sink.startNanos)).isLessThan(Duration.ofMillis(50));
        }
        assertThat(tts.engineRuns()).isEqualTo(before);
    }

    @Test
    void neverCallsBackOnTheCallersThread() {
        Thread caller = Thread.currentThread();
        List<Thread> seen = new CopyOnWriteArrayList<>();
        Recording sink = new Recording() {
            @Override public void audio(byte[] ulaw) { seen.add(Thread.currentThread()); super.audio(ulaw); }
            @Override public void done() { seen.add(Thread.currentThread()); super.done(); }
        };
        tts.synthesize("Somebody else's thread.", DEFAULT, sink);
        sink.awaitEnd();
        Recording cached = new Recording() {
            @Override public void audio(byte[] ulaw) { seen.add(Thread.currentThread()); super.audio(ulaw); }
            @Override public void done() { seen.add(Thread.currentThread()); super.done(); }
        };
        tts.synthesize("Somebody else's thread.", DEFAULT, cached);
        cached.awaitEnd();
        assertThat(seen).isNotEmpty().doesNotContain(caller);
    }

    @Test
    void aSinkThatThrowsEndsItsSynthesisAsFailed() {
        RuntimeException boom = new IllegalStateException("socket closed");
        Recording sink = new Recording() {
            @Override public void audio(byte[] ulaw) { super.audio(ulaw); throw boom; }
        };
        tts.synthesize("The sink will refuse this audio.", DEFAULT, sink);
        sink.awaitEnd();
        assertThat(sink.chunks).hasSize(1); // FreeTTS stopped at the first refusal
        assertThat(sink.failures).containsExactly(boom);
        assertThat(sink.dones.get()).isZero();
        assertThat(speak(tts, "And the voice still works.", DEFAULT).audio()).isNotEmpty();
    }

    // ---- helpers ----

    static TextToSpeech.Voice voice(String id, Map<String, Object> settings) {
        return new TextToSpeech.Voice(id, "en-US", settings, null);
    }

    static Recording speak(FreeTtsTextToSpeech provider, String text, TextToSpeech.Voice voice) {
        Recording sink = new Recording();
        provider.synthesize(text, voice, sink);
        sink.awaitEnd();
        return sink;
    }

    static class Recording implements TextToSpeech.AudioSink {
        final long startNanos = System.nanoTime();
        final List<byte[]> chunks = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Exception> failures = new CopyOnWriteArrayList<>();
        final AtomicInteger dones = new AtomicInteger();
        final AtomicInteger afterCancel = new AtomicInteger();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile boolean cancelReturned;
        volatile long firstChunkNanos = -1;
        volatile long doneNanos = -1;

        @Override
        public void audio(byte[] ulaw) {
            if (cancelReturned) {
                afterCancel.incrementAndGet();
            }
            if (firstChunkNanos < 0) {
                firstChunkNanos = System.nanoTime();
            }
            chunks.add(ulaw);
            events.add("audio");
        }

        @Override
        public void done() {
            if (cancelReturned) {
                afterCancel.incrementAndGet();
            }
            doneNanos = System.nanoTime();
            dones.incrementAndGet();
            events.add("done");
            ended.countDown();
        }

        @Override
        public void failed(Exception error) {
            if (cancelReturned) {
                afterCancel.incrementAndGet();
            }
            failures.add(error);
            events.add("failed");
            ended.countDown();
        }

        void awaitEnd() {
            try {
                assertThat(ended.await(30, TimeUnit.SECONDS)).as("done or failed within 30 s").isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        byte[] audio() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            chunks.forEach(out::writeBytes);
            return out.toByteArray();
        }
    }

    static short[] decode(byte[] ulaw) {
        short[] pcm = new short[ulaw.length];
        for (int i = 0; i < ulaw.length; i++) {
            pcm[i] = Mulaw.decode(ulaw[i]);
        }
        return pcm;
    }

    static double rms(short[] pcm) {
        double sum = 0;
        for (short s : pcm) {
            sum += (double) s * s;
        }
        return Math.sqrt(sum / Math.max(1, pcm.length));
    }

    static int peak(short[] pcm) {
        int peak = 0;
        for (short s : pcm) {
            peak = Math.max(peak, Math.abs(s));
        }
        return peak;
    }

    static double loudestToQuietestWindowDb(short[] pcm) {
        double loudest = 0, quietest = Double.MAX_VALUE;
        for (int at = 0; at + 160 <= pcm.length; at += 160) {
            double window = rms(Arrays.copyOfRange(pcm, at, at + 160));
            loudest = Math.max(loudest, window);
            quietest = Math.min(quietest, window);
        }
        return 20 * Math.log10(loudest / Math.max(quietest, 1));
    }

    static byte[] wav(short[] pcm) {
        ByteBuffer out = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        out.put("RIFF".getBytes()).putInt(36 + pcm.length * 2).put("WAVE".getBytes());
        out.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
                .putShort((short) 2).putShort((short) 16);
        out.put("data".getBytes()).putInt(pcm.length * 2);
        for (short s : pcm) {
            out.putShort(s);
        }
        return out.array();
    }
}
