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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DtmfTests {

    private FakeCall call;

    @BeforeEach
    void listening() {
        call = new FakeCall(ConversationSettings.builder()
                .firstMessage("Press 1 for opening hours, or say what you need. Press 9 to stop these calls.")
                .optOutDigit("9").build());
        call.start(0);
        call.playOut(0, 500);
    }

    @Test
    void keysAreDeliveredAsOneTurnAfterTheInterDigitTimeout() {
        call.dtmf(1_000, "1");
        call.dtmf(1_300, "2");
        call.dtmf(1_600, "3");

        assertThat(call.engine.state()).isEqualTo(ConversationState.USER_SPEAKING);
        assertThat(call.tick(2_599)).isEmpty();
        assertThat(call.tick(2_600)).first().isEqualTo(new TurnCompleted(Speaker.CALLER, "[DTMF 123]", at(1_000), at(1_600), false));
        assertThat(call.lastOf(StartLanguageModel.class).messages().getLast()).isEqualTo(ConversationMessage.user("[DTMF 123]"));
    }

    @Test
    void hashDeliversAtOnce() {
        call.dtmf(1_000, "5");

        assertThat(call.dtmf(1_200, "#")).first().isEqualTo(new TurnCompleted(Speaker.CALLER, "[DTMF 5]", at(1_000), at(1_200), false));
    }

    @Test
    void aKeyInterruptsTheBot() {
        call.says(1_000, 2_000, "What are your opening hours?");
        call.tick(2_700);
        call.token(2_800, "t1", "We open at nine. And");
        call.audio(2_900, "u2", 1_000);

        assertThat(call.dtmf(3_000, "1")).containsExactly(
                new ClearPlayback(), new CancelSynthesis("u2"), new CancelLanguageModel("t1"));
        assertThat(call.engine.state()).isEqualTo(ConversationState.USER_SPEAKING);
    }

    @Test
    void theOptOutKeySaysTheOptOutLineAndEndsTheCall() {
        call.says(1_000, 2_000, "Who is this?");
        call.tick(2_700);
        call.token(2_800, "t1", "This is the clinic calling about your appointment. We");
        call.audio(2_900, "u2", 1_000);

        assertThat(call.dtmf(3_000, "9")).containsExactly(
                new ClearPlayback(),
                new CancelSynthesis("u2"),
                new CancelLanguageModel("t1"),
                new TurnCompleted(Speaker.CALLER, "[DTMF 9]", at(3_000), at(3_000), false),
                new Synthesize("u3", "Okay, we won't call you again. Goodbye."));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDING);
        call.dtmf(3_100, "1"); // ignored while ending
        call.playOut(3_200, 1_500);

        assertThat(call.lastOf(EndCall.class)).isEqualTo(new EndCall("opt_out"));
        assertThat(call.commands(StartLanguageModel.class)).hasSize(1);
    }
}
