package io.parley.runtime.speech.openai;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.speech.SpeechToSpeech;
import java.util.Base64;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client events of OpenAI Realtime (GA) that a session sends, as JSON text. Every event but the
 * audio appends carries an {@code event_id}, so an {@code error} naming it can be traced back.
 */
final class RealtimeClientEvents {

    static final String AUDIO_FORMAT = "audio/pcmu";
    /** Where a reply's name travels, so {@code response.created} can be matched to it. */
    static final String REPLY_METADATA_KEY = "parley_reply";
    /** How {@link #say} asks the model to speak a line as it is written. */
    static final String SAY_INSTRUCTIONS = "Say exactly the following text, word for word, in the language it is written in, "
            + "and nothing else:\n";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RealtimeClientEvents() {}

    /**
     * Configures the session: μ-law both ways (no resampling on a phone line), the caller transcribed, and
     * the server's voice activity detection on but neither answering nor interrupting by itself — our
     * engine decides both, from the events it reports.
     */
    static String sessionUpdate(String eventId, SpeechToSpeech.SessionSettings settings, OpenAiRealtimeConfig config) {
        ObjectNode event = event("session.update", eventId);
        ObjectNode session = event.putObject("session");
        session.put("type", "realtime");
        session.putArray("output_modalities").add("audio");
        session.put("instructions", settings.instructions() == null ? "" : settings.instructions());
        ObjectNode audio = session.putObject("audio");
        ObjectNode input = audio.putObject("input");
        input.putObject("format").put("type", AUDIO_FORMAT);
        ObjectNode transcription = input.putObject("transcription");
        transcription.put("model", config.transcriptionModel());
        String language = isoLanguage(settings.language());
        if (language != null) transcription.put("language", language);
        ObjectNode turns = input.putObject("turn_detection");
        turns.put("type", "server_vad");
        turns.put("threshold", config.vadThreshold());
        turns.put("prefix_padding_ms", config.prefixPadding().toMillis());
        turns.put("silence_duration_ms", config.silenceDuration().toMillis());
        turns.put("create_response", false);
        turns.put("interrupt_response", false);
        ObjectNode output = audio.putObject("output");
        output.putObject("format").put("type", AUDIO_FORMAT);
        output.put("voice", settings.voice() == null || settings.voice().isBlank() ? config.voice() : settings.voice());
        var tools = session.putArray("tools");
        for (LanguageModel.Tool tool : settings.tools()) {
            ObjectNode function = tools.addObject();
            function.put("type", "function");
            function.put("name", tool.name());
            function.put("description", tool.description() == null ? "" : tool.description());
            function.set("parameters", parameters(tool.parametersJsonSchema()));
        }
        session.put("tool_choice", "auto");
        return write(event);
    }

    /** One message of an earlier conversation, as an item; null for what the session takes otherwise (system prompt). */
    static String historyItem(String eventId, LanguageModel.Message message) {
        ObjectNode event = event("conversation.item.create", eventId);
        ObjectNode item = event.putObject("item");
        if (message.isToolCall()) {
            item.put("type", "function_call");
            item.put("call_id", message.toolCallId());
            item.put("name", message.toolName());
            item.put("arguments", message.toolArguments() == null ? "{}" : message.toolArguments());
            return write(event);
        }
        switch (message.role()) {
            case "tool" -> {
                item.put("type", "function_call_output");
                item.put("call_id", message.toolCallId());
                item.put("output", message.content());
            }
            case "user", "assistant" -> {
                if (message.content() == null || message.content().isBlank()) return null;
                boolean user = message.role().equals("user");
                item.put("type", "message");
                item.put("role", message.role());
                item.putArray("content").addObject().put("type", user ? "input_text" : "output_text").put("text", message.content());
            }
            default -> {
                return null;
            }
        }
        return write(event);
    }

    static String appendAudio(byte[] ulaw) {
        ObjectNode event = event("input_audio_buffer.append", null);
        event.put("audio", Base64.getEncoder().encodeToString(ulaw));
        return write(event);
    }

    /** A reply from the conversation so far, named {@code replyId} in its metadata. */
    static String respond(String eventId, String replyId) {
        ObjectNode event = event("response.create", eventId);
        event.putObject("response").putObject("metadata").put(REPLY_METADATA_KEY, replyId);
        return write(event);
    }

    /** A reply that speaks {@code text} as written, without tools; it joins the conversation like any reply. */
    static String say(String eventId, String replyId, String text) {
        ObjectNode event = event("response.create", eventId);
        ObjectNode response = event.putObject("response");
        response.put("instructions", SAY_INSTRUCTIONS + text);
        response.put("tool_choice", "none");
        response.putObject("metadata").put(REPLY_METADATA_KEY, replyId);
        return write(event);
    }

    /** Cancels {@code responseId}, or (null) the response in progress. */
    static String cancel(String eventId, String responseId) {
        ObjectNode event = event("response.cancel", eventId);
        if (responseId != null) event.put("response_id", responseId);
        return write(event);
    }

    static String truncate(String eventId, String itemId, long audioEndMillis) {
        ObjectNode event = event("conversation.item.truncate", eventId);
        event.put("item_id", itemId);
        event.put("content_index", 0);
        event.put("audio_end_ms", audioEndMillis);
        return write(event);
    }

    static String functionCallOutput(String eventId, String callId, String output) {
        ObjectNode event = event("conversation.item.create", eventId);
        ObjectNode item = event.putObject("item");
        item.put("type", "function_call_output");
        item.put("call_id", callId);
        item.put("output", output == null ? "" : output);
        return write(event);
    }

    /** {@code en-US} to {@code en} (ISO-639-1, what transcription takes), or null. */
    static String isoLanguage(String bcp47) {
        if (bcp47 == null || bcp47.isBlank()) return null;
        String primary = bcp47.strip().split("[-_]", 2)[0].toLowerCase(Locale.ROOT);
        return primary.length() == 2 ? primary : null;
    }

    private static ObjectNode event(String type, String eventId) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", type);
        if (eventId != null) event.put("event_id", eventId);
        return event;
    }

    private static JsonNode parameters(String schema) {
        if (schema == null || schema.isBlank()) return JSON.createObjectNode().put("type", "object");
        try {
            return JSON.readTree(schema);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("a tool's parameters are not JSON: " + schema, e);
        }
    }

    private static String write(JsonNode node) {
        return JSON.writeValueAsString(node);
    }
}
