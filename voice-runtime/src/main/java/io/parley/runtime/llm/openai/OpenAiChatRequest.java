package io.parley.runtime.llm.openai;

import io.parley.runtime.llm.LanguageModel;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the {@code POST /chat/completions} body from a port request.
 *
 * <p>Tool exchanges go the way the API wants them: an assistant message with {@code tool_calls} (the
 * turn's tool calls gathered into one), then {@code role: tool} messages with the matching
 * {@code tool_call_id}. A {@code tool} message that names no call id (the API would reject it with a 400)
 * is sent as user text prefixed with {@link #TOOL_RESULT_PREFIX}, and an empty assistant message
 * is left out.
 */
final class OpenAiChatRequest {

    static final String TOOL_RESULT_PREFIX = "[tool result] ";
    static final String EMPTY_SCHEMA = "{\"type\":\"object\",\"properties\":{}}";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private OpenAiChatRequest() {}

    /** The JSON body; {@link IllegalArgumentException} for a request that cannot be sent. */
    static String body(OpenAiCompatibleConfig config, LanguageModel.Request request) {
        String model = request.model() != null && !request.model().isBlank() ? request.model() : config.defaultModel();
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model: the request names none and " + config.id() + " has no default model");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        if (Double.isFinite(request.temperature()) && request.temperature() >= 0) {
            root.put("temperature", request.temperature());
        }
        if (config.maxTokens() != null) {
            root.put("max_tokens", config.maxTokens());
        }
        ArrayNode messages = root.putArray("messages");
        for (LanguageModel.Message message : request.messages() == null ? java.util.List.<LanguageModel.Message>of() : request.messages()) {
            String role = message.role() == null ? "" : message.role().toLowerCase(Locale.ROOT);
            String content = message.content() == null ? "" : message.content();
            switch (role) {
                case "system", "user" -> messages.addObject().put("role", role).put("content", content);
                case "assistant" -> {
                    if (message.isToolCall()) {
                        // one assistant message carries the turn's text and all its tool calls
                        ObjectNode previous = messages.isEmpty() ? null : (ObjectNode) messages.get(messages.size() - 1);
                        ObjectNode assistant = previous != null && "assistant".equals(previous.path("role").asString())
                                ? previous : messages.addObject().put("role", "assistant").putNull("content");
                        ArrayNode calls = assistant.has("tool_calls") ? (ArrayNode) assistant.get("tool_calls") : assistant.putArray("tool_calls");
                        calls.addObject().put("id", message.toolCallId()).put("type", "function").putObject("function")
                                .put("name", message.toolName())
                                .put("arguments", message.toolArguments() == null ? "{}" : message.toolArguments());
                    } else if (!content.isBlank()) {
                        messages.addObject().put("role", role).put("content", content);
                    }
                }
                case "tool" -> {
                    if (message.toolCallId() != null) {
                        messages.addObject().put("role", "tool").put("tool_call_id", message.toolCallId()).put("content", content);
                    } else {
                        messages.addObject().put("role", "user").put("content", TOOL_RESULT_PREFIX + content);
                    }
                }
                default -> throw new IllegalArgumentException("unknown message role: " + message.role());
            }
        }
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("no messages");
        }
        if (request.tools() != null && !request.tools().isEmpty()) { // OpenAI rejects "tools": []
            ArrayNode tools = root.putArray("tools");
            for (LanguageModel.Tool tool : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name());
                if (tool.description() != null && !tool.description().isBlank()) {
                    function.put("description", tool.description());
                }
                function.set("parameters", schema(tool));
            }
        }
        return JSON.writeValueAsString(root);
    }

    static JsonNode schema(LanguageModel.Tool tool) {
        String text = tool.parametersJsonSchema() == null || tool.parametersJsonSchema().isBlank() ? EMPTY_SCHEMA : tool.parametersJsonSchema();
        JsonNode schema;
        try {
            schema = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the parameters schema of tool " + tool.name() + " is not JSON", e);
        }
        if (schema == null || !schema.isObject()) {
            throw new IllegalArgumentException("the parameters schema of tool " + tool.name() + " is not a JSON object");
        }
        return schema;
    }
}
