package io.parley.runtime.tools;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.session.CallBootstrap;
import io.parley.sdk.RequestOptions;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CreateCallRequest;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code schedule_callback}: the caller asks to be called back later ("call me tomorrow at six"). A new
 * call is placed, through {@code POST /v1/calls}, to the same callee with the same persona, variables and
 * time zone, at the time the model gives; the platform lets the call's credential call no one else.
 *
 * <p>Arguments: {@code at}, a date and time in the caller's time zone ({@code 2026-05-02T18:00}) or with
 * an offset, in the future and at most a year ahead; {@code reason}, optional, up to 200 characters, passed
 * to the new call as the variable {@code callback_reason}. Anything else the model sends (a number, a
 * tenant) is ignored.
 */
final class ScheduleCallback implements PlatformTool {

    static final String NAME = "schedule_callback";
    static final String REASON_VARIABLE = "callback_reason";
    static final int MAX_REASON = 200;
    /** What the API accepts (calls are booked at most a year ahead). */
    static final Duration MAX_AHEAD = Duration.ofDays(366);
    /** The API's limit on a call's variables. */
    static final int MAX_VARIABLES = 50;

    private static final DateTimeFormatter SPOKEN = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm (EEEE)", Locale.ENGLISH);

    private final JsonMapper json;

    ScheduleCallback(JsonMapper json) {
        this.json = json;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean available(CallBootstrap call) {
        return call.to() != null && !call.to().isBlank() && call.persona() != null && call.persona().id() != null;
    }

    @Override
    public LanguageModel.Tool definition(CallBootstrap call, Instant now) {
        ZoneId zone = zoneOf(call);
        String description = "Schedule a call back to this caller, by you, at the time they ask for (for example \"call me tomorrow at six\"). "
                + "Use it only once the caller has agreed to a time, and tell them the time it answers. The call goes to this caller's "
                + "number; no other number can be called. The caller's time zone is " + zone.getId() + ", where it is now "
                + LOCAL.format(now.atZone(zone)) + ".";
        ObjectNode schema = json.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("at").put("type", "string")
                .put("description", "When to call, in the caller's time zone, as yyyy-MM-ddTHH:mm (e.g. 2026-05-02T18:00)");
        properties.putObject("reason").put("type", "string").put("maxLength", MAX_REASON)
                .put("description", "Optional: what the call back is about, in a few words");
        schema.putArray("required").add("at");
        schema.put("additionalProperties", false);
        return new LanguageModel.Tool(NAME, description, json.writeValueAsString(schema));
    }

    @Override
    public ObjectNode run(Run run, JsonNode arguments) {
        CallBootstrap call = run.call();
        ZoneId zone = zoneOf(call);
        ZonedDateTime at = when(arguments.get("at"), zone, run.now());
        String reason = reason(arguments.get("reason"));

        Map<String, Object> variables = new LinkedHashMap<>(call.variables() == null ? Map.of() : call.variables());
        if (reason != null && (variables.size() < MAX_VARIABLES || variables.containsKey(REASON_VARIABLE))) {
            variables.put(REASON_VARIABLE, reason);
        }
        CreateCallRequest request = new CreateCallRequest()
                .personaId(call.persona().id())
                .to(call.to())
                .scheduledAt(at.toOffsetDateTime())
                .timeZone(call.timeZone())
                .variables(variables);
        Call created = run.platform().calls().create(request, RequestOptions.withIdempotencyKey(run.idempotencyKey()));

        ZonedDateTime scheduled = created.getScheduledAt().atZoneSameInstant(zone);
        return json.createObjectNode()
                .put("status", "scheduled")
                .put("callId", String.valueOf(created.getId()))
                .put("scheduledAt", scheduled.toOffsetDateTime().toString())
                .put("localTime", SPOKEN.format(scheduled) + " (" + zone.getId() + ")");
    }

    /** The caller's time zone, else UTC (times given with an offset mean what they say either way). */
    static ZoneId zoneOf(CallBootstrap call) {
        try {
            return call.timeZone() == null || call.timeZone().isBlank() ? ZoneOffset.UTC : ZoneId.of(call.timeZone());
        } catch (DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }

    private static ZonedDateTime when(JsonNode value, ZoneId zone, Instant now) {
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new ToolArgumentException("at: required, a date and time such as 2026-05-02T18:00");
        }
        ZonedDateTime at;
        try {
            TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(value.asString().strip(),
                    ZonedDateTime::from, OffsetDateTime::from, LocalDateTime::from);
            at = switch (parsed) {
                case ZonedDateTime z -> z.withZoneSameInstant(zone);
                case OffsetDateTime o -> o.atZoneSameInstant(zone);
                case LocalDateTime l -> l.atZone(zone);
                default -> throw new DateTimeException("unexpected " + parsed);
            };
        } catch (DateTimeParseException e) {
            throw new ToolArgumentException("at: not a date and time such as 2026-05-02T18:00: " + value.asString());
        }
        at = at.truncatedTo(ChronoUnit.SECONDS);
        if (!at.toInstant().isAfter(now)) {
            throw new ToolArgumentException("at: " + LOCAL.format(at) + " is not in the future; it is now " + LOCAL.format(now.atZone(zone))
                    + " in " + zone.getId());
        }
        if (at.toInstant().isAfter(now.plus(MAX_AHEAD))) {
            throw new ToolArgumentException("at: more than a year ahead");
        }
        return at;
    }

    private static String reason(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw new ToolArgumentException("reason: must be text");
        }
        String reason = value.asString().strip();
        if (reason.length() > MAX_REASON) {
            throw new ToolArgumentException("reason: at most " + MAX_REASON + " characters");
        }
        return reason.isEmpty() ? null : reason;
    }
}
