package io.parley.runtime.call;

import io.parley.runtime.conversation.ConversationEngine;
import io.parley.runtime.conversation.ConversationMessage;
import io.parley.runtime.llm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What every model of a call is given, whether it writes (a language model) or speaks (a speech-to-speech model). */
final class ModelInputs {

    /** The tools a call offers: {@code end_call} (the engine handles it; platform tools come with the personas work). */
    static final List<LanguageModel.Tool> TOOLS = List.of(new LanguageModel.Tool(ConversationEngine.END_CALL_TOOL,
            "End the call politely when the conversation is over. If the person asks not to be called again, say goodbye and end"
                    + " the call with reason \"opt_out\": their number is then never called again.",
            "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\",\"description\":"
                    + "\"Why the call ends; opt_out when the person asked not to be called again\"}}}"));

    private ModelInputs() {}

    /** The engine's history as provider-neutral chat messages: tool calls and results keep their ids. */
    static List<LanguageModel.Message> messages(List<ConversationMessage> history) {
        List<LanguageModel.Message> messages = new ArrayList<>(history.size());
        for (ConversationMessage m : history) {
            if (m.role() == ConversationMessage.Role.ASSISTANT && m.toolCallId() != null) {
                messages.add(LanguageModel.Message.toolCall(m.toolCallId(), m.toolName(), m.toolArguments()));
            } else if (m.role() == ConversationMessage.Role.TOOL) {
                messages.add(LanguageModel.Message.toolResult(m.toolCallId(), m.toolName(), m.content()));
            } else {
                messages.add(new LanguageModel.Message(m.role().name().toLowerCase(Locale.ROOT), m.content()));
            }
        }
        return messages;
    }
}
