package io.parley.runtime.speech.offline;

import static io.parley.runtime.speech.offline.PhoneLineSpeech.concat;
import static io.parley.runtime.speech.offline.PhoneLineSpeech.say;
import static io.parley.runtime.speech.offline.PhoneLineSpeech.silence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.SpeechToText.StreamSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real recogniser on speech made at test time (flite, then a μ-law phone line). Needs the
 * Debian packages pocketsphinx, pocketsphinx-en-us and flite, which .ci/run installs: without them
 * these tests fail, they never skip.
 */
class PocketSphinxSpeechToTextTests {

    private static final List<String> PHRASES = List.of("yes", "no", "a red bicycle", "a puppy", "my name is ella");
    private static final List<String> DIGITS = List.of("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

    private static PocketSphinxSpeechToText recogniser;

    @BeforeAll
    static void load() {
        recogniser = new PocketSphinxSpeechToText(properties(2));
    }

    @AfterAll
    static void free() {
        recogniser.close();
        assertThat(recogniser.decodersFreed()).as("every decoder loaded is freed, once").isEqualTo(recogniser.modelLoads());
        recogniser.close();
        assertThat(recogniser.decodersFreed()).isEqualTo(recogniser.modelLoads());
    }

    /** Big enough that tests feeding audio faster than real time drop nothing. */
    private static PocketSphinxProperties properties(int poolSize) {
        return new PocketSphinxProperties(null, null, poolSize, Duration.ofSeconds(120), null, null, null, null);
    }

    private static StreamSettings expecting(List<String> phrases) {
        return new StreamSettings("en-US", phrases, null);
    }

    /** Hands audio over in 20 ms chunks, as the media layer does, as fast as it can. */
    /**
     * Feeds audio at about 20 times real time, as a phone line never would faster: all at once would
     * overrun the stream's bounded queue on a busy machine, which then rightly drops the oldest audio.
     */
    private static void feed(SpeechToText.Stream stream, byte[] ulaw) throws InterruptedException {
        for (int at = 0; at < ulaw.length; at += 160) {
            stream.audio(ulaw, at, Math.min(160, ulaw.length - at));
            Thread.sleep(1);
        }
    }

    private static void feedFromAnotherThread(SpeechToText.Stream stream, byte[] pcm) {
        try {
            feed(stream, pcm);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An utterance as a caller says it: a pause, the words, and enough silence to end the turn. */
    private static byte[] turn(byte[] speech) {
        return concat(silence(500), speech, silence(1200));
    }

    @ParameterizedTest
    @ValueSource(strings = {"slt", "rms", "awb"})
    void recognisesEachExpectedPhrase(String voice) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(expecting(PHRASES), listener)) {
            for (String phrase : PHRASES) {
                feed(stream, turn(say(phrase, voice)));
            }
            listener.awaitUtterances(PHRASES.size());
        }
        assertThat(listener.finals()).containsExactlyElementsOf(PHRASES);
        assertThat(recogniser.droppedSamples()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"slt", "rms", "awb"})
    void hearsASignOfSelfHarmWhereAStepExpectsOtherWords(String voice) throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(expecting(PHRASES), listener)) {
            feed(stream, turn(say("I want to end my life.", voice)));
            feed(stream, turn(say("I want to kill myself.", voice)));
            listener.awaitUtterances(2);
        }
        assertThat(listener.finals()).containsExactly("i want to end my life", "i want to kill myself");
    }

    @Test
    void recognisesDigitsOfAPhoneNumber() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(expecting(DIGITS), listener)) {
            feed(stream, turn(say("seven seven zero zero")));
            feed(stream, turn(say("four one five five five zero one nine nine", "rms")));
            listener.awaitUtterances(2);
        }
        assertThat(listener.finals()).containsExactly("seven seven zero zero", "four one five five five zero one nine nine");
    }

    @ParameterizedTest
    @ValueSource(strings = {"slt", "awb"})
    void recognisesADayAndATimeAmongAllThatAreExpected(String voice) throws Exception {
        List<String> said = List.of("tomorrow at ten", "monday at two thirty", "ten forty five", "friday");
        RecordingListener listener = new RecordingListener();
        List<String> expected = new java.util.ArrayList<>(io.parley.runtime.conversation.SpokenTime.phrases());
        expected.addAll(List.of("goodbye", "bye"));
        try (SpeechToText.Stream stream = recogniser.open(expecting(expected), listener)) {
            for (String phrase : said) {
                feed(stream, turn(say(phrase, voice)));
            }
            listener.awaitUtterances(said.size());
        }
        assertThat(listener.finals()).containsExactlyElementsOf(said);
    }

    @Test
    void reportsVoiceActivityAroundAnUtterance() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(expecting(PHRASES), listener)) {
            feed(stream, silence(1500));
            feed(stream, say("yes"));
            feed(stream, silence(1500));
            listener.awaitUtterances(1);
        }
        assertThat(listener.events().stream().filter(e -> !e.startsWith("interim:")))
                .containsExactly("speaking", "silent", "final:yes", "end");
    }

    @Test
    void interimHypothesesComeBeforeTheFinalText() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(expecting(PHRASES), listener)) {
            feed(stream, turn(say("my name is ella")));
            listener.awaitUtterances(1);
        }
        List<String> events = listener.events();
        assertThat(events).first().isEqualTo("speaking");
        assertThat(events).filteredOn(e -> e.startsWith("interim:")).isNotEmpty().doesNotHaveDuplicates();
        assertThat(events.indexOf("final:my name is ella")).isGreaterThan(events.indexOf("silent"));
        int lastInterim = events.size() - 1 - events.reversed().stream().toList().indexOf(
                events.reversed().stream().filter(e -> e.startsWith("interim:")).findFirst().orElseThrow());
        assertThat(lastInterim).isLessThan(events.indexOf("silent"));
        assertThat(events).last().isEqualTo("end");
    }

    @Test
    void aNewDialogStepChangesTheGrammarBetweenUtterances() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(expecting(List.of("yes", "no")), listener)) {
            feed(stream, turn(say("yes")));
            listener.awaitUtterances(1);
            stream.expect(List.of("a red bicycle", "a puppy"));
            feed(stream, turn(say("a puppy")));
            listener.awaitUtterances(2);
        }
        assertThat(listener.finals()).containsExactly("yes", "a puppy");
    }

    @Test
    void noExpectedPhrasesMeansTheDefaultVocabulary() throws Exception {
        RecordingListener listener = new RecordingListener();
        try (SpeechToText.Stream stream = recogniser.open(new StreamSettings("en-US", List.of(), null), listener)) {
            feed(stream, turn(say("goodbye")));
            feed(stream, turn(say("no")));
            listener.awaitUtterances(2);
        }
        assertThat(listener.finals()).containsExactly("goodbye", "no");
    }

    @Test
    void twoCallsAtOnceDoNotMixTheirResults() throws Exception {
        RecordingListener bicycles = new RecordingListener();
        RecordingListener numbers = new RecordingListener();
        CyclicBarrier together = new CyclicBarrier(2);
        try (SpeechToText.Stream first = recogniser.open(expecting(PHRASES), bicycles);
             SpeechToText.Stream second = recogniser.open(expecting(DIGITS), numbers)) {
            byte[] firstAudio = concat(turn(say("a red bicycle")), turn(say("a puppy")), turn(say("my name is ella")));
            byte[] secondAudio = concat(turn(say("seven seven zero zero")), turn(say("one two three", "rms")), turn(say("nine")));
            Thread a = Thread.ofPlatform().name("socket-a").start(() -> { await(together); feedFromAnotherThread(first, firstAudio); });
            Thread b = Thread.ofPlatform().name("socket-b").start(() -> { await(together); feedFromAnotherThread(second, secondAudio); });
            a.join(30_000);
            b.join(30_000);
            bicycles.awaitUtterances(3);
            numbers.awaitUtterances(3);
        }
        assertThat(bicycles.finals()).containsExactly("a red bicycle", "a puppy", "my name is ella");
        assertThat(numbers.finals()).containsExactly("seven seven zero zero", "one two three", "nine");
        assertThat(bicycles.threads()).as("each stream calls back from its own thread").hasSize(bicycles.events().size())
                .allMatch(t -> t.equals(bicycles.threads().getFirst()));
        assertThat(numbers.threads()).allMatch(t -> t.equals(numbers.threads().getFirst()))
                .doesNotContain(bicycles.threads().getFirst());
        assertThat(bicycles.threads().getFirst()).as("never the thread that hands the audio over").startsWith("stt-offline-");
        assertThat(numbers.threads().getFirst()).startsWith("stt-offline-");
    }

    @Test
    void aListenerThatThrowsDoesNotStopRecognition() throws Exception {
        RecordingListener recording = new RecordingListener();
        SpeechToText.Listener throwing = new SpeechToText.Listener() {
            @Override public void voiceActivity(boolean speaking) { recording.voiceActivity(speaking); }
            @Override public void interim(String text) { throw new IllegalStateException("listener bug"); }
            @Override public void finalText(String text) { recording.finalText(text); throw new IllegalStateException("listener bug"); }
            @Override public void endOfUtterance() { recording.endOfUtterance(); }
            @Override public void failed(Exception error) { recording.failed(error); }
        };
        try (SpeechToText.Stream stream = recogniser.open(expecting(PHRASES), throwing)) {
            feed(stream, turn(say("a red bicycle")));
            feed(stream, turn(say("yes")));
            recording.awaitUtterances(2);
        }
        assertThat(recording.finals()).containsExactly("a red bicycle", "yes");
        assertThat(recording.failure()).isNull();
    }

    @Test
    void closeIsIdempotentAndNothingIsReportedAfterIt() throws Exception {
        RecordingListener listener = new RecordingListener();
        SpeechToText.Stream stream = recogniser.open(expecting(PHRASES), listener);
        byte[] speech = say("my name is ella");
        feed(stream, silence(500));
        feed(stream, speech);
        listener.await(e -> e.equals("speaking"), 1, Duration.ofSeconds(30)); // mid-utterance
        stream.close();
        List<String> atClose = listener.events();
        stream.close();
        feed(stream, silence(1500)); // ignored: would end the utterance
        feed(stream, turn(speech));
        Thread.sleep(500);
        assertThat(listener.events()).isEqualTo(atClose).doesNotContain("final:my name is ella", "end");
        assertThat(listener.failure()).isNull();
    }

    @Test
    void callsReuseLoadedDecoders() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (PocketSphinxSpeechToText pooled = new PocketSphinxSpeechToText(properties(1), meters)) {
            assertThat(loads(meters)).as("one decoder loaded at start").isEqualTo(1);
            for (String phrase : List.of("yes", "no", "a puppy")) {
                RecordingListener listener = new RecordingListener();
                try (SpeechToText.Stream stream = pooled.open(expecting(PHRASES), listener)) {
                    feed(stream, turn(say(phrase)));
                    listener.awaitUtterances(1);
                }
                assertThat(listener.finals()).containsExactly(phrase);
                awaitTrue(() -> pooled.pool().idle() == 1); // the call's worker gives its decoder back
            }
            assertThat(loads(meters)).as("three calls, no new decoder").isEqualTo(1);
        }
    }

    @Test
    void withoutAPoolEveryCallLoadsADecoderAndFreesIt() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        PocketSphinxSpeechToText unpooled = new PocketSphinxSpeechToText(properties(0), meters);
        try (unpooled) {
            for (int call = 1; call <= 2; call++) {
                RecordingListener listener = new RecordingListener();
                try (SpeechToText.Stream stream = unpooled.open(expecting(PHRASES), listener)) {
                    feed(stream, turn(say("yes")));
                    listener.awaitUtterances(1);
                }
                int loaded = call + 1;
                awaitTrue(() -> unpooled.decodersFreed() == loaded);
            }
            assertThat(loads(meters)).isEqualTo(3);
        }
        assertThat(unpooled.decodersFreed()).isEqualTo(unpooled.modelLoads());
    }

    @Test
    void aLanguageOtherThanEnglishFailsTheStream() throws Exception {
        RecordingListener listener = new RecordingListener();
        SpeechToText.Stream stream = recogniser.open(new StreamSettings("fr-FR", List.of("oui"), null), listener);
        listener.awaitUtterances(1);
        assertThat(listener.events()).singleElement().asString().startsWith("failed:").contains("English", "fr-FR");
        stream.close(); // after failure: harmless
    }

    @Test
    void aMissingModelNamesThePackagesToInstall() {
        assertThatThrownBy(() -> new PocketSphinxSpeechToText(PocketSphinxProperties.defaults()
                .withModel(Path.of("/nonexistent/en-us"), PocketSphinxProperties.DEBIAN_DICTIONARY)))
                .isInstanceOf(OfflineSpeechUnavailableException.class)
                .hasMessageContaining("pocketsphinx")
                .hasMessageContaining("pocketsphinx-en-us");
    }

    @Test
    void itsIdIsOffline() {
        assertThat(recogniser.id()).isEqualTo("offline");
    }

    private static double loads(SimpleMeterRegistry meters) {
        return meters.get("parley.runtime.stt.offline.decoder.loads").functionCounter().count();
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
