package io.parley.runtime.llm;

import java.util.List;

/**
 * A streaming chat model (OpenAI-compatible, Anthropic, or the offline scripted brain): messages in,
 * tokens and tool calls out as they come, cancellable at any moment (barge-in).
 */
public interface LanguageModel {

    /** The provider's id as personas name it, e.g. {@code openai}, {@code anthropic}, {@code scripted}. */
    String id();

    /** Starts a reply; {@code listener} is called from the provider's threads, in order. */
    Generation generate(Request request, Listener listener);

    /** One message of the conversation; {@code role} is {@code system}, {@code user}, {@code assistant} or {@code tool}. */
    record Message(String role, String content) {}

    /** A tool the model may call; {@code parametersJsonSchema} is a JSON Schema object as text. */
    record Tool(String name, String description, String parametersJsonSchema) {}

    /** What to generate from, and with which model and credentials. */
    record Request(String model, double temperature, List<Message> messages, List<Tool> tools, String apiKey) {}

    /** A reply in flight. */
    interface Generation {
        /** Stops it: no callback follows once this returns. */
        void cancel();
    }

    /** What a reply reports. */
    interface Listener {
        void token(String text);

        /** The model asks for a tool; {@code argumentsJson} is a JSON object as text. */
        void toolCall(String id, String name, String argumentsJson);

        void done(Usage usage);

        void failed(Exception error);
    }

    /** Tokens spent, for the usage ledger. */
    record Usage(long inputTokens, long outputTokens) {}
}
