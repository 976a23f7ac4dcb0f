package io.parley.platform.calls.runtime;

import io.parley.platform.tenancy.TenantId;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One event of the voice runtime's stream, checked: format v1 (voice-runtime/README.md, "Redis keys"),
 * fields {@code v}, {@code id}, {@code type}, {@code tenantId}, {@code callId}, {@code at}, {@code data}.
 *
 * @param reason why the call ended, for {@code call.ended}; else null
 * @param data   the event's data, a JSON object, as the runtime wrote it
 */
public record RuntimeEvent(UUID id, String type, TenantId tenant, UUID callId, Instant at, String reason, String data) {

    /** The largest {@code data} accepted, in characters: a long turn's text fits many times over. */
    static final int MAX_DATA_CHARS = 256 * 1024;
    static final int MAX_REASON_CHARS = 200;
    private static final Pattern TYPE = Pattern.compile("call\\.[a-z][a-z_]{0,62}");

    /** Why an event cannot be applied however often it is retried. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Checks the fields of one stream entry; throws {@link Invalid} saying which field is wrong. */
    static RuntimeEvent parse(Map<String, String> fields, JsonMapper json) throws Invalid {
        if (!"1".equals(fields.get("v"))) {
            throw new Invalid("unsupported format version: " + abbreviate(fields.get("v")));
        }
        UUID id = uuid(fields, "id");
        String type = required(fields, "type");
        if (!TYPE.matcher(type).matches()) {
            throw new Invalid("type is not call.<name>: " + abbreviate(type));
        }
        TenantId tenant = new TenantId(uuid(fields, "tenantId"));
        UUID callId = uuid(fields, "callId");
        Instant at;
        try {
            at = Instant.parse(required(fields, "at"));
        } catch (DateTimeParseException e) {
            throw new Invalid("at is not an ISO-8601 instant: " + abbreviate(fields.get("at")));
        }
        String data = required(fields, "data");
        if (data.length() > MAX_DATA_CHARS) {
            throw new Invalid("data is larger than " + MAX_DATA_CHARS + " characters");
        }
        JsonNode tree;
        try {
            tree = json.readTree(data);
        } catch (JacksonException e) {
            throw new Invalid("data is not JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new Invalid("data is not a JSON object");
        }
        if (holdsNul(tree)) {
            throw new Invalid("data holds a NUL character, which cannot be stored");
        }
        String reason = null;
        if ("call.ended".equals(type)) {
            JsonNode r = tree.get("reason");
            if (r == null || !r.isString() || r.asString().isBlank() || r.asString().length() > MAX_REASON_CHARS) {
                throw new Invalid("call.ended needs a reason of 1 to " + MAX_REASON_CHARS + " characters");
            }
            reason = r.asString();
        }
        return new RuntimeEvent(id, type, tenant, callId, at, reason, data);
    }

    private static boolean holdsNul(JsonNode node) {
        if (node.isString()) {
            return node.asString().indexOf('\u0000') >= 0;
        }
        for (var field : node.properties()) {
            if (field.getKey().indexOf('\u0000') >= 0 || holdsNul(field.getValue())) return true;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (holdsNul(element)) return true;
            }
        }
        return false;
    }

    private static String required(Map<String, String> fields, String name) throws Invalid {
        String value = fields.get(name);
        if (value == null || value.isBlank()) {
            throw new Invalid(name + " is missing");
        }
        return value;
    }

    private static UUID uuid(Map<String, String> fields, String name) throws Invalid {
        String value = required(fields, name);
        try {
            UUID parsed = UUID.fromString(value);
            if (!parsed.toString().equals(value.toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException();
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new Invalid(name + " is not a UUID: " + abbreviate(value));
        }
    }

    private static String abbreviate(String value) {
        if (value == null) return "(none)";
        return value.length() <= 60 ? value : value.substring(0, 60) + "…";
    }
}
