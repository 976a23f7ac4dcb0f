package io.parley.runtime.media.twilio;

import io.parley.runtime.media.twilio.TwilioProtocolException.Reason;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads Twilio's JSON text frames into {@link TwilioMessage}s and writes ours. Strict about what it
 * needs, tolerant of what it does not (extra fields are ignored, as Twilio may add some).
 */
public final class TwilioCodec {

    /** Largest text frame accepted: a 20 ms media frame is about 300 bytes; start with parameters a few KB. */
    public static final int MAX_FRAME_CHARS = 16 * 1024;
    /** Largest decoded media payload accepted (Twilio sends 160 bytes). */
    public static final int MAX_PAYLOAD_BYTES = 4 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private TwilioCodec() {}

    public static TwilioMessage read(String frame) {
        if (frame.length() > MAX_FRAME_CHARS) {
            throw new TwilioProtocolException(Reason.TOO_LARGE, "frame of " + frame.length() + " characters");
        }
        TwilioMessage.Media media = fastMedia(frame);
        return media != null ? media : readTree(frame);
    }

    /** The general reader: any event, and the reason when a frame is wrong. */
    static TwilioMessage readTree(String frame) {
        JsonNode root;
        try {
            root = JSON.readTree(frame);
        } catch (JacksonException e) {
            throw new TwilioProtocolException(Reason.NOT_JSON, "not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new TwilioProtocolException(Reason.NOT_JSON, "not a JSON object");
        }
        String event = text(root, "event");
        return switch (event) {
            case "connected" -> new TwilioMessage.Connected(optional(root, "protocol"), optional(root, "version"));
            case "start" -> start(root);
            case "media" -> media(root);
            case "dtmf" -> new TwilioMessage.Dtmf(sequence(root), text(root, "streamSid"), text(object(root, "dtmf"), "digit"));
            case "mark" -> new TwilioMessage.Mark(sequence(root), text(root, "streamSid"), text(object(root, "mark"), "name"));
            case "stop" -> new TwilioMessage.Stop(sequence(root), text(root, "streamSid"), optional(object(root, "stop"), "callSid"));
            default -> throw new TwilioProtocolException(Reason.UNKNOWN_EVENT, "unknown event");
        };
    }

    private static TwilioMessage.Start start(JsonNode root) {
        JsonNode start = object(root, "start");
        Map<String, String> parameters = new LinkedHashMap<>();
        JsonNode custom = start.get("customParameters");
        if (custom != null && custom.isObject()) {
            custom.properties().forEach(e -> {
                if (e.getValue().isString()) parameters.put(e.getKey(), e.getValue().asString());
            });
        }
        JsonNode format = start.get("mediaFormat");
        String encoding = format == null ? "audio/x-mulaw" : optional(format, "encoding");
        int rate = format == null || !format.has("sampleRate") ? 8000 : format.get("sampleRate").asInt();
        int channels = format == null || !format.has("channels") ? 1 : format.get("channels").asInt();
        String streamSid = root.has("streamSid") ? text(root, "streamSid") : text(start, "streamSid");
        return new TwilioMessage.Start(sequence(root), streamSid, optional(start, "accountSid"), text(start, "callSid"),
                Map.copyOf(parameters), encoding, rate, channels);
    }

    private static TwilioMessage.Media media(JsonNode root) {
        JsonNode media = object(root, "media");
        String payload = text(media, "payload");
        if (payload.length() > MAX_PAYLOAD_BYTES * 4 / 3 + 4) {
            throw new TwilioProtocolException(Reason.TOO_LARGE, "payload too large");
        }
        byte[] audio;
        try {
            audio = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new TwilioProtocolException(Reason.BAD_PAYLOAD, "payload is not base64");
        }
        return new TwilioMessage.Media(sequence(root), text(root, "streamSid"), optional(media, "track"),
                number(media, "chunk"), number(media, "timestamp"), audio);
    }

    /**
     * Reads a well-formed {@code media} frame (fifty a second per call, nearly all the traffic) with the
     * streaming parser, without building a tree. Anything else, or anything irregular about it, returns
     * {@code null} and goes through the tree reader, which names the problem.
     */
    private static TwilioMessage.Media fastMedia(String frame) {
        String event = null;
        String streamSid = null;
        String sequence = null;
        String track = null;
        String chunk = null;
        String timestamp = null;
        String payload = null;
        try (JsonParser parser = JSON.createParser(frame)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) return null;
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                if (token != JsonToken.PROPERTY_NAME) return null;
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "event" -> event = string(parser, value);
                    case "streamSid" -> streamSid = string(parser, value);
                    case "sequenceNumber" -> sequence = integer(parser, value);
                    case "media" -> {
                        if (value != JsonToken.START_OBJECT) return null;
                        for (JsonToken inner = parser.nextToken(); inner != JsonToken.END_OBJECT; inner = parser.nextToken()) {
                            if (inner != JsonToken.PROPERTY_NAME) return null;
                            String name = parser.currentName();
                            JsonToken v = parser.nextToken();
                            switch (name) {
                                case "track" -> track = string(parser, v);
                                case "chunk" -> chunk = integer(parser, v);
                                case "timestamp" -> timestamp = integer(parser, v);
                                case "payload" -> payload = string(parser, v);
                                default -> parser.skipChildren();
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) return null; // trailing content
        } catch (JacksonException | Irregular e) {
            return null;
        }
        if (!"media".equals(event) || streamSid == null || streamSid.isEmpty() || sequence == null || chunk == null
                || timestamp == null || payload == null || payload.isEmpty() || payload.length() > MAX_PAYLOAD_BYTES * 4 / 3 + 4) {
            return null;
        }
        try {
            return new TwilioMessage.Media(Long.parseLong(sequence), streamSid, track, Long.parseLong(chunk),
                    Long.parseLong(timestamp), Base64.getDecoder().decode(payload));
        } catch (IllegalArgumentException e) { // not a number, not base64
            return null;
        }
    }

    private static String string(JsonParser parser, JsonToken token) {
        if (token != JsonToken.VALUE_STRING) throw Irregular.INSTANCE;
        return parser.getString();
    }

    /** Twilio sends numbers as strings; either is fine. */
    private static String integer(JsonParser parser, JsonToken token) {
        if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NUMBER_INT) throw Irregular.INSTANCE;
        return parser.getString();
    }

    /** The fast path gives up: the tree reader takes the frame. Thrown often by bad input, so without a stack trace. */
    private static final class Irregular extends RuntimeException {
        static final Irregular INSTANCE = new Irregular();

        private Irregular() {
            super(null, null, false, false);
        }
    }

    /** Our audio for the caller: μ-law 8 kHz mono, no header. */
    public static String media(String streamSid, byte[] ulaw, int offset, int length) {
        byte[] slice = offset == 0 && length == ulaw.length ? ulaw : java.util.Arrays.copyOfRange(ulaw, offset, offset + length);
        return "{\"event\":\"media\",\"streamSid\":" + quote(streamSid) + ",\"media\":{\"payload\":\"" + BASE64.encodeToString(slice) + "\"}}";
    }

    /** A mark: Twilio echoes it when the caller has heard everything sent before it. */
    public static String mark(String streamSid, String name) {
        return "{\"event\":\"mark\",\"streamSid\":" + quote(streamSid) + ",\"mark\":{\"name\":" + quote(name) + "}}";
    }

    /** Empties Twilio's playback buffer: the barge-in primitive. */
    public static String clear(String streamSid) {
        return "{\"event\":\"clear\",\"streamSid\":" + quote(streamSid) + "}";
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s);
    }

    private static JsonNode object(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isObject()) {
            throw new TwilioProtocolException(Reason.MISSING_FIELD, "missing object " + field);
        }
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw new TwilioProtocolException(Reason.MISSING_FIELD, "missing " + field);
        }
        return value.asString();
    }

    private static String optional(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    /** Twilio sends numbers as strings ("sequenceNumber":"2"); accept either. */
    private static long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new TwilioProtocolException(Reason.MISSING_FIELD, "missing " + field);
        }
        try {
            return value.isNumber() ? value.asLong() : Long.parseLong(value.asString());
        } catch (NumberFormatException e) {
            throw new TwilioProtocolException(Reason.MISSING_FIELD, field + " is not a number");
        }
    }

    private static long sequence(JsonNode root) {
        return number(root, "sequenceNumber");
    }
}
