package io.parley.runtime;

import io.parley.runtime.llm.anthropic.AnthropicConfig;
import io.parley.runtime.llm.anthropic.AnthropicLanguageModel;
import io.parley.runtime.llm.openai.OpenAiCompatibleConfig;
import io.parley.runtime.llm.openai.OpenAiCompatibleLanguageModel;
import io.parley.runtime.moderation.openai.OpenAiModeration;
import io.parley.runtime.moderation.openai.OpenAiModerationConfig;
import io.parley.runtime.speech.deepgram.DeepgramConfig;
import io.parley.runtime.speech.deepgram.DeepgramSpeechToText;
import io.parley.runtime.speech.elevenlabs.ElevenLabsConfig;
import io.parley.runtime.speech.elevenlabs.ElevenLabsTextToSpeech;
import io.parley.runtime.speech.openai.OpenAiRealtimeConfig;
import io.parley.runtime.speech.openai.OpenAiRealtimeSpeechToSpeech;
import io.parley.runtime.speech.openai.OpenAiTextToSpeech;
import io.parley.runtime.speech.openai.OpenAiTtsConfig;
import java.net.URI;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The vendors' providers, each present when its platform-wide key is configured
 * ({@code parley.providers.<vendor>.*}, see application.yaml). Without keys an instance still runs
 * every call on the offline providers.
 */
@Configuration(proxyBeanMethods = false)
class CloudProvidersConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.providers.deepgram.api-key:}' != ''")
    DeepgramSpeechToText deepgramSpeechToText(Environment env) {
        return new DeepgramSpeechToText(Binder.get(env).bind("parley.providers.deepgram", DeepgramConfig.class).get());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.providers.elevenlabs.api-key:}' != ''")
    ElevenLabsTextToSpeech elevenLabsTextToSpeech(Environment env) {
        return new ElevenLabsTextToSpeech(Binder.get(env).bind("parley.providers.elevenlabs", ElevenLabsConfig.class).get());
    }

    /** OpenAI, or any OpenAI-compatible server (Groq, Cerebras, vLLM, Ollama) at {@code parley.providers.openai.base-url}. */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.providers.openai.api-key:}' != '' or '${parley.providers.openai.base-url:}' != ''")
    OpenAiCompatibleLanguageModel openAiLanguageModel(Environment env) {
        return new OpenAiCompatibleLanguageModel(Binder.get(env).bind("parley.providers.openai", OpenAiCompatibleConfig.class)
                .orElseGet(() -> OpenAiCompatibleConfig.openAi(null)));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.providers.anthropic.api-key:}' != ''")
    AnthropicLanguageModel anthropicLanguageModel(Environment env) {
        return new AnthropicLanguageModel(Binder.get(env).bind("parley.providers.anthropic", AnthropicConfig.class).get());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.providers.openai.api-key:}' != ''")
    OpenAiTextToSpeech openAiTextToSpeech(Environment env) {
        String key = env.getProperty("parley.providers.openai.api-key");
        OpenAiTtsConfig tts = Binder.get(env).bind("parley.providers.openai-tts", OpenAiTtsConfig.class).orElseGet(() -> OpenAiTtsConfig.defaults(key));
        return new OpenAiTextToSpeech(new OpenAiTtsConfig(tts.baseUrl(), tts.apiKey() == null ? key : tts.apiKey(), tts.model(),
                tts.defaultVoice(), tts.connectTimeout(), tts.idleTimeout()));
    }

    /**
     * OpenAI Realtime as a speech-to-speech model, on the same key and base URL as OpenAI's chat models
     * ({@code parley.providers.openai.*}); {@code parley.providers.openai-realtime.*} may change its model,
     * voice, transcription model and timings, or point it elsewhere.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.providers.openai.api-key:}' != ''")
    OpenAiRealtimeSpeechToSpeech openAiRealtime(Environment env) {
        String key = env.getProperty("parley.providers.openai.api-key");
        OpenAiRealtimeConfig realtime = Binder.get(env).bind("parley.providers.openai-realtime", OpenAiRealtimeConfig.class)
                .orElseGet(() -> OpenAiRealtimeConfig.defaults(key));
        String own = env.getProperty("parley.providers.openai-realtime.base-url");
        String shared = env.getProperty("parley.providers.openai.base-url");
        URI baseUrl = own != null && !own.isBlank() ? URI.create(own) : shared != null && !shared.isBlank() ? URI.create(shared) : null;
        return new OpenAiRealtimeSpeechToSpeech(new OpenAiRealtimeConfig(baseUrl, realtime.apiKey() == null ? key : realtime.apiKey(),
                realtime.model(), realtime.voice(), realtime.transcriptionModel(), realtime.vadThreshold(), realtime.prefixPadding(),
                realtime.silenceDuration(), realtime.connectTimeout(), realtime.idleTimeout(), realtime.maxQueued()));
    }

    /**
     * OpenAI's moderation, asked about every sentence before it is spoken, when {@code parley.moderation.provider} is
     * {@code openai}; its key is {@code parley.moderation.openai.api-key}, else OpenAI's ({@code parley.providers.openai.api-key}).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${parley.moderation.provider:}' == 'openai'")
    OpenAiModeration openAiModeration(Environment env) {
        String key = env.getProperty("parley.moderation.openai.api-key", env.getProperty("parley.providers.openai.api-key", ""));
        Binder binder = Binder.get(env);
        return new OpenAiModeration(new OpenAiModerationConfig(
                binder.bind("parley.moderation.openai.base-url", URI.class).orElse(null), key,
                env.getProperty("parley.moderation.openai.model"),
                binder.bind("parley.moderation.openai.connect-timeout", java.time.Duration.class).orElse(null),
                binder.bind("parley.moderation.openai.timeout", java.time.Duration.class).orElse(null)));
    }
}
