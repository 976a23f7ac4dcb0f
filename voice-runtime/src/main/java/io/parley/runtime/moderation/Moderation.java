package io.parley.runtime.moderation;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A moderation provider: a second opinion, after the {@linkplain io.parley.runtime.conversation.OutputGuard output
 * guard} in code, on each sentence a persona is about to say. Configured platform-wide ({@code parley.moderation.*});
 * without one, the output guard alone decides.
 */
public interface Moderation {

    /** The provider's id, for logs and metrics: {@code openai}. */
    String id();

    /** Judges a sentence; completes exceptionally when the provider could not be asked or answered with an error. */
    CompletableFuture<Verdict> check(String text);

    /**
     * The provider's verdict.
     *
     * @param flagged    whether the sentence must not be said
     * @param categories the categories it was flagged for ({@code harassment}, {@code self-harm/instructions}...), empty when not flagged
     */
    record Verdict(boolean flagged, List<String> categories) {
        public Verdict {
            categories = categories == null ? List.of() : List.copyOf(categories);
        }
    }
}
