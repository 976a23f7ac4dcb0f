package io.parley.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.runtime.speech.offline.FreeTtsTextToSpeech;
import io.parley.runtime.speech.offline.MaryProperties;
import io.parley.runtime.speech.offline.MaryTextToSpeech;
import io.parley.runtime.speech.offline.OfflineTextToSpeech;
import io.parley.runtime.speech.offline.PocketSphinxProperties;
import io.parley.runtime.speech.offline.PocketSphinxSpeechToText;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The offline providers: what test mode and the embedded default use, so a whole call works with no
 * keys and no network. Off only where a test brings its own fakes. Two voices: {@code offline}
 * (MaryTTS when loaded, else FreeTTS) and {@code offline-fast} (FreeTTS always).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "parley.runtime.offline-speech.enabled", matchIfMissing = true)
class SpeechConfiguration {

    @Bean(destroyMethod = "close")
    PocketSphinxSpeechToText offlineSpeechToText(PocketSphinxProperties properties, MeterRegistry meters) {
        return new PocketSphinxSpeechToText(properties, meters);
    }

    @Bean(destroyMethod = "close")
    FreeTtsTextToSpeech offlineFastTextToSpeech() {
        FreeTtsTextToSpeech voice = new FreeTtsTextToSpeech();
        voice.warmUp("kevin16"); // the first call's greeting should not wait for a voice to load
        return voice;
    }

    @Bean(destroyMethod = "close")
    OfflineTextToSpeech offlineTextToSpeech(FreeTtsTextToSpeech fast, MaryProperties mary) {
        if (mary.loading() == MaryProperties.Loading.OFF) {
            return new OfflineTextToSpeech(null, fast);
        }
        MaryTextToSpeech natural = new MaryTextToSpeech(mary.options());
        if (mary.loading() == MaryProperties.Loading.STARTUP) {
            natural.load(); // in the background: startup is not held up, and calls before it is ready wait for it
        }
        return new OfflineTextToSpeech(natural, fast);
    }
}
