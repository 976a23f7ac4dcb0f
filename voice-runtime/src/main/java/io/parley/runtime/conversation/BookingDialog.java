package io.parley.runtime.conversation;

import io.parley.runtime.conversation.ScriptedBrain.Answer;
import io.parley.runtime.conversation.ScriptedBrain.Outcome;
import io.parley.runtime.conversation.ScriptedBrain.Phase;
import io.parley.runtime.conversation.ScriptedBrain.State;
import io.parley.runtime.conversation.ScriptedBrain.Step;
import io.parley.runtime.conversation.ScriptedBrain.ToolRequest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A scripted receptionist's booking, with the same tools a language model would call: the caller says a day and a
 * time ({@link SpokenTime}); the dialog checks it with {@code check_availability}, reads it back, and books it with
 * {@code book_appointment} once the caller says yes. A time that is not free gets the nearest free ones; a day alone
 * gets that day's first free times; a time another caller took in between gets an apology and the question again.
 * The platform decides what is free and refuses a double booking; this only talks.
 *
 * <pre>
 *   ASK --day and time--&gt; CHECKING --free--&gt; CONFIRM --yes--&gt; BOOKING --booked--&gt; the answer's next step
 *    ^                       |                   |                   |
 *    +----not free, no, taken in between, or the platform failed ---+
 * </pre>
 */
final class BookingDialog {

    static final String CHECK = "check_availability";
    static final String BOOK = "book_appointment";
    static final Set<String> TOOLS = Set.of(CHECK, BOOK);
    /** What a caller says to the time read back: yes, or no. */
    static final List<String> YES = List.of("yes", "yeah", "yep", "yes please", "sure", "okay", "correct", "that's right", "please do",
            "go ahead", "perfect");
    static final List<String> NO = List.of("no", "nope", "no thanks", "not", "another time", "different time");
    private static final int OFFERED = 3;
    /** Said while the diary is checked (the tool runs while it plays). */
    private static final String CHECKING = "One moment, let me check.";

    private final ScriptedBrain.Booking booking;
    private final String notUnderstood;
    private final JsonMapper json = JsonMapper.builder().build();

    BookingDialog(ScriptedBrain.Booking booking, String notUnderstood) {
        this.booking = booking;
        this.notUnderstood = notUnderstood;
    }

    /** What the caller says to a step that books. */
    Outcome answer(State state, String said, Instant at) {
        Step step = state.step();
        if (state.phase() == Phase.CONFIRM) {
            if (matches(said, NO)) {
                return new Outcome(ScriptedBrain.join("No problem.", step.prompt()), State.at(step));
            }
            if (matches(said, YES) && SpokenTime.parse(said, today(at)).isEmpty()) {
                LocalDateTime slot = state.day().atTime(state.time());
                return new Outcome("", new State(step, Phase.BOOKING, state.day(), state.time()), new ToolRequest(BOOK,
                        json.createObjectNode().put("start", slot.toString()).put("name", booking.name()).toString()));
            }
        }
        Optional<SpokenTime.Heard> heard = SpokenTime.parse(said, today(at));
        if (heard.isEmpty()) {
            String again = state.phase() == Phase.CONFIRM
                    ? "Shall I book " + SpokenTime.say(state.day().atTime(state.time())) + " for you?"
                    : step.prompt();
            return new Outcome(ScriptedBrain.join(notUnderstood, again), state);
        }
        LocalTime time = heard.get().time();
        LocalDate day = heard.get().date() != null ? heard.get().date() : state.day();
        if (time == null) {
            return new Outcome(CHECKING, new State(step, Phase.CHECKING, day, null), check(day));
        }
        if (day == null) {
            day = SpokenTime.dayFor(time, LocalDateTime.ofInstant(at, booking.zone()));
        }
        return new Outcome(CHECKING, new State(step, Phase.CHECKING, day, time), check(day));
    }

