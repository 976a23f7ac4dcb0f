package io.parley.runtime.call;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Timers of a call's stages, named as dashboards expect them. */
public final class CallMetrics {

    final Timer turnLatency;
    final Timer languageModelFirstToken;
    final Timer speechFirstAudio;
    final Timer bargeIn;
    final Timer speechFinalization;
    final Timer runtimeAdded;

    private final MeterRegistry registry;

    public CallMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.turnLatency = timer(registry, "parley.runtime.turn.latency", "From the caller's turn committed to the first audio of the reply");
        this.languageModelFirstToken = timer(registry, "parley.runtime.llm.first_token", "From a model request to its first token");
        this.speechFirstAudio = timer(registry, "parley.runtime.tts.first_audio", "From a sentence sent to speech to its first audio");
        this.bargeIn = timer(registry, "parley.runtime.barge_in", "From the caller's voice over the bot to the bot falling silent (pause or clear sent)");
        this.speechFinalization = timer(registry, "parley.runtime.stt.finalization", "From the caller's voice stopping to the recogniser's end of utterance");
        this.runtimeAdded = timer(registry, "parley.runtime.added", "Per turn, the time the runtime itself adds between the caller's end of turn and the first audio played: queueing and processing before the model, the first sentence and the first audio");
    }

    /** A sentence the moderation provider would not have said. */
    void moderationFlagged(String provider) {
        registry.counter("parley.runtime.moderation.flagged", "provider", provider).increment();
    }

    /** The moderation provider could not judge a sentence: said unchecked, or not said ({@code closed}, child-safety calls). */
    void moderationFailed(String provider, boolean closed) {
        registry.counter("parley.runtime.moderation.failed", "provider", provider, "outcome", closed ? "not_said" : "said").increment();
    }

    private static Timer timer(MeterRegistry registry, String name, String description) {
        return Timer.builder(name).description(description).publishPercentiles(0.5, 0.99)
                .serviceLevelObjectives(Duration.ofMillis(120), Duration.ofMillis(500), Duration.ofSeconds(1))
                .register(registry);
    }
}
