package io.parley.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.runtime.call.CallMetrics;
import io.parley.runtime.call.CallRuntimes;
import io.parley.runtime.call.Providers;
import io.parley.runtime.call.VoiceActivitySource;
import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.moderation.Moderation;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.speech.SpeechToSpeech;
import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.TextToSpeech;
import io.parley.runtime.tools.PlatformApiProperties;
import io.parley.runtime.tools.PlatformTools;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Calls: the providers this instance has, the platform tools, and a runtime per stream. */
@Configuration(proxyBeanMethods = false)
class CallConfiguration {

    @Bean
    Providers providers(ObjectProvider<SpeechToText> stt, ObjectProvider<TextToSpeech> tts, ObjectProvider<LanguageModel> llm,
                        ObjectProvider<SpeechToSpeech> speechToSpeech, PlatformTools tools, ObjectProvider<Moderation> moderation) {
        return new Providers(stt.orderedStream().toList(), tts.orderedStream().toList(), llm.orderedStream().toList(),
                speechToSpeech.orderedStream().toList(), tools, moderation.getIfAvailable());
    }

    /** Platform tools (schedule_callback...) through java-sdk; none offered while PARLEY_API_URL is unset. */
    @Bean(destroyMethod = "close")
    PlatformTools platformTools(PlatformApiProperties settings, Clock clock) {
        return new PlatformTools(settings, clock);
    }

    @Bean(destroyMethod = "close")
    CallRuntimes callRuntimes(CallSessionStore store, CallEvents events, Providers providers, Clock clock, MeterRegistry meters,
                              @Value("${parley.runtime.voice-activity:provider}") String voiceActivity) {
        return new CallRuntimes(store, events, providers, clock, new CallMetrics(meters), VoiceActivitySource.parse(voiceActivity));
    }
}