    /**
     * A result of one of the dialog's tools; null when the dialog is not waiting for it (the caller moved on while it ran,
     * or it is still pending).
     */
    Outcome result(State state, String tool, String resultJson, Map<String, Step> steps) {
        JsonNode result;
        try {
            result = json.readTree(resultJson);
        } catch (JacksonException e) {
            result = json.createObjectNode().put("error", "failed");
        }
        if ("pending".equals(result.path("status").asString(""))) return null;
        Step step = state.step();
        if (CHECK.equals(tool) && state.phase() == Phase.CHECKING) {
            if (result.has("error")) {
                return new Outcome(ScriptedBrain.join("Sorry, I can't see the diary just now.", step.prompt()), State.at(step));
            }
            LocalDate day = state.day();
            try {
                // the day the diary was asked about (the call's "tomorrow" is read again on every replay, at that replay's time)
                if (result.hasNonNull("date")) day = LocalDate.parse(result.get("date").asString(""));
            } catch (DateTimeParseException e) {
                // the day as the caller said it
            }
            List<LocalTime> free = new ArrayList<>();
            for (JsonNode slot : result.path("freeSlots")) {
                try {
                    LocalDateTime start = LocalDateTime.parse(slot.asString(""));
                    if (start.toLocalDate().equals(day)) free.add(start.toLocalTime());
                } catch (DateTimeParseException e) {
                    // not a slot: left out
                }
            }
            String onDay = SpokenTime.sayDay(day);
            if (free.isEmpty()) {
                return new Outcome(ScriptedBrain.join("Sorry, nothing is free on " + onDay + ".", step.prompt()), State.at(step));
            }
            if (state.time() == null) {
                return new Outcome("On " + onDay + " I have " + SpokenTime.sayTimes(free.subList(0, Math.min(OFFERED, free.size())))
                        + " free. Which time would suit you?", new State(step, Phase.ASK, day, null));
            }
            if (free.contains(state.time())) {
                return new Outcome(SpokenTime.say(day.atTime(state.time())) + " is free. Shall I book it for you?",
                        new State(step, Phase.CONFIRM, day, state.time()));
            }
            return new Outcome("Sorry, " + SpokenTime.sayTime(state.time()) + " is not free on " + onDay + ". I have "
                    + SpokenTime.sayTimes(nearest(free, state.time())) + " free. Which would suit you?", new State(step, Phase.ASK, day, null));
        }
        if (BOOK.equals(tool) && state.phase() == Phase.BOOKING) {
            String slot = SpokenTime.say(state.day().atTime(state.time()));
            if ("booked".equals(result.path("status").asString(""))) {
                Answer after = step.answers().getFirst();
                Step next = after.next() == null ? step : steps.get(after.next());
                String reply = after.reply().isEmpty() ? "You are booked for " + slot + "." : after.reply().replace("{answer}", slot)
                        .replaceAll("(?<!\\.)\\.\\.(?!\\.)", ".");   // "at 9 a.m.." after a reply's own full stop
                return new Outcome(ScriptedBrain.join(reply, next.prompt()), State.at(next));
            }
            String error = result.path("error").asString("");
            String why = "conflict".equals(error) || "slot_not_free".equals(error)
                    ? "Sorry, " + slot + " has just been taken."
                    : "Sorry, I couldn't make that booking just now.";
            return new Outcome(ScriptedBrain.join(why, step.prompt()), new State(step, Phase.ASK, state.day(), null));
        }
        return null;
    }

    private ToolRequest check(LocalDate day) {
        return new ToolRequest(CHECK, json.createObjectNode().put("date", day.toString()).toString());
    }

    private LocalDate today(Instant at) {
        return LocalDate.ofInstant(at, booking.zone());
    }

    /** The free times closest to the one asked for, in the order of the day. */
    private static List<LocalTime> nearest(List<LocalTime> free, LocalTime asked) {
        int asked_ = asked.toSecondOfDay();
        return free.stream().sorted(Comparator.comparingInt(t -> Math.abs(t.toSecondOfDay() - asked_))).limit(OFFERED)
                .sorted().toList();
    }

    private static boolean matches(String said, List<String> phrases) {
        List<String> words = Words.plainWords(said);
        return phrases.stream().map(Words::plainWords).anyMatch(p -> ScriptedBrain.containsPhrase(words, p));
    }
}
