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
 * <p>Tool exchanges: the port's {@link LanguageModel.Message} carries no tool-call id or name, so a
 * {@code tool} message cannot become the {@code tool_result} block the API wants (it must name the
 * {@code tool_use_id} of a {@code tool_use} block in the previous assistant message, and that block cannot
 * be rebuilt either). Until the port carries them, a {@code tool} message is sent as user text prefixed
 * with {@link #TOOL_RESULT_PREFIX}.
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
                case "user", "assistant" -> add(turns, role, content);
                case "tool" -> add(turns, "user", TOOL_RESULT_PREFIX + content);
                default -> throw new IllegalArgumentException("unknown message role: " + message.role());
            }
        }
        if (turns.isEmpty() || !turns.getFirst().role.equals("user")) {
            turns.addFirst(new Turn("user", config.openingUserTurn()));
        }
        Turn last = turns.getLast();
        if (last.role.equals("assistant")) {
            String trimmed = last.texts.getLast().stripTrailing();
            last.texts.set(last.texts.size() - 1, trimmed);
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
            for (String text : turn.texts) {
                content.addObject().put("type", "text").put("text", text);
            }
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

    private static void add(List<Turn> turns, String role, String text) {
        if (text.isBlank()) {
            return;
        }
        if (!turns.isEmpty() && turns.getLast().role.equals(role)) {
            turns.getLast().texts.add(text);
        } else {
            turns.add(new Turn(role, text));
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
        final List<String> texts = new ArrayList<>();

        Turn(String role, String text) {
            this.role = role;
            texts.add(text);
        }
    }
}
