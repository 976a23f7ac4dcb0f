package io.parley.runtime.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.runtime.conversation.ConversationCommand.EndCall;
import io.parley.runtime.conversation.ConversationCommand.ExecuteTool;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ScriptedBrain.Answer;
import io.parley.runtime.conversation.ScriptedBrain.Step;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The scripted receptionist books through the engine, with the tools a model would call, against a diary that
 * answers as the platform does: free slots of a day, a booking, or a conflict when the slot went in between.
 * The call is on 24 December 2025 at 17:00 in London ({@link FakeCall#T0}).
 */
class BookingDialogTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ScriptedBrain RECEPTIONIST = new ScriptedBrain("Bright Smile Dental, good evening.", List.of(
            new Step("need", "How can I help?", List.of(
                    Answer.when(List.of("appointment", "book"), "I can help with that.", "when"),
                    Answer.anything("I will pass that on.", "goodbye"))),
            new Step("when", "What day and time would suit you?", List.of(
                    Answer.anything("You are booked for {answer}.", "goodbye")), ScriptedBrain.BOOK_APPOINTMENT),
            new Step("goodbye", "Thank you for calling. Goodbye!", List.of())),
            new ScriptedBrain.Booking(ZoneId.of("Europe/London"), "Ada Lovelace"));

    /** The platform's diary: half-hour slots 9:00 to 12:00 on 25 and 26 December, some taken. */
    private static class Diary implements Function<ExecuteTool, String> {
        final Set<LocalDateTime> taken = new HashSet<>();
        final Set<LocalDateTime> takenByOthersBeforeBooking = new HashSet<>();
        final List<JsonNode> bookings = new ArrayList<>();

        @Override
        public String apply(ExecuteTool tool) {
            JsonNode args = JSON.readTree(tool.argumentsJson());
            if (tool.name().equals("check_availability")) {
                String date = args.get("date").asString();
                TreeSet<String> free = new TreeSet<>();
                for (int minutes = 9 * 60; minutes < 12 * 60; minutes += 30) {
                    LocalDateTime slot = LocalDateTime.parse(date + "T00:00").plusMinutes(minutes);
                    if (!taken.contains(slot) && (date.equals("2025-12-25") || date.equals("2025-12-26"))) free.add(slot.toString());
                }
                var result = JSON.createObjectNode().put("date", date).put("timeZone", "Europe/London");
                free.forEach(result.putArray("freeSlots")::add);
                return result.toString();
            }
            LocalDateTime start = LocalDateTime.parse(args.get("start").asString());
            if (taken.contains(start)) {   // as the tool finds it, checking the day again before it books
                return "{\"error\":\"slot_not_free\",\"message\":\"not a free slot\",\"freeSlots\":[]}";
            }
            if (takenByOthersBeforeBooking.contains(start)) {   // another call booked it in the same instant
                return "{\"error\":\"conflict\",\"message\":\"The slot is taken\",\"status\":409}";
            }
            taken.add(start);
            bookings.add(args);
            return "{\"status\":\"booked\",\"bookingId\":\"b1\",\"name\":\"Ada Lovelace\"}";
        }
    }

    /** The caller says a line; the brain answers, its tools run against the diary, and the bot's lines play out. */
    private static long callerSays(FakeCall call, long t, String text, Diary diary) {
        call.says(t + 500, t + 1_500, text);
        call.tick(t + 3_200);   // a turn ending in a number ("at ten") waits the longer silence
        long at = t + 3_300;
        int toolsSeen = call.commands(ExecuteTool.class).size();
        boolean progress = true;
        while (progress) {
            progress = call.answerWith(RECEPTIONIST, at);
            List<ExecuteTool> tools = call.commands(ExecuteTool.class);
            for (ExecuteTool tool : tools.subList(toolsSeen, tools.size())) {
                call.send(new ConversationInput.ToolResultReceived(FakeCall.at(at), tool.toolCallId(), diary.apply(tool)));
                progress = true;
            }
            toolsSeen = tools.size();
            at += 100;
        }
        return call.playOut(at, 500);
    }

    private static FakeCall call() {
        FakeCall call = new FakeCall(ConversationSettings.defaults(RECEPTIONIST.firstMessage()));
        call.start(0);
        return call;
    }

    private static List<String> bot(FakeCall call) {
        return call.transcript().stream().filter(t -> t.speaker() == Speaker.BOT).map(TurnCompleted::text).toList();
    }

    @Test
    void checksReadsBackAndBooksTheTimeTheCallerSaysOnceTheyAgree() {
        Diary diary = new Diary();
        FakeCall call = call();
        long t = call.playOut(0, 500);
        t = callerSays(call, t, "I'd like to book an appointment", diary);
        assertThat(RECEPTIONIST.currentStep(call.engine.history())).isEqualTo("when");
        t = callerSays(call, t, "tomorrow at ten", diary);
        assertThat(RECEPTIONIST.currentStep(call.engine.history())).isEqualTo("when" + ScriptedBrain.CONFIRMING);
        assertThat(diary.bookings).as("nothing is booked before the caller agrees").isEmpty();
        callerSays(call, t, "yes please", diary);

        assertThat(bot(call)).containsExactly(
                "Bright Smile Dental, good evening. How can I help?",
                "I can help with that. What day and time would suit you?",
                "One moment, let me check. Thursday 25 December at 10 a.m. is free. Shall I book it for you?",
                "You are booked for Thursday 25 December at 10 a.m. Thank you for calling. Goodbye!");
        assertThat(diary.bookings).singleElement().satisfies(b -> {
            assertThat(b.get("start").asString()).isEqualTo("2025-12-25T10:00");
            assertThat(b.get("name").asString()).isEqualTo("Ada Lovelace");
        });
        assertThat(call.commands(ExecuteTool.class)).extracting(ExecuteTool::name).containsExactly("check_availability", "book_appointment");
        assertThat(call.commands(EndCall.class)).containsExactly(new EndCall(ScriptedBrain.SCRIPT_COMPLETED));
    }

    @Test
    void aTakenTimeGetsTheNearestFreeOnesAndTheDayIsRemembered() {
        Diary diary = new Diary();
        diary.taken.add(LocalDateTime.parse("2025-12-25T10:00"));
        diary.taken.add(LocalDateTime.parse("2025-12-25T10:30"));
        FakeCall call = call();
        long t = call.playOut(0, 500);
        t = callerSays(call, t, "book an appointment", diary);
        t = callerSays(call, t, "tomorrow at ten", diary);
        t = callerSays(call, t, "eleven thirty", diary);   // tomorrow still: the day was said once
        t = callerSays(call, t, "no", diary);
        t = callerSays(call, t, "friday", diary);
        t = callerSays(call, t, "nine", diary);
        callerSays(call, t, "yes", diary);

        assertThat(bot(call).subList(2, bot(call).size())).containsExactly(
                "One moment, let me check. Sorry, 10 a.m. is not free on Thursday 25 December. "
                        + "I have 9 a.m., 9:30 a.m. and 11 a.m. free. Which would suit you?",
                "One moment, let me check. Thursday 25 December at 11:30 a.m. is free. Shall I book it for you?",
                "No problem. What day and time would suit you?",
                "One moment, let me check. On Friday 26 December I have 9 a.m., 9:30 a.m. and 10 a.m. free. Which time would suit you?",
                "One moment, let me check. Friday 26 December at 9 a.m. is free. Shall I book it for you?",
                "You are booked for Friday 26 December at 9 a.m. Thank you for calling. Goodbye!");
        assertThat(diary.bookings).extracting(b -> b.get("start").asString()).containsExactly("2025-12-26T09:00");
    }

    @Test
    void aTimeTakenWhileTheCallerDecidedIsApologisedForAndAskedAgain() {
        Diary diary = new Diary();
        diary.takenByOthersBeforeBooking.add(LocalDateTime.parse("2025-12-25T10:00"));
        FakeCall call = call();
        long t = call.playOut(0, 500);
        t = callerSays(call, t, "appointment", diary);
        t = callerSays(call, t, "tomorrow at ten", diary);
        t = callerSays(call, t, "yes", diary);
        assertThat(bot(call).getLast()).isEqualTo("Sorry, Thursday 25 December at 10 a.m. has just been taken. What day and time would suit you?");
        assertThat(RECEPTIONIST.currentStep(call.engine.history())).isEqualTo("when");
        callerSays(call, t, "banana", diary);
        assertThat(bot(call).getLast()).isEqualTo("Sorry, I didn't quite catch that. What day and time would suit you?");
        assertThat(diary.bookings).isEmpty();
        assertThat(call.commands(EndCall.class)).isEmpty();
    }

    @Test
    void aTimeBookedByAnotherCallerSinceItWasReadBackIsApologisedFor() {
        Diary diary = new Diary();
        FakeCall call = call();
        long t = call.playOut(0, 500);
        t = callerSays(call, t, "appointment", diary);
        t = callerSays(call, t, "tomorrow at ten", diary);
        diary.taken.add(LocalDateTime.parse("2025-12-25T10:00"));   // another caller, between the read-back and the yes
        callerSays(call, t, "yes", diary);
        assertThat(bot(call).getLast()).isEqualTo("Sorry, Thursday 25 December at 10 a.m. has just been taken. What day and time would suit you?");
        assertThat(diary.bookings).isEmpty();
    }

    @Test
    void aDiaryThatCannotBeReachedIsSaidAndTheQuestionAskedAgain() {
        FakeCall call = call();
        long t = call.playOut(0, 500);
        Diary down = new Diary() {
            @Override
            public String apply(ExecuteTool tool) {
                return "{\"error\":\"timeout\",\"message\":\"The platform did not answer\"}";
            }
        };
        t = callerSays(call, t, "appointment", down);
        callerSays(call, t, "tomorrow at ten", down);
        assertThat(bot(call).getLast()).isEqualTo("One moment, let me check. Sorry, I can't see the diary just now. "
                + "What day and time would suit you?");
    }

    @Test
    void aScriptThatBooksNeedsItsZoneAndAnAnswerToFollowTheBooking() {
        List<Step> steps = List.of(new Step("when", "When?", List.of(Answer.anything("Booked.", "bye")), ScriptedBrain.BOOK_APPOINTMENT),
                new Step("bye", "Bye!", List.of()));
        assertThatThrownBy(() -> new ScriptedBrain("Hi.", steps)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("time zone");
        assertThatThrownBy(() -> new Step("when", "When?", List.of(), ScriptedBrain.BOOK_APPOINTMENT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Step("when", "When?", List.of(Answer.anything("", "bye")), "transfer"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(ScriptedBrain.YES_OR_NO).contains("yes", "no").doesNotHaveDuplicates();
        assertThat(ScriptedBrain.YES_OR_NO.stream().collect(Collectors.toSet())).hasSameSizeAs(ScriptedBrain.YES_OR_NO);
    }
}
