package io.parley.runtime.conversation;

import static io.parley.runtime.conversation.FakeCall.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationCommand.CancelLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.CancelSynthesis;
import io.parley.runtime.conversation.ConversationCommand.ClearPlayback;
import io.parley.runtime.conversation.ConversationCommand.EndCall;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.Synthesize;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ConversationInput.CallerHungUp;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToolCalled;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallEndingTests {

    private static final String GREETING = "Ho ho ho! Merry Christmas!";
    private static final String RESTLESS = "The reindeer are getting restless, I have to fly soon.";
    private static final String FLY = "Off I go! Merry Christmas, and goodbye!";

    private static FakeCall greeted(ConversationSettings settings) {
        FakeCall call = new FakeCall(settings);
        call.start(0);
        assertThat(call.playOut(0, 500)).isEqualTo(500);
        return call;
    }

    @Test
    void silenceRepromptsThenSaysGoodbyeAndEndsOnceTheGoodbyeIsHeard() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));

        assertThat(call.engine.nextDeadline()).contains(at(8_500));
        assertThat(call.tick(8_499)).isEmpty();
        assertThat(call.tick(8_500)).containsExactly(new Synthesize("u2", "Are you still there?"));
        long heard = call.playOut(8_500, 1_000);
        assertThat(call.engine.state()).isEqualTo(ConversationState.LISTENING);

        assertThat(call.tick(heard + 8_000)).containsExactly(
                new Synthesize("u3", "I can't hear anything, so I'll let you go. Goodbye!"));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDING);
        call.audio(heard + 8_100, "u3", 2_000);
        call.ttsDone(heard + 8_100, "u3");
        assertThat(call.commands(EndCall.class)).isEmpty(); // not before the caller heard it

        assertThat(call.mark(heard + 10_100, "u3.0")).endsWith(new EndCall("silence_timeout"));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDED);
        assertThat(call.engine.nextDeadline()).isEmpty();
        assertThat(call.transcript()).extracting(TurnCompleted::text).containsExactly(
                GREETING, "Are you still there?", "I can't hear anything, so I'll let you go. Goodbye!");
    }

    @Test
    void speakingAfterARepromptStartsTheSilenceCountOver() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));
        call.tick(8_500);
        long t = call.playOut(8_500, 1_000);
        call.says(t + 1_000, t + 2_000, "Sorry, I am here");
        call.tick(t + 2_700);
        call.modelSays(t + 2_800, "Wonderful!");
        long u = call.playOut(t + 2_800, 500);

        assertThat(call.tick(u + 8_000)).containsExactly(new Synthesize("u4", "Are you still there?"));
    }

    @Test
    void theTimeWarningWaitsForAPauseThenTheGoodbyeEndsTheCall() {
        FakeCall call = greeted(ConversationSettings.builder().firstMessage(GREETING)
                .silenceTimeout(Duration.ofMinutes(2)).maxCallLength(Duration.ofSeconds(60)).maxCallLengthWarningBefore(Duration.ofSeconds(10))
                .maxCallLengthWarningLine(RESTLESS).maxCallLengthGoodbyeLine(FLY).build());
        call.says(45_000, 49_000, "Tell me about the reindeer");
        call.tick(49_700);
        call.modelSays(49_800, "Rudolph has a red nose.");

        assertThat(call.tick(50_000)).isEmpty(); // due, but the bot is answering
        call.audio(50_100, "u2", 1_500);
        call.ttsDone(50_100, "u2");
        assertThat(call.mark(51_600, "u2.0")).endsWith(new Synthesize("u3", RESTLESS)); // said at the first pause
        long warned = call.playOut(51_600, 2_000);
        assertThat(call.engine.state()).isEqualTo(ConversationState.LISTENING);

        assertThat(call.engine.nextDeadline()).contains(at(60_000));
        assertThat(call.tick(60_000)).containsExactly(new Synthesize("u4", FLY));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDING);
        long end = call.playOut(60_000, 2_000);

        assertThat(call.lastOf(EndCall.class)).isEqualTo(new EndCall("max_duration"));
        assertThat(call.commands(EndCall.class)).hasSize(1);
        assertThat(call.transcript()).extracting(TurnCompleted::text).endsWith(RESTLESS, FLY);
        assertThat(warned).isLessThan(end);
    }

    @Test
    void atTheTimeLimitTheCallerIsCutAndAnUnheardGoodbyeEndsTheCallAtTheHardLimit() {
        FakeCall call = greeted(ConversationSettings.builder().firstMessage(GREETING)
                .silenceTimeout(Duration.ofMinutes(2)).maxCallLength(Duration.ofSeconds(60)).maxCallLengthWarningBefore(Duration.ZERO)
                .maxCallLengthGoodbyeLine(FLY).goodbyeTimeout(Duration.ofSeconds(10)).build());
        call.voiceOn(59_000);
        call.interim(59_500, "and another thing");

        assertThat(call.tick(60_000)).containsExactly(
                new TurnCompleted(Speaker.CALLER, "and another thing", at(59_000), at(60_000), false),
                new Synthesize("u2", FLY));
        call.interim(60_500, "and another thing I want"); // ignored: the goodbye cannot be interrupted
        assertThat(call.commands(ClearPlayback.class)).isEmpty();

        assertThat(call.tick(69_999)).isEmpty();
        assertThat(call.tick(70_000)).containsExactly(new CancelSynthesis("u2"), new EndCall("max_duration"));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDED);
    }

    @Test
    void theEndCallToolEndsTheCallAfterTheGoodbyeIsHeard() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));
        call.says(1_000, 2_000, "I have to go to bed now");
        call.tick(2_700);
        call.token(2_800, "t1", "Sleep well, Timmy. ");
        call.token(2_810, "t1", "Merry Christmas!");
        call.send(new LanguageModelToolCalled(at(2_820), "t1", "call_9", "end_call", "{\"reason\": \"child_went_to_bed\"}"));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDING);
        call.modelDone(2_830, "t1");
        assertThat(call.commands(Synthesize.class)).extracting(Synthesize::text).endsWith("Sleep well, Timmy.", "Merry Christmas!");

        call.audio(2_900, "u2", 1_000);
        call.ttsDone(2_900, "u2");
        call.audio(2_950, "u3", 1_000);
        call.ttsDone(2_950, "u3");
        call.voiceOn(3_000);
        call.interim(3_100, "wait wait wait"); // no barge-in into a goodbye
        assertThat(call.tick(3_500)).isEmpty();
        assertThat(call.mark(3_900, "u2.0")).isEmpty();

        assertThat(call.mark(4_900, "u3.0")).containsExactly(
                new TurnCompleted(Speaker.BOT, "Sleep well, Timmy. Merry Christmas!", at(2_900), at(4_900), false),
                new EndCall("child_went_to_bed"));
        assertThat(call.engine.history()).extracting(ConversationMessage::toolName).endsWith("end_call", "end_call");
    }

    @Test
    void theEndCallToolWithoutWordsSaysTheGoodbyeLine() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));
        call.says(1_000, 2_000, "Stop calling me");
        call.tick(2_700);
        call.send(new LanguageModelToolCalled(at(2_800), "t1", "call_1", "end_call", "{}"));

        assertThat(call.modelDone(2_810, "t1")).containsExactly(new Synthesize("u2", "Goodbye!"));
        call.playOut(2_900, 800);
        assertThat(call.lastOf(EndCall.class)).isEqualTo(new EndCall("assistant_ended"));
    }

    @Test
    void aCallerGoodbyeEndsTheCallWithoutAskingTheModel() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));
        call.says(1_000, 1_600, "Okay, bye-bye!");

        assertThat(call.tick(2_300)).containsExactly(
                new TurnCompleted(Speaker.CALLER, "Okay, bye-bye!", at(1_000), at(1_600), false),
                new Synthesize("u2", "Goodbye!"));
        call.playOut(2_300, 800);

        assertThat(call.commands(StartLanguageModel.class)).isEmpty();
        assertThat(call.lastOf(EndCall.class)).isEqualTo(new EndCall("caller_goodbye"));
    }

    @Test
    void aGoodbyeInsideASentenceIsJustASentence() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));
        call.says(1_000, 2_000, "bye for now but first tell me a story");
        call.tick(2_700);

        assertThat(call.commands(StartLanguageModel.class)).hasSize(1);
        assertThat(call.engine.state()).isEqualTo(ConversationState.THINKING);
    }

    @Test
    void aHangUpMidReplyRecordsWhatWasHeardAndEndsExactlyOnce() {
        FakeCall call = greeted(ConversationSettings.defaults(GREETING));
        call.says(1_000, 2_000, "Tell me a story");
        call.tick(2_700);
        call.token(2_800, "t1", "Once upon a time there was an elf. He");
        call.audio(2_900, "u2", 2_000);
        call.ttsDone(2_900, "u2");
        call.mark(4_900, "u2.0");

        assertThat(call.send(new CallerHungUp(at(5_000)))).containsExactly(
                new CancelLanguageModel("t1"),
                new TurnCompleted(Speaker.BOT, "Once upon a time there was an elf.", at(2_900), at(5_000), true),
                new EndCall("caller_hung_up"));
        call.voiceOn(5_100);
        call.send(new CallerHungUp(at(5_200)));
        call.tick(100_000);

        assertThat(call.commands(EndCall.class)).hasSize(1);
        assertThat(call.engine.stats().ignoredInputs()).isEqualTo(2);
    }
}
