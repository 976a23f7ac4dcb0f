package io.parley.runtime.llm.openai;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.LanguageModelException;
import io.parley.runtime.llm.sse.SseEvent;
import io.parley.runtime.llm.sse.SseGeneration;
import java.util.TreeMap;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a chat-completions stream: {@code data: {chunk}} events ending with {@code data: [DONE]}.
 *
 * <ul>
 *   <li>{@code choices[0].delta.content} → a token, at once;</li>
 *   <li>{@code choices[0].delta.tool_calls[]} fragments are accumulated by {@code index} ({@code id} and
 *       {@code function.name} kept from the first fragment that has them, {@code function.arguments}
 *       concatenated) and each call is reported once, in index order, at the first {@code finish_reason}
 *       (whatever its value: Ollama says {@code stop}) or else at {@code [DONE]};</li>
 *   <li>{@code usage} (the extra chunk {@code stream_options.include_usage} asks for, {@code choices: []}),
 *       or Groq's {@code x_groq.usage} → the usage given to {@code done} (zeros if the server sent none);</li>
 *   <li>{@code data: {"error": ...}} → failed; reasoning deltas ({@code reasoning_content}, {@code reasoning})
 *       are not spoken and are ignored; a {@code refusal} delta is spoken like content.</li>
 * </ul>
 * The body ending without {@code [DONE]} fails the call, unless a {@code finish_reason} had already come
 * (some servers omit {@code [DONE]}).
 */
final class OpenAiStreamDecoder implements SseGeneration.Decoder {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String provider;
    private final TreeMap<Integer, ToolCall> toolCalls = new TreeMap<>();
    private int nextUnindexed = 1_000;
    private boolean finished;
    private long inputTokens;
    private long outputTokens;

    OpenAiStreamDecoder(String provider) {
        this.provider = provider;
    }

    @Override
    public void onEvent(SseEvent event, LanguageModel.Listener out, String requestId) throws LanguageModelException {
        String data = event.data().strip();
        if (data.isEmpty()) {
            return;
        }
        if (data.equals("[DONE]")) {
            complete(out, requestId);
            return;
        }
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (JacksonException e) {
            throw LanguageModelException.protocol(provider, "a stream event is not JSON: " + abbreviate(data), requestId, e);
        }
        if (chunk == null || !chunk.isObject()) {
            throw LanguageModelException.protocol(provider, "a stream event is not a JSON object: " + abbreviate(data), requestId, null);
        }
        JsonNode error = chunk.get("error");
        if (error != null && !error.isNull()) {
            out.failed(LanguageModelException.streamError(provider, chunk, requestId));
            return;
        }
        usage(chunk.get("usage"));
        JsonNode groq = chunk.get("x_groq");
        if (groq != null && groq.isObject()) {
            usage(groq.get("usage"));
        }
        JsonNode choices = chunk.get("choices");
        if (choices == null || !choices.isArray()) {
            return;
        }
        for (JsonNode choice : choices) {
            JsonNode index = choice.get("index");
            if (index != null && index.isNumber() && index.asInt() != 0) {
                continue; // only one choice is asked for
            }
            JsonNode delta = choice.get("delta");
            if (delta != null && delta.isObject()) {
                String content = string(delta.get("content"));
                if (content != null && !content.isEmpty()) {
                    out.token(content);
                }
                String refusal = string(delta.get("refusal"));
                if (refusal != null && !refusal.isEmpty()) {
                    out.token(refusal);
                }
                JsonNode calls = delta.get("tool_calls");
                if (calls != null && calls.isArray()) {
                    for (JsonNode call : calls) {
                        accumulate(call);
                    }
                }
            }
            JsonNode finishReason = choice.get("finish_reason");
            if (finishReason != null && !finishReason.isNull()) {
                finished = true;
                emitToolCalls(out, requestId);
            }
        }
    }

    @Override
    public void onEnd(LanguageModel.Listener out, String requestId) throws LanguageModelException {
        if (!finished) {
            throw LanguageModelException.connection(provider, "the stream ended before [DONE]", requestId, null);
        }
        complete(out, requestId);
    }

    private void complete(LanguageModel.Listener out, String requestId) throws LanguageModelException {
        emitToolCalls(out, requestId);
        out.done(new LanguageModel.Usage(inputTokens, outputTokens));
    }

    private void accumulate(JsonNode fragment) {
        JsonNode index = fragment.get("index");
        int slot;
        if (index != null && index.isNumber()) {
            slot = index.asInt();
        } else if (fragment.hasNonNull("id") || toolCalls.isEmpty()) {
            slot = nextUnindexed++; // a server that sends whole calls without an index
        } else {
            slot = toolCalls.lastKey();
        }
        ToolCall call = toolCalls.computeIfAbsent(slot, k -> new ToolCall());
        String id = string(fragment.get("id"));
        if (call.id == null && id != null && !id.isEmpty()) {
            call.id = id;
        }
        JsonNode function = fragment.get("function");
        if (function != null && function.isObject()) {
            String name = string(function.get("name"));
            if (call.name == null && name != null && !name.isEmpty()) {
                call.name = name;
            }
            JsonNode arguments = function.get("arguments");
            if (arguments != null && arguments.isString()) {
                call.arguments.append(arguments.asString());
            } else if (arguments != null && arguments.isObject()) {
                call.arguments.append(arguments); // a server that sends the object itself
            }
        }
    }

    private void emitToolCalls(LanguageModel.Listener out, String requestId) throws LanguageModelException {
        for (ToolCall call : toolCalls.values()) {
            if (call.emitted) {
                continue;
            }
            call.emitted = true;
            if (call.name == null) {
                throw LanguageModelException.protocol(provider, "a tool call without a function name", requestId, null);
            }
            String arguments = call.arguments.toString().strip();
            if (arguments.isEmpty()) {
                arguments = "{}";
            }
            JsonNode parsed;
            try {
                parsed = JSON.readTree(arguments);
            } catch (JacksonException e) {
                parsed = null;
            }
            if (parsed == null || !parsed.isObject()) {
                throw LanguageModelException.protocol(provider, "the arguments of tool call " + call.name + " are not a JSON object: "
                        + abbreviate(arguments), requestId, null);
            }
            out.toolCall(call.id != null ? call.id : "call_" + UUID.randomUUID().toString().replace("-", ""), call.name, arguments);
        }
    }

    private void usage(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return;
        }
        JsonNode prompt = usage.get("prompt_tokens");
        JsonNode completion = usage.get("completion_tokens");
        if (prompt != null && prompt.isNumber()) inputTokens = prompt.asLong();
        if (completion != null && completion.isNumber()) outputTokens = completion.asLong();
    }

    private static String string(JsonNode node) {
        return node != null && node.isString() ? node.asString() : null;
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static final class ToolCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
        boolean emitted;
    }
}
