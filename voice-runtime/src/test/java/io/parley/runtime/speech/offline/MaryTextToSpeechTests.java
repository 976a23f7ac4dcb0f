package io.parley.runtime.speech.offline;

import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.decode;
import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.loudestToQuietestWindowDb;
import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.peak;
import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.rms;
import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.voice;
import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.wav;
import static io.parley.runtime.speech.offline.PhoneLineSpeech.concat;
import static io.parley.runtime.speech.offline.PhoneLineSpeech.silence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.TextToSpeech;
import io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.Recording;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The real MaryTTS (started once for the JVM, 3–7 s), its audio checked for level and length and
 * heard by the real offline recogniser (Debian's pocketsphinx, which .ci/run installs: without it the
 * round trip fails, it never skips). Faults MaryTTS cannot be made to have — a load that fails, a
 * vocoder that stops — come from small engines made here.
 */
class MaryTextToSpeechTests {

    static final TextToSpeech.Voice DEFAULT = voice(null, Map.of());
    static MaryTextToSpeech tts;

    @BeforeAll
    static void start() throws Exception {
        quietMaryLogs();
        tts = new MaryTextToSpeech();
        tts.load().get(120, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        tts.close();
    }

    /** MaryTTS logs each request's modules at INFO (and a cancelled vocoder at ERROR); the runtime's application.yaml quiets them too. */
    static void quietMaryLogs() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("marytts")).setLevel(Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("marytts.Vocoder")).setLevel(Level.OFF);
    }

    @Test
    void speaksASentenceAsAudibleTelephoneAudio() throws IOException {
        Recording sink = speak(tts, "Hello, thanks for calling Parley. How can I help?", DEFAULT);

        assertThat(sink.failures).isEmpty();
        assertThat(sink.dones.get()).isEqualTo(1);
        short[] pcm = decode(sink.audio());
        double seconds = pcm.length / 8000.0;
        assertThat(seconds).as("nine words, two sentences").isBetween(2.0, 6.0);
        assertThat(rms(pcm)).as("RMS of the decoded speech").isGreaterThan(1000);
        assertThat(peak(pcm)).isGreaterThan(8000);
        assertThat(loudestToQuietestWindowDb(pcm)).as("pauses and loud parts").isGreaterThan(30);
        assertThat(sink.chunks).as("streamed, not in one piece").hasSizeGreaterThan(10);
        assertThat(sink.chunks).allSatisfy(chunk -> assertThat(chunk.length).isBetween(1, 400));

        Path file = Path.of("target", "marytts-hello.wav");
        Files.createDirectories(file.getParent());
        Files.write(file, wav(pcm));
    }

    @Test
    void theOfflineRecogniserHearsWhatItSays() throws Exception {
        List<String> phrases = List.of("a red bicycle", "a puppy", "my name is ella", "yes", "no");
        List<String> digits = List.of("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");
        try (PocketSphinxSpeechToText recogniser = new PocketSphinxSpeechToText(
                new PocketSphinxProperties(null, null, 1, Duration.ofSeconds(120), null, null, null, null))) {
            RecordingListener words = new RecordingListener();
            try (SpeechToText.Stream stream = recogniser.open(new SpeechToText.StreamSettings("en-US", phrases, null), words)) {
                for (String phrase : phrases) {
                    feed(stream, turn(speak(tts, phrase, DEFAULT).audio()));
                }
                words.awaitUtterances(phrases.size());
            }
            RecordingListener number = new RecordingListener();
            try (SpeechToText.Stream stream = recogniser.open(new SpeechToText.StreamSettings("en-US", digits, null), number)) {
                feed(stream, turn(speak(tts, "seven seven zero zero", DEFAULT).audio()));
                // MaryTTS pauses at each comma long enough (over 0.5 s) to end an utterance, as a caller's pause would
                feed(stream, turn(speak(tts, "four one five, five five zero, one nine nine", DEFAULT).audio()));
                number.awaitUtterances(4);
            }
            assertThat(words.finals()).containsExactlyElementsOf(phrases);
            assertThat(number.finals()).containsExactly("seven seven zero zero", "four one five", "five five zero", "one nine nine");
        }
    }

    @Test
    void firstAudioComesWithTheFirstSentence() {
        String text = "Hi. " + String.join(" ", Collections.nCopies(4,
                "This long sentence is one of many, spoken to see the audio stream before the whole text is analysed."));
        Recording sink = speak(tts, text, DEFAULT);

        assertThat(sink.failures).isEmpty();
        assertThat(sink.events.getFirst()).isEqualTo("audio");
        assertThat(sink.events.getLast()).isEqualTo("done");
        long first = sink.firstChunkNanos - sink.startNanos;
        long done = sink.doneNanos - sink.startNanos;
        assertThat(first).as("first chunk after %d ms, done after %d ms", first / 1_000_000, done / 1_000_000).isLessThan(done / 10);
        assertThat(sink.audio().length / 8000.0).as("five sentences").isGreaterThan(15);
    }

    @Test
    void cancelStopsTheAudioAndFreesTheWorkerAndItsVocoders() throws Exception {
        try (MaryTextToSpeech single = new MaryTextToSpeech(MaryTextToSpeech.Options.defaults().withThreads(1))) {
            single.load().get(120, TimeUnit.SECONDS);
            String longText = String.join(" ", Collections.nCopies(6, "A long sentence goes on and on, for quite a while, and then some more."));

            Recording cancelledSink = new Recording();
            AtomicInteger chunksSeen = new AtomicInteger();
            AtomicReference<TextToSpeech.Synthesis> holder = new AtomicReference<>();
            AtomicInteger vocodersWhileSpeaking = new AtomicInteger();
            CountDownLatch cancelled = new CountDownLatch(1);
            TextToSpeech.AudioSink cancelling = new TextToSpeech.AudioSink() {
                @Override public void audio(byte[] ulaw) {
                    cancelledSink.audio(ulaw);
                    if (chunksSeen.incrementAndGet() == 3) {
                        vocodersWhileSpeaking.set(single.liveVocoderThreads());
                        while (holder.get() == null) {
                            Thread.onSpinWait();
                        }
                        holder.get().cancel(); // from inside the callback, as barge-in does
                        cancelledSink.cancelReturned = true;
                        cancelled.countDown();
                    }
                }
                @Override public void done() { cancelledSink.done(); }
                @Override public void failed(Exception error) { cancelledSink.failed(error); }
            };
            long started = System.nanoTime();
            holder.set(single.synthesize(longText, DEFAULT, cancelling));
            assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
            Recording next = speak(single, "Next.", DEFAULT);
            long nextDoneMillis = (next.doneNanos - started) / 1_000_000;

            assertThat(next.failures).isEmpty();
            assertThat(nextDoneMillis).as("the next text, behind the cancelled one on the only worker, is done %d ms after the "
                    + "cancelled one started; speaking all of it takes seconds", nextDoneMillis).isLessThan(2_500);
            Thread.sleep(200);
            assertThat(cancelledSink.chunks).hasSize(3);
            assertThat(cancelledSink.afterCancel.get()).isZero();
            assertThat(cancelledSink.dones.get()).isZero();
            assertThat(cancelledSink.failures).isEmpty();
            assertThat(vocodersWhileSpeaking.get()).as("MaryTTS's vocoder threads are seen in the worker's group").isPositive();
            awaitNoVocoders(single);
        }
    }

    @Test
    void nothingArrivesAfterCancelReturns() throws Exception {
        Random random = new Random();
        List<Recording> sinks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Recording sink = new Recording();
            // other words each time, so the cache does not answer
            TextToSpeech.Synthesis synthesis = tts.synthesize("Please hold while we find somebody to help you, caller number " + i + ".",
                    DEFAULT, sink);
            switch (random.nextInt(4)) {
                case 0 -> {} // at once
                case 1 -> LockSupport.parkNanos(random.nextInt(50_000_000));
                case 2 -> LockSupport.parkNanos(random.nextInt(300_000_000));
                default -> {
                    long giveUp = System.nanoTime() + 10_000_000_000L;
                    while (sink.chunks.isEmpty() && sink.ended.getCount() > 0 && System.nanoTime() < giveUp) {
                        Thread.onSpinWait(); // cancel while audio is flowing
                    }
                }
            }
            synthesis.cancel();
            sink.cancelReturned = true;
            sinks.add(sink);
        }
        Thread.sleep(500);
        for (Recording sink : sinks) {
            assertThat(sink.afterCancel.get()).as("callbacks after cancel returned").isZero();
            assertThat(sink.failures).isEmpty();
        }
        assertThat(sinks).as("some were cancelled mid-stream").anyMatch(s -> !s.chunks.isEmpty() && s.dones.get() == 0);
        awaitNoVocoders(tts);
        assertThat(speak(tts, "Still here.", DEFAULT).dones.get()).isEqualTo(1);
    }

    @Test
    void theCacheReplaysShortTextsWithoutMaryTts() {
        String greeting = "Ho ho ho! Hello Ella!";
        byte[] first = speak(tts, greeting, DEFAULT).audio();
        long runs = tts.engineRuns();
        Recording again = speak(tts, greeting, DEFAULT);
        assertThat(again.audio()).isEqualTo(first);
        assertThat(tts.engineRuns()).isEqualTo(runs);
        assertThat((again.firstChunkNanos - again.startNanos) / 1_000_000).as("ms to cached audio").isLessThan(100);
    }

    @Test
    void anUnknownVoiceIsTheDefaultVoice() {
        String text = "Which voice is this?";
        Recording unknown = speak(tts, text + " An unknown one.", voice("galadriel", Map.of()));
        Recording named = speak(tts, text + " An unknown one.", voice("CMU-SLT-HSMM", Map.of()));
        assertThat(unknown.failures).isEmpty();
        assertThat(unknown.audio()).hasSizeGreaterThan(8000).isEqualTo(named.audio());
    }

    @Test
    void emptyTextIsDoneAtOnceWithoutMaryTts() {
        long runs = tts.engineRuns();
        for (String empty : java.util.Arrays.asList("", "  ", null)) {
            Recording sink = speak(tts, empty, DEFAULT);
            assertThat(sink.chunks).isEmpty();
            assertThat(sink.dones.get()).isEqualTo(1);
        }
        assertThat(tts.engineRuns()).isEqualTo(runs);
    }

    @Test
    void oddTextsAreDoneWithOrWithoutAudio() {
        for (String odd : List.of("...", "?!", "\uD83C\uDF84", "<speak>hello</speak>", "R&D", "$5.99", "2024-12-24", "ok")) {
            Recording sink = speak(tts, odd, DEFAULT);
            assertThat(sink.failures).as("failures speaking " + odd).isEmpty();
            assertThat(sink.dones.get()).as("done once: " + odd).isEqualTo(1);
        }
        assertThat(speak(tts, "...", DEFAULT).chunks).as("no phones, no audio").isEmpty();
        assertThat(decode(speak(tts, "$5.99", DEFAULT).audio()).length / 8000.0).as("five dollars ninety nine").isGreaterThan(1.0);
    }

    @Test
    void textIsCutIntoSentences() {
        assertThat(MaryTextToSpeech.sentences("Ho ho ho! Hello Ella! What would you like for Christmas?"))
                .containsExactly("Ho ho ho!", "Hello Ella!", "What would you like for Christmas?");
        assertThat(MaryTextToSpeech.sentences("  one sentence without a stop  ")).containsExactly("one sentence without a stop");
        assertThat(MaryTextToSpeech.sentences("It costs 3.50 dollars. Thanks.")).containsExactly("It costs 3.50 dollars.", "Thanks.");
    }

    // ---- faults, with engines made here ----

    @Test
    void aLoadThatFailsFailsItsSynthesesAndStaysFailed() {
        AtomicInteger loads = new AtomicInteger();
        try (MaryTextToSpeech broken = new MaryTextToSpeech(MaryTextToSpeech.Options.defaults(), () -> {
            loads.incrementAndGet();
            throw new IllegalStateException("no lexicon");
        })) {
            Recording sink = speak(broken, "Hello?", DEFAULT);
            assertThat(sink.failures).singleElement().isInstanceOf(OfflineSpeechUnavailableException.class)
                    .satisfies(e -> assertThat(e).hasMessageContaining("no lexicon"));
            assertThat(broken.load()).isCompletedExceptionally();
            assertThat(speak(broken, "Again?", DEFAULT).failures).hasSize(1);
            assertThat(loads.get()).isEqualTo(1);
        }
    }

    @Test
    void aLoadWithoutTheDefaultVoiceFails() {
        try (MaryTextToSpeech noVoice = new MaryTextToSpeech(MaryTextToSpeech.Options.defaults().withDefaultVoice("no-such-voice"))) {
            assertThatThrownBy(() -> noVoice.load().get(120, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(OfflineSpeechUnavailableException.class).hasMessageContaining("no-such-voice");
        }
    }

    @Test
    void aVocoderThatStopsFailsItsSynthesisAndTheWorkerGoesOn() throws Exception {
        MaryEngine stalling = new MaryEngine() {
            @Override public Set<String> voices() { return Set.of(MaryTextToSpeech.DEFAULT_VOICE); }
            @Override public AudioInputStream generate(String sentence, String voice) {
                // the warm-up and "Fine." get a short tone; "Stall." gives 0.1 s, then blocks like a vocoder that died
                return new AudioInputStream(sentence.equals("Stall.") ? new StallingTone(4_800) : new StallingTone.Finite(4_800),
                        new AudioFormat(48_000, 16, 1, true, false), AudioSystem.NOT_SPECIFIED);
            }
        };
        MaryTextToSpeech.Options options = new MaryTextToSpeech.Options(null, 1, Duration.ofMillis(300), 0, 0, 0);
        try (MaryTextToSpeech stalls = new MaryTextToSpeech(options, () -> stalling)) {
            stalls.load().get(10, TimeUnit.SECONDS);
            long started = System.nanoTime();
            Recording stalled = speak(stalls, "Stall.", DEFAULT);
            long failedAfter = (System.nanoTime() - started) / 1_000_000;
            assertThat(stalled.chunks).as("the audio before the stall").isNotEmpty();
            assertThat(stalled.failures).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("no audio for 300 ms"));
            assertThat(failedAfter).isBetween(300L, 3_000L);

            Recording fine = speak(stalls, "Fine.", DEFAULT);
            assertThat(fine.failures).isEmpty();
            assertThat(fine.audio()).hasSize(800); // 0.1 s at 8 kHz
        }
    }

    // ---- helpers ----

    static Recording speak(TextToSpeech provider, String text, TextToSpeech.Voice voice) {
        Recording sink = new Recording();
        provider.synthesize(text, voice, sink);
        sink.awaitEnd();
        return sink;
    }

    static void awaitNoVocoders(MaryTextToSpeech provider) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (provider.liveVocoderThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(provider.liveVocoderThreads()).as("MaryTTS vocoder threads left running").isZero();
    }

    /** μ-law 8 kHz, as the runtime has it and hands it to the recogniser, between silences. */
    static byte[] turn(byte[] ulaw) {
        return concat(silence(500), ulaw, silence(1200));
    }

    static void feed(SpeechToText.Stream stream, byte[] ulaw) throws InterruptedException {
        for (int at = 0; at < ulaw.length; at += 160) {
            stream.audio(ulaw, at, Math.min(160, ulaw.length - at));
            Thread.sleep(1);
        }
    }

    /** A 1 kHz tone of {@code samples} 16-bit samples, then it blocks until interrupted (then throws, as MaryTTS's queue does). */
    private static class StallingTone extends InputStream {
        private final int bytes;
        private int position;

        StallingTone(int samples) {
            this.bytes = samples * 2;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= bytes) {
                return atEnd();
            }
            int n = Math.min(len, bytes - position) & ~1;
            for (int i = 0; i < n; i += 2) {
                int sample = (int) (8000 * Math.sin(2 * Math.PI * 1000 * ((position + i) / 2) / 48_000.0));
                b[off + i] = (byte) sample;
                b[off + i + 1] = (byte) (sample >> 8);
            }
            position += n;
            return n;
        }

        int atEnd() {
            CompletableFuture<Void> never = new CompletableFuture<>();
            try {
                never.get();
            } catch (Exception e) {
                throw new RuntimeException("Unexpected interruption", e);
            }
            return -1;
        }

        /** The same tone, then the end of the stream. */
        static final class Finite extends StallingTone {
            Finite(int samples) {
                super(samples);
            }

            @Override
            int atEnd() {
                return -1;
            }
        }
    }
}
