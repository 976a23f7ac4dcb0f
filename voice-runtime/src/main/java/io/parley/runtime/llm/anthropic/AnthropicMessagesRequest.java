package io.parley.runtime.llm.anthropic;

import io.parley.runtime.llm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the {@code POST /v1/messages} body from a port request:
 *
 * <ul>
 *   <li>every {@code system} message, wherever it is, goes into the top-level {@code system}, joined by a
 *       blank line;</li>
 *   <li>the rest become alternating {@code user}/{@code assistant} messages: consecutive messages of one
 *       role are merged into one message of several text blocks; empty texts are left out (the API rejects
 *       empty text blocks; an empty assistant message is how a tool call comes through the port);</li>
 *   <li>if the first message is not the caller's (a call starts with the persona's greeting) the configured
 *       opening user turn is put first, as the API requires;</li>
 *   <li>trailing whitespace is cut from a final assistant message (the API rejects it there);</li>
 *   <li>{@code temperature} is clamped to the API's 0..1.</li>
 * </ul>
 *
 * <p>Tool exchanges: an assistant's tool call becomes a {@code tool_use} block (id, name, input) in the
 * assistant message, and a {@code tool} message a {@code tool_result} block naming that
 * {@code tool_use_id} in the next user message. A {@code tool} message without a call id is sent as
 * user text prefixed with {@link #TOOL_RESULT_PREFIX}.
 */
final class AnthropicMessagesRequest {

    static final String TOOL_RESULT_PREFIX = "[tool result] ";
    static final String EMPTY_SCHEMA = "{\"type\":\"object\",\"properties\":{}}";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AnthropicMessagesRequest() {}

    /** The JSON body; {@link IllegalArgumentException} for a request that cannot be sent. */
    static String body(AnthropicConfig config, LanguageModel.Request request) {
        String model = request.model() != null && !request.model().isBlank() ? request.model() : config.defaultModel();
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("no model: the request names none and anthropic has no default model");
        }
        List<String> system = new ArrayList<>();
        List<Turn> turns = new ArrayList<>();
        for (LanguageModel.Message message : request.messages() == null ? List.<LanguageModel.Message>of() : request.messages()) {
            String role = message.role() == null ? "" : message.role().toLowerCase(Locale.ROOT);
            String content = message.content() == null ? "" : message.content();
            switch (role) {
                case "system" -> {
                    if (!content.isBlank()) system.add(content);
                }
                case "user" -> add(turns, role, text(content));
                case "assistant" -> add(turns, role, message.isToolCall() ? toolUse(message) : text(content));
                case "tool" -> add(turns, "user", message.toolCallId() == null ? text(TOOL_RESULT_PREFIX + content)
                        : JSON.createObjectNode().put("type", "tool_result").put("tool_use_id", message.toolCallId()).put("content", content));
                default -> throw new IllegalArgumentException("unknown message role: " + message.role());
            }
        }
        if (turns.isEmpty() || !turns.getFirst().role.equals("user")) {
            turns.addFirst(new Turn("user", text(config.openingUserTurn())));
        }
        Turn last = turns.getLast();
        if (last.role.equals("assistant") && last.blocks.getLast().path("type").asString().equals("text")) {
            ObjectNode block = last.blocks.getLast();
            block.put("text", block.get("text").asString().stripTrailing());
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("model", model);
        root.put("max_tokens", config.maxTokens());
        root.put("stream", true);
        if (Double.isFinite(request.temperature()) && request.temperature() >= 0) {
            root.put("temperature", Math.min(1.0, request.temperature()));
        }
        if (!system.isEmpty()) {
            root.put("system", String.join("\n\n", system));
        }
        ArrayNode messages = root.putArray("messages");
        for (Turn turn : turns) {
            ObjectNode message = messages.addObject().put("role", turn.role);
            ArrayNode content = message.putArray("content");
            turn.blocks.forEach(content::add);
        }
        if (request.tools() != null && !request.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (LanguageModel.Tool tool : request.tools()) {
                ObjectNode entry = tools.addObject().put("name", tool.name());
                if (tool.description() != null && !tool.description().isBlank()) {
                    entry.put("description", tool.description());
                }
                entry.set("input_schema", schema(tool));
            }
        }
        return JSON.writeValueAsString(root);
    }

    /** A text block, or null for blank text (the API rejects empty text blocks). */
    private static ObjectNode text(String text) {
        return text == null || text.isBlank() ? null : JSON.createObjectNode().put("type", "text").put("text", text);
    }

    private static ObjectNode toolUse(LanguageModel.Message call) {
        JsonNode input;
        try {
            input = call.toolArguments() == null || call.toolArguments().isBlank() ? JSON.createObjectNode() : JSON.readTree(call.toolArguments());
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the arguments of tool call " + call.toolCallId() + " are not JSON", e);
        }
        ObjectNode block = JSON.createObjectNode().put("type", "tool_use").put("id", call.toolCallId()).put("name", call.toolName());
        block.set("input", input.isObject() ? input : JSON.createObjectNode());
        return block;
    }

    private static void add(List<Turn> turns, String role, ObjectNode block) {
        if (block == null) {
            return;
        }
        if (!turns.isEmpty() && turns.getLast().role.equals(role)) {
            turns.getLast().blocks.add(block);
        } else {
            turns.add(new Turn(role, block));
        }
    }

    private static JsonNode schema(LanguageModel.Tool tool) {
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

    private static final class Turn {
        final String role;
        final List<ObjectNode> blocks = new ArrayList<>();

        Turn(String role, ObjectNode block) {
            this.role = role;
            blocks.add(block);
        }
    }
}
