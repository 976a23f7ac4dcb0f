package io.parley.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.runtime.speech.offline.FreeTtsTextToSpeech;
import io.parley.runtime.speech.offline.PocketSphinxProperties;
import io.parley.runtime.speech.offline.PocketSphinxSpeechToText;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The offline providers: what test mode and the embedded default use, so a whole call works with no
 * keys and no network. Off only where a test brings its own fakes.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "parley.runtime.offline-speech.enabled", matchIfMissing = true)
class SpeechConfiguration {

    @Bean(destroyMethod = "close")
    PocketSphinxSpeechToText offlineSpeechToText(PocketSphinxProperties properties, MeterRegistry meters) {
        return new PocketSphinxSpeechToText(properties, meters);
    }

    @Bean(destroyMethod = "close")
    FreeTtsTextToSpeech offlineTextToSpeech() {
        FreeTtsTextToSpeech voice = new FreeTtsTextToSpeech();
        voice.warmUp("kevin16"); // the first call's greeting should not wait for a voice to load
        return voice;
    }
}
