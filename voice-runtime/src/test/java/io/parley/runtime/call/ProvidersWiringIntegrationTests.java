package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.speech.deepgram.DeepgramSpeechToText;
import io.parley.runtime.speech.elevenlabs.ElevenLabsTextToSpeech;
import io.parley.runtime.speech.offline.FreeTtsTextToSpeech;
import io.parley.runtime.speech.offline.MaryTextToSpeech;
import io.parley.runtime.speech.offline.OfflineTextToSpeech;
import io.parley.runtime.speech.offline.PocketSphinxSpeechToText;
import io.parley.runtime.speech.openai.OpenAiRealtimeSpeechToSpeech;
import io.parley.runtime.speech.openai.OpenAiTextToSpeech;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A vendor is there when its key is configured; a persona naming one that is not gets the offline provider. */
class ProvidersWiringIntegrationTests {

    static ConfigurableApplicationContext start(String... extra) {
        String[] base = {"--server.port=0", "--parley.runtime.call-token-secret=test-secret-test-secret-test-secret-0123", "--spring.jmx.enabled=false"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return new SpringApplicationBuilder(VoiceRuntimeApplication.class).run(args);
    }

    @Test
    void vendorsWithKeysAreChosenByIdAndOthersFallBackToOffline() {
        try (ConfigurableApplicationContext runtime = start("--parley.providers.deepgram.api-key=dg-test",
                "--parley.providers.elevenlabs.api-key=el-test", "--parley.providers.openai.api-key=sk-test",
                "--parley.providers.anthropic.api-key=sk-ant-test", "--parley.speech.offline.mary.loading=lazy")) {
            Providers providers = runtime.getBean(Providers.class);
            assertThat(providers.llm("openai")).isInstanceOf(io.parley.runtime.llm.openai.OpenAiCompatibleLanguageModel.class);
            assertThat(providers.llm("anthropic")).isInstanceOf(io.parley.runtime.llm.anthropic.AnthropicLanguageModel.class);
            assertThat(providers.stt("deepgram")).isInstanceOf(DeepgramSpeechToText.class);
            assertThat(providers.tts("elevenlabs")).isInstanceOf(ElevenLabsTextToSpeech.class);
            assertThat(providers.tts("openai")).isInstanceOf(OpenAiTextToSpeech.class);
            assertThat(providers.stt("offline")).isInstanceOf(PocketSphinxSpeechToText.class);
            assertThat(providers.tts("no-such-vendor")).isInstanceOf(OfflineTextToSpeech.class);
            assertThat(providers.tts("offline-fast")).isInstanceOf(FreeTtsTextToSpeech.class);
            assertThat(((OfflineTextToSpeech) providers.tts("offline")).currentEngine()).as("lazy: not loaded by startup")
                    .isEqualTo(FreeTtsTextToSpeech.ID);
            assertThat(providers.speechToSpeech("openai-realtime")).isInstanceOf(OpenAiRealtimeSpeechToSpeech.class);
        }
        try (ConfigurableApplicationContext runtime = start()) {
            Providers providers = runtime.getBean(Providers.class);
            assertThat(runtime.getBeansOfType(DeepgramSpeechToText.class)).isEmpty();
            assertThat(providers.llm("openai")).as("no model: the scripted brain takes the call").isNull();
            assertThat(providers.stt("deepgram")).as("no key: offline").isInstanceOf(PocketSphinxSpeechToText.class);
            assertThat(providers.tts("elevenlabs")).isInstanceOf(OfflineTextToSpeech.class);
            assertThat(providers.speechToSpeech("openai-realtime")).as("no key: the persona falls back like any other").isNull();
        }
    }

    @Test
    void maryTtsStartsInTheBackgroundAndLogsThroughTheRuntime() throws Exception {
        try (ConfigurableApplicationContext runtime = start()) {
            OfflineTextToSpeech offline = (OfflineTextToSpeech) runtime.getBean(Providers.class).tts("offline");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!offline.currentEngine().equals(MaryTextToSpeech.ID) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(offline.currentEngine()).isEqualTo(MaryTextToSpeech.ID);
            // its log4j 1.2 configuration is a no-op here: nothing is written to ./log/server.log
            assertThat(Path.of("log", "server.log")).doesNotExist();
        }
        try (ConfigurableApplicationContext runtime = start("--parley.speech.offline.mary.loading=off")) {
            assertThat(((OfflineTextToSpeech) runtime.getBean(Providers.class).tts("offline")).currentEngine())
                    .isEqualTo(FreeTtsTextToSpeech.ID);
        }
    }
}
