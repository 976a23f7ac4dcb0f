package io.parley.runtime.conversation;

import static io.parley.runtime.conversation.FakeCall.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EndpointingTests {

    private FakeCall call;

    /** Greeting played and heard by 500 ms: the engine listens from then on. */
    @BeforeEach
    void listening() {
        call = new FakeCall(ConversationSettings.defaults("Hello, this is the Riverside Clinic. How can I help?"));
        call.start(0);
        assertThat(call.playOut(0, 500)).isEqualTo(500);
        assertThat(call.engine.state()).isEqualTo(ConversationState.LISTENING);
    }

    @Test
    void aFinishedSentenceIsCommittedAfterTheNormalSilence() {
        call.says(1_000, 2_000, "I would like to book an appointment");

        assertThat(call.engine.nextDeadline()).contains(at(2_700));
        assertThat(call.tick(2_699)).isEmpty();
        assertThat(call.tick(2_700)).first().isEqualTo(
                new TurnCompleted(Speaker.CALLER, "I would like to book an appointment", at(1_000), at(2_000), false));
        assertThat(call.engine.state()).isEqualTo(ConversationState.THINKING);
    }

    @Test
    void aPhoneNumberSplitByPausesIsNotCut() {
        call.voiceOn(1_000);
        call.interim(1_400, "my number is");
        call.interim(1_900, "my number is 0 7 7");
        call.fin(2_300, "my number is 0 7 7 0 0");
        call.voiceOff(2_400);
        call.endOfUtterance(2_500); // the STT's hint: ignored, the number is not finished

        assertThat(call.engine.nextDeadline()).contains(at(2_400 + 1_500));
        assertThat(call.tick(3_100)).isEmpty(); // 700 ms: would cut a sentence, not a number
        assertThat(call.tick(3_300)).isEmpty(); // 900 ms pause

        call.voiceOn(3_300);
        call.interim(3_600, "9 0 0");
        call.fin(4_200, "9 0 0 1 2 3");
        call.voiceOff(4_300);

        assertThat(call.tick(5_000)).isEmpty();
        assertThat(call.tick(5_799)).isEmpty();
        assertThat(call.tick(5_800)).first().isEqualTo(
                new TurnCompleted(Speaker.CALLER, "my number is 0 7 7 0 0 9 0 0 1 2 3", at(1_000), at(4_300), false));
        assertThat(call.commands(StartLanguageModel.class)).hasSize(1);
        assertThat(call.lastOf(StartLanguageModel.class).messages().getLast())
                .isEqualTo(ConversationMessage.user("my number is 0 7 7 0 0 9 0 0 1 2 3"));
    }

    @Test
    void numberWordsAndDatesInProgressWaitTheExtendedSilence() {
        call.says(1_000, 2_000, "it's five five");
        assertThat(call.tick(2_700)).isEmpty();
        call.says(3_000, 3_800, "five one two");
        assertThat(call.tick(4_500)).isEmpty();
        call.says(4_900, 5_500, "for the twenty");
        assertThat(call.tick(6_300)).isEmpty();
        call.says(6_400, 7_000, "third of March");

        assertThat(call.tick(7_700)).first().isEqualTo(new TurnCompleted(Speaker.CALLER,
                "it's five five five one two for the twenty third of March", at(1_000), at(7_000), false));
    }

    @Test
    void aSpelledNameIsNotCutBetweenLetters() {
        call.says(1_000, 2_000, "my name is Smith, S M I");
        assertThat(call.tick(2_700)).isEmpty();
        assertThat(call.tick(3_000)).isEmpty();
        call.says(3_000, 3_600, "T H");

        assertThat(call.tick(5_099)).isEmpty(); // "T H" could go on
        assertThat(call.tick(5_100)).first().extracting(c -> ((TurnCompleted) c).text()).isEqualTo("my name is Smith, S M I T H");
    }

    @Test
    void aTrailingConjunctionOrFillerWaitsTheExtendedSilence() {
        call.says(1_000, 2_000, "I need to reschedule and");
        assertThat(call.tick(2_700)).isEmpty();
        call.says(3_200, 4_000, "um");
        assertThat(call.tick(4_700)).isEmpty();
        call.says(5_000, 6_000, "cancel the other appointment");

        assertThat(call.tick(6_700)).first().extracting(c -> ((TurnCompleted) c).text())
                .isEqualTo("I need to reschedule and um cancel the other appointment");
    }

    @Test
    void theSttEndOfUtteranceHintCommitsAFinishedSentenceAtOnce() {
        call.voiceOn(1_000);
        call.fin(1_900, "What time do you open tomorrow?");

        assertThat(call.endOfUtterance(2_100)).first().isEqualTo(
                new TurnCompleted(Speaker.CALLER, "What time do you open tomorrow?", at(1_000), at(2_100), false));
    }

    @Test
    void theInterimIsUsedWhenTheFinalIsLateAndTheLateFinalIsDropped() {
        call.voiceOn(1_000);
        call.interim(1_500, "book a table by the window");
        call.voiceOff(1_800);

        assertThat(call.tick(2_500)).first().extracting(c -> ((TurnCompleted) c).text()).isEqualTo("book a table by the window");
        assertThat(call.fin(2_700, "Book a table by the window.")).isEmpty(); // the tail of the committed turn, not a barge-in

        assertThat(call.engine.state()).isEqualTo(ConversationState.THINKING);
        assertThat(call.engine.stats().lateTranscripts()).isEqualTo(1);
        assertThat(call.transcript()).filteredOn(t -> t.speaker() == Speaker.CALLER).hasSize(1);
    }

    @Test
    void wordsArrivingAfterTheVoiceStoppedRestartTheSilence() {
        call.voiceOn(1_000);
        call.interim(1_400, "I'd like");
        call.voiceOff(1_600);
        call.fin(2_000, "I'd like a refund please"); // more words than the interim had, 400 ms after the voice stopped

        assertThat(call.engine.nextDeadline()).contains(at(2_700));
    }

    @Test
    void voiceWithoutWordsIsNotATurnAndDoesNotResetTheSilenceTimer() {
        call.voiceOn(1_000);
        call.voiceOff(1_300); // a cough

        assertThat(call.tick(2_000)).isEmpty();
        assertThat(call.engine.state()).isEqualTo(ConversationState.LISTENING);
        assertThat(call.engine.nextDeadline()).contains(at(500 + 8_000));
        assertThat(call.commands(StartLanguageModel.class)).isEmpty();
    }
}
