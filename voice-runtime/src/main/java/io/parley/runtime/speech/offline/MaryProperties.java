package io.parley.runtime.speech.offline;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * MaryTTS, the natural offline voice behind {@code offline} ({@code parley.speech.offline.mary.*});
 * every setting has a default.
 *
 * @param loading      when MaryTTS starts: {@code startup} (default: in the background as the runtime
 *                     starts, 3–8 s and about 200 MB of memory; syntheses asked for meanwhile wait for it),
 *                     {@code lazy} (with the first synthesis that wants it, which then waits those seconds),
 *                     or {@code off} ({@code offline} is FreeTTS)
 * @param voice        the default MaryTTS voice; without it loading fails and {@code offline} is FreeTTS
 * @param threads      syntheses at once (each keeps about one core busy, at a real-time factor of about 0.2)
 * @param stallTimeout a synthesis whose audio stops coming for this long fails
 */
@ConfigurationProperties("parley.speech.offline.mary")
public record MaryProperties(Loading loading, String voice, Integer threads, Duration stallTimeout) {

    public enum Loading { STARTUP, LAZY, OFF }

    public MaryProperties {
        loading = loading == null ? Loading.STARTUP : loading;
        voice = voice == null || voice.isBlank() ? MaryTextToSpeech.DEFAULT_VOICE : voice;
        threads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    }

    public MaryTextToSpeech.Options options() {
        MaryTextToSpeech.Options defaults = MaryTextToSpeech.Options.defaults();
        return new MaryTextToSpeech.Options(voice, threads, stallTimeout, defaults.cacheEntries(), defaults.cacheMaxTextLength(),
                defaults.cacheMaxBytes());
    }
}
