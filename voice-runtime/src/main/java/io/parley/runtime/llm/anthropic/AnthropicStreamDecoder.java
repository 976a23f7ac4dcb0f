package io.parley.runtime.llm.anthropic;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.LanguageModelException;
import io.parley.runtime.llm.sse.SseEvent;
import io.parley.runtime.llm.sse.SseGeneration;
import java.util.HashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a Messages API stream ({@code event: <type>} + {@code data: {"type": <type>, ...}}):
 *
 * <ul>
 *   <li>{@code message_start}: {@code message.usage.input_tokens} (plus the cache read/creation tokens, which
 *       the API counts apart) and the initial {@code output_tokens};</li>
 *   <li>{@code content_block_start}: opens block {@code index}; a {@code tool_use} block brings its
 *       {@code id} and {@code name};</li>
 *   <li>{@code content_block_delta}: {@code text_delta} → a token, at once; {@code input_json_delta} →
 *       {@code partial_json} appended to the block's input; thinking and citation deltas are ignored;</li>
 *   <li>{@code content_block_stop}: a {@code tool_use} block is complete → one tool call (input {@code {}} if
 *       none was streamed);</li>
 *   <li>{@code message_delta}: {@code usage.output_tokens} (cumulative), {@code usage.input_tokens} when
 *       present, {@code delta.stop_reason};</li>
 *   <li>{@code message_stop} → done; {@code ping} and unknown events are ignored (the API may add event
 *       types); {@code error} → failed.</li>
 * </ul>
 * The body ending before {@code message_stop} fails the call.
 */
final class AnthropicStreamDecoder implements SseGeneration.Decoder {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<Integer, ToolUse> toolUses = new HashMap<>();
    private long inputTokens;
    private long outputTokens;
    private String stopReason;

    @Override
    public void onEvent(SseEvent event, LanguageModel.Listener out, String requestId) throws LanguageModelException {
        String data = event.data().strip();
        if (data.isEmpty()) {
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (JacksonException e) {
            throw LanguageModelException.protocol(AnthropicLanguageModel.ID, "a stream event is not JSON: " + abbreviate(data), requestId, e);
        }
        if (root == null || !root.isObject()) {
            throw LanguageModelException.protocol(AnthropicLanguageModel.ID, "a stream event is not a JSON object: " + abbreviate(data), requestId, null);
        }
        String type = string(root.get("type"));
        if (type == null) {
            type = event.type();
        }
        switch (type) {
            case "message_start" -> {
                JsonNode message = root.get("message");
                if (message != null) usage(message.get("usage"));
            }
            case "content_block_start" -> {
                JsonNode block = root.get("content_block");
                String blockType = block == null ? null : string(block.get("type"));
                if ("tool_use".equals(blockType)) {
                    ToolUse use = new ToolUse(string(block.get("id")), string(block.get("name")));
                    JsonNode input = block.get("input");
                    if (input != null && input.isObject() && !input.isEmpty()) {
                        use.initialInput = input.toString();
                    }
                    toolUses.put(index(root), use);
                } else if ("text".equals(blockType)) {
                    String text = string(block.get("text"));
                    if (text != null && !text.isEmpty()) out.token(text);
                }
            }
            case "content_block_delta" -> {
                JsonNode delta = root.get("delta");
                String deltaType = delta == null ? null : string(delta.get("type"));
                if ("text_delta".equals(deltaType)) {
                    String text = string(delta.get("text"));
                    if (text != null && !text.isEmpty()) out.token(text);
                } else if ("input_json_delta".equals(deltaType)) {
                    ToolUse use = toolUses.get(index(root));
                    String partial = string(delta.get("partial_json"));
                    if (use == null) {
                        throw LanguageModelException.protocol(AnthropicLanguageModel.ID, "input_json_delta for block " + index(root)
                                + ", which is not a tool_use block", requestId, null);
                    }
                    if (partial != null) use.json.append(partial);
                }
            }
            case "content_block_stop" -> {
                ToolUse use = toolUses.remove(index(root));
                if (use != null) emit(use, out, requestId);
            }
            case "message_delta" -> {
                usage(root.get("usage"));
                JsonNode delta = root.get("delta");
                String reason = delta == null ? null : string(delta.get("stop_reason"));
                if (reason != null) stopReason = reason;
            }
            case "message_stop" -> out.done(new LanguageModel.Usage(inputTokens, outputTokens));
            case "error" -> out.failed(LanguageModelException.streamError(AnthropicLanguageModel.ID, root, requestId));
            default -> { } // ping, and event types added later
        }
    }

    @Override
    public void onEnd(LanguageModel.Listener out, String requestId) throws LanguageModelException {
        throw LanguageModelException.connection(AnthropicLanguageModel.ID, "the stream ended before message_stop"
                + (stopReason != null ? " (stop_reason " + stopReason + ")" : ""), requestId, null);
    }

    private void emit(ToolUse use, LanguageModel.Listener out, String requestId) throws LanguageModelException {
        if (use.id == null || use.name == null) {
            throw LanguageModelException.protocol(AnthropicLanguageModel.ID, "a tool_use block without id or name", requestId, null);
        }
        String arguments = use.json.toString().strip();
        if (arguments.isEmpty()) {
            arguments = use.initialInput != null ? use.initialInput : "{}";
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(arguments);
        } catch (JacksonException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw LanguageModelException.protocol(AnthropicLanguageModel.ID, "the input of tool_use " + use.name + " is not a JSON object: "
                    + abbreviate(arguments), requestId, null);
        }
        out.toolCall(use.id, use.name, arguments);
    }

    private void usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        if (usage.has("input_tokens") || usage.has("cache_creation_input_tokens") || usage.has("cache_read_input_tokens")) {
            long input = number(usage.get("input_tokens")) + number(usage.get("cache_creation_input_tokens"))
                    + number(usage.get("cache_read_input_tokens"));
            if (input > 0) inputTokens = input;
        }
        if (usage.get("output_tokens") != null && usage.get("output_tokens").isNumber()) {
            outputTokens = usage.get("output_tokens").asLong();
        }
    }

    private static int index(JsonNode root) {
        JsonNode index = root.get("index");
        return index != null && index.isNumber() ? index.asInt() : 0;
    }

    private static long number(JsonNode node) {
        return node != null && node.isNumber() ? node.asLong() : 0;
    }

    private static String string(JsonNode node) {
        return node != null && node.isString() ? node.asString() : null;
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static final class ToolUse {
        final String id;
        final String name;
        final StringBuilder json = new StringBuilder();
        String initialInput;

        ToolUse(String id, String name) {
            this.id = id;
            this.name = name;
        }
    }
}
