package io.parley.runtime.speech.offline;

import static io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.voice;
import static io.parley.runtime.speech.offline.MaryTextToSpeechTests.speak;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.speech.TextToSpeech;
import io.parley.runtime.speech.offline.FreeTtsTextToSpeechTests.Recording;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Which engine {@code offline} speaks with: MaryTTS when loaded, FreeTTS when asked for or when MaryTTS is missing. */
class OfflineTextToSpeechTests {

    static final String TEXT = "Thank you for calling.";
    static final TextToSpeech.Voice DEFAULT = voice(null, Map.of());

    static FreeTtsTextToSpeech fast;
    static byte[] fastAudio;

    @BeforeAll
    static void start() {
        MaryTextToSpeechTests.quietMaryLogs();
        fast = new FreeTtsTextToSpeech();
        fastAudio = speak(fast, TEXT, DEFAULT).audio();
    }

    @AfterAll
    static void stop() {
        fast.close();
    }

    @Test
    void speaksWithMaryTtsOnceLoaded() throws Exception {
        try (OfflineTextToSpeech offline = new OfflineTextToSpeech(new MaryTextToSpeech(), fast)) {
            Recording first = speak(offline, TEXT, DEFAULT); // asked for before MaryTTS is ready: waits for it
            assertThat(offline.currentEngine()).isEqualTo(MaryTextToSpeech.ID);
            Recording named = speak(offline, TEXT, voice("cmu-slt-hsmm", Map.of("rate", 180)));

            assertThat(first.failures).isEmpty();
            assertThat(first.audio()).hasSizeGreaterThan(4000).isNotEqualTo(fastAudio).isEqualTo(named.audio());
        }
    }

    @Test
    void aFreeTtsVoiceIsSpokenByFreeTts() {
        try (OfflineTextToSpeech offline = new OfflineTextToSpeech(new MaryTextToSpeech(), fast)) {
            assertThat(speak(offline, TEXT, voice("kevin16", Map.of())).audio()).isEqualTo(fastAudio);
            assertThat(speak(offline, TEXT, voice("Kevin", Map.of())).audio())
                    .isEqualTo(speak(fast, TEXT, voice("kevin", Map.of())).audio());
        }
    }

    @Test
    void withMaryTtsOffItIsFreeTts() {
        try (OfflineTextToSpeech offline = new OfflineTextToSpeech(null, fast)) {
            assertThat(offline.currentEngine()).isEqualTo(FreeTtsTextToSpeech.ID);
            assertThat(speak(offline, TEXT, voice("cmu-slt-hsmm", Map.of())).audio()).isEqualTo(fastAudio);
        }
    }

    @Test
    void whenMaryTtsFailsToLoadFreeTtsSpeaks() {
        // a real MaryTTS that cannot start as configured: its default voice does not exist
        MaryTextToSpeech noVoice = new MaryTextToSpeech(MaryTextToSpeech.Options.defaults().withDefaultVoice("no-such-voice"));
        try (OfflineTextToSpeech offline = new OfflineTextToSpeech(noVoice, fast)) {
            Recording waited = speak(offline, TEXT, DEFAULT); // asked for while loading: waits, then falls back
            Recording later = speak(offline, TEXT, voice("cmu-slt-hsmm", Map.of()));

            assertThat(waited.failures).isEmpty();
            assertThat(waited.audio()).isEqualTo(fastAudio);
            assertThat(later.audio()).isEqualTo(fastAudio);
            assertThat(offline.currentEngine()).isEqualTo(FreeTtsTextToSpeech.ID);
        }
    }

    @Test
    void aSynthesisCancelledWhileMaryTtsLoadsNeverStarts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MaryTextToSpeech slow = new MaryTextToSpeech(MaryTextToSpeech.Options.defaults(), () -> {
            release.await();
            return MaryEngine.local();
        });
        try (OfflineTextToSpeech offline = new OfflineTextToSpeech(slow, fast)) {
            Recording cancelled = new Recording();
            offline.synthesize(TEXT, DEFAULT, cancelled).cancel();
            Recording waiting = new Recording();
            offline.synthesize(TEXT, DEFAULT, waiting);
            Thread.sleep(300);
            assertThat(waiting.events).as("nothing before MaryTTS is ready").isEmpty();

            release.countDown();
            waiting.awaitEnd();
            slow.load().get(60, TimeUnit.SECONDS);
            Thread.sleep(300);
            assertThat(waiting.dones.get()).isEqualTo(1);
            assertThat(cancelled.events).isEmpty();
            assertThat(slow.engineRuns()).as("sentences MaryTTS spoke").isEqualTo(1);
        }
    }
}
