package io.parley.runtime.tools;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.session.CallBootstrap;
import io.parley.sdk.RequestOptions;
import io.parley.sdk.model.Availability;
import io.parley.sdk.model.Booking;
import io.parley.sdk.model.CreateBookingRequest;
import io.parley.sdk.model.Slot;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A receptionist's booking tools, on the call's own persona (never one the model names):
 * <ul>
 *   <li>{@code check_availability}: the free slots of a day, in the business's local time
 *       ({@code GET /v1/personas/{id}/availability});</li>
 *   <li>{@code book_appointment}: books one of them for the caller
 *       ({@code POST /v1/personas/{id}/bookings}); the platform records the call's own callee and call, whatever
 *       the model sends; a time that is not a free slot is {@code slot_not_free} (with the free slots that day) and
 *       one another call took in the same instant {@code conflict}.</li>
 * </ul>
 * The model is told to read the booking back and book only once the caller confirms, and answers with what was
 * booked, to be read back again.
 */
final class BookingTools {

    static final String CHECK = "check_availability";
    static final String BOOK = "book_appointment";
    static final int MAX_NAME = 100;
    /** {@code book_appointment}'s error for a time that is not (or no longer) a free slot. */
    static final String SLOT_NOT_FREE = "slot_not_free";
    static final int MAX_NOTES = 500;

    private static final DateTimeFormatter SPOKEN = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy 'at' HH:mm", Locale.ENGLISH);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm", Locale.ENGLISH);

    private BookingTools() {}

    /** A tool on the call's own persona: available when the call has one. */
    private abstract static class OwnPersonaTool implements PlatformTool {
        @Override
        public boolean available(CallBootstrap call) {
            return call.persona() != null && call.persona().id() != null;
        }
    }

    static PlatformTool check(JsonMapper json) {
        return new OwnPersonaTool() {
            @Override
            public String name() {
                return CHECK;
            }

            @Override
            public LanguageModel.Tool definition(CallBootstrap call, Instant now) {
                ObjectNode schema = json.createObjectNode().put("type", "object");
                schema.putObject("properties").putObject("date").put("type", "string")
                        .put("description", "The day, as yyyy-MM-dd (e.g. 2026-05-04)");
                schema.putArray("required").add("date");
                schema.put("additionalProperties", false);
                return new LanguageModel.Tool(CHECK, "Look up the free appointment slots of a day, in the business's local time. "
                        + "Today is " + LocalDate.ofInstant(now, ScheduleCallback.zoneOf(call)) + ".", json.writeValueAsString(schema));
            }

            @Override
            public ObjectNode run(Run run, JsonNode arguments) {
                LocalDate date = date(arguments.get("date"));
                Availability free = run.platform().bookings().availability(run.call().persona().id(), date);
                ZoneId zone = ZoneId.of(free.getTimeZone());
                ObjectNode result = json.createObjectNode().put("date", date.toString()).put("timeZone", free.getTimeZone());
                ArrayNode slots = result.putArray("freeSlots");
                for (Slot slot : free.getSlots()) {
                    slots.add(LOCAL.format(slot.getStart().atZoneSameInstant(zone)));
                }
                if (free.getSlots().isEmpty()) {
                    result.put("note", "No free slot that day: offer another day.");
                }
                return result;
            }
        };
    }

    static PlatformTool book(JsonMapper json) {
        return new OwnPersonaTool() {
            @Override
            public String name() {
                return BOOK;
            }

            @Override
            public LanguageModel.Tool definition(CallBootstrap call, Instant now) {
                ObjectNode schema = json.createObjectNode().put("type", "object");
                ObjectNode properties = schema.putObject("properties");
                properties.putObject("start").put("type", "string")
                        .put("description", "The slot's start in the business's local time, as yyyy-MM-ddTHH:mm, one of check_availability's freeSlots");
                properties.putObject("name").put("type", "string").put("maxLength", MAX_NAME).put("description", "Who the appointment is for");
                properties.putObject("notes").put("type", "string").put("maxLength", MAX_NOTES).put("description", "Optional: what it is about");
                schema.putArray("required").add("start").add("name");
                schema.put("additionalProperties", false);
                return new LanguageModel.Tool(BOOK, "Book an appointment for this caller in a free slot. First read the day, time and name back "
                        + "to the caller and book only once they have said yes; then tell them what was booked.", json.writeValueAsString(schema));
            }

            @Override
            public ObjectNode run(Run run, JsonNode arguments) {
                LocalDateTime start = start(arguments.get("start"));
                String name = text(arguments.get("name"), "name", MAX_NAME, true);
                String notes = text(arguments.get("notes"), "notes", MAX_NOTES, false);
                // the business's zone (and whether the slot is one) comes from its availability that day
                Availability free = run.platform().bookings().availability(run.call().persona().id(), start.toLocalDate());
                ZoneId zone = ZoneId.of(free.getTimeZone());
                Slot slot = free.getSlots().stream().filter(s -> s.getStart().atZoneSameInstant(zone).toLocalDateTime().equals(start)).findFirst()
                        .orElse(null);
                if (slot == null) {
                    // taken since the caller heard it was free, or never a slot: nothing is booked, the free ones are offered
                    ObjectNode notFree = json.createObjectNode().put("error", SLOT_NOT_FREE)
                            .put("message", "start: " + LOCAL.format(start) + " is not a free slot; offer one of freeSlots");
                    ArrayNode slots = notFree.putArray("freeSlots");
                    free.getSlots().forEach(s -> slots.add(LOCAL.format(s.getStart().atZoneSameInstant(zone))));
                    return notFree;
                }
                Booking booking = run.platform().bookings().create(run.call().persona().id(),
                        new CreateBookingRequest().start(slot.getStart()).name(name).notes(notes),
                        RequestOptions.withIdempotencyKey(run.idempotencyKey()));
                return json.createObjectNode()
                        .put("status", "booked")
                        .put("bookingId", String.valueOf(booking.getId()))
                        .put("name", booking.getName())
                        .put("localTime", SPOKEN.format(booking.getStart().atZoneSameInstant(zone)) + " (" + zone.getId() + ")");
            }
        };
    }

    private static LocalDate date(JsonNode value) {
        if (value == null || !value.isString()) {
            throw new ToolArgumentException("date: required, as yyyy-MM-dd");
        }
        try {
            return LocalDate.parse(value.asString().strip());
        } catch (DateTimeParseException e) {
            throw new ToolArgumentException("date: not a date such as 2026-05-04: " + value.asString());
        }
    }

    private static LocalDateTime start(JsonNode value) {
        if (value == null || !value.isString()) {
            throw new ToolArgumentException("start: required, as yyyy-MM-ddTHH:mm");
        }
        try {
            return LocalDateTime.parse(value.asString().strip());
        } catch (DateTimeParseException e) {
            throw new ToolArgumentException("start: not a date and time such as 2026-05-04T09:30: " + value.asString());
        }
    }

    private static String text(JsonNode value, String field, int max, boolean required) {
        if (value == null || value.isNull()) {
            if (required) throw new ToolArgumentException(field + ": required");
            return null;
        }
        if (!value.isString()) {
            throw new ToolArgumentException(field + ": must be text");
        }
        String text = value.asString().strip();
        if (text.length() > max) {
            throw new ToolArgumentException(field + ": at most " + max + " characters");
        }
        if (required && text.isEmpty()) {
            throw new ToolArgumentException(field + ": required");
        }
        return text.isEmpty() ? null : text;
    }
}
