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

    /**
     * One message of the conversation; {@code role} is {@code system}, {@code user}, {@code assistant} or
     * {@code tool}. An assistant's tool call carries {@code toolCallId}, {@code toolName} and
     * {@code toolArguments} (a JSON object as text); a {@code tool} message carries the result in
     * {@code content} and the {@code toolCallId} (and name) it answers.
     */
    record Message(String role, String content, String toolCallId, String toolName, String toolArguments) {

        public Message(String role, String content) {
            this(role, content, null, null, null);
        }

        public static Message toolCall(String toolCallId, String toolName, String argumentsJson) {
            return new Message("assistant", "", toolCallId, toolName, argumentsJson);
        }

        public static Message toolResult(String toolCallId, String toolName, String resultJson) {
            return new Message("tool", resultJson, toolCallId, toolName, null);
        }

        /** An assistant message asking for a tool. */
        public boolean isToolCall() {
            return "assistant".equals(role) && toolCallId != null && toolName != null;
        }
    }

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
