package io.parley.runtime.conversation;

import java.util.Objects;

/**
 * One entry of the conversation history handed to the language model, provider-neutral.
 *
 * <p>Assistant text and each tool call are separate messages (tool calls carry {@code toolCallId},
 * {@code toolName} and {@code toolArguments}); a {@link Role#TOOL} message carries the result for the
 * call with the same {@code toolCallId}. Adapters merge consecutive messages of one role when their
 * API wants one message per role (OpenAI {@code tool_calls}, Anthropic content blocks). Assistant
 * text is what the caller actually heard, not what the model generated.
 *
 * @param role          who speaks
 * @param content       the text (for a tool call, empty; for a tool result, the result JSON)
 * @param turnId        the language-model turn that produced an assistant message, or {@code null}
 *                      for scripted lines (greeting, reprompt, goodbyes) and for user/tool/system messages
 * @param toolCallId    the tool call this message makes or answers, else {@code null}
 * @param toolName      the tool called, else {@code null}
 * @param toolArguments the call's arguments as JSON, else {@code null}
 */
public record ConversationMessage(Role role, String content, String turnId, String toolCallId, String toolName,
                                  String toolArguments) {

    /** Message roles, as every chat-completion API knows them. */
    public enum Role { SYSTEM, USER, ASSISTANT, TOOL }

    public ConversationMessage {
        Objects.requireNonNull(role, "role");
        content = content == null ? "" : content;
    }

    public static ConversationMessage system(String content) {
        return new ConversationMessage(Role.SYSTEM, content, null, null, null, null);
    }

    public static ConversationMessage user(String content) {
        return new ConversationMessage(Role.USER, content, null, null, null, null);
    }

    public static ConversationMessage assistant(String content, String turnId) {
        return new ConversationMessage(Role.ASSISTANT, content, turnId, null, null, null);
    }

    public static ConversationMessage toolCall(String turnId, String toolCallId, String toolName, String arguments) {
        return new ConversationMessage(Role.ASSISTANT, "", turnId, toolCallId, toolName, arguments);
    }

    public static ConversationMessage toolResult(String toolCallId, String toolName, String resultJson) {
        return new ConversationMessage(Role.TOOL, resultJson, null, toolCallId, toolName, null);
    }

    /** Whether this is assistant speech (not a tool call). Package-private so Jackson does not see a property. */
    boolean isAssistantText() {
        return role == Role.ASSISTANT && toolCallId == null;
    }

    ConversationMessage withContent(String newContent) {
        return new ConversationMessage(role, newContent, turnId, toolCallId, toolName, toolArguments);
    }
}
