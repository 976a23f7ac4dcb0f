package io.parley.runtime.conversation;

import static io.parley.runtime.conversation.FakeCall.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.parley.runtime.conversation.ConversationCommand.EndCall;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToken;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToolCalled;
import io.parley.runtime.conversation.ScriptedBrain.Answer;
import io.parley.runtime.conversation.ScriptedBrain.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptedBrainTests {

    private static final ScriptedBrain SANTA = new ScriptedBrain(
            "Ho ho ho! This is Santa Claus calling from the North Pole.",
            List.of(
                    new Step("name", "What's your name?", List.of(
                            Answer.anything("{answer}, what a lovely name!", "confirm"))),
                    new Step("confirm", "Did I get that right?", List.of(
                            Answer.when(List.of("yes", "yeah", "yep", "right", "correct"), "Wonderful!", "wishes"),
                            Answer.when(List.of("no", "nope", "wrong"), "Oh dear, my old ears!", "name"))),
                    new Step("wishes", "What would you like for Christmas this year?", List.of(
                            Answer.anything("{answer}! I'll tell the elves.", "goodbye"))),
                    new Step("goodbye", "Be good, and Merry Christmas! Goodbye!", List.of())));

    /** The caller says something; once committed the brain answers and the fake TTS/playback speak it. */
    private static long callerSays(FakeCall call, long t, String text) {
        call.says(t + 500, t + 1_500, text);
        call.tick(t + 2_200);
        assertThat(call.answerWith(SANTA, t + 2_300)).isTrue();
        return call.playOut(t + 2_300, 500);
    }

    @Test
    void walksTheSantaScriptThroughTheEngineIncludingAnUnexpectedAnswer() {
        FakeCall call = new FakeCall(ConversationSettings.defaults(SANTA.firstMessage()));
        call.start(0);
        long t = call.playOut(0, 500);

        t = callerSays(call, t, "My name is Tim.");
        assertThat(SANTA.currentStep(call.engine.history())).isEqualTo("confirm");
        t = callerSays(call, t, "banana");
        assertThat(SANTA.currentStep(call.engine.history())).isEqualTo("confirm");
        t = callerSays(call, t, "Yes!");
        t = callerSays(call, t, "I want a red bike.");

        assertThat(call.transcript()).extracting(TurnCompleted::speaker, TurnCompleted::text).containsExactly(
                tuple(Speaker.BOT, "Ho ho ho! This is Santa Claus calling from the North Pole. What's your name?"),
                tuple(Speaker.CALLER, "My name is Tim."),
                tuple(Speaker.BOT, "Tim, what a lovely name! Did I get that right?"),
                tuple(Speaker.CALLER, "banana"),
                tuple(Speaker.BOT, "Sorry, I didn't quite catch that. Did I get that right?"),
                tuple(Speaker.CALLER, "Yes!"),
                tuple(Speaker.BOT, "Wonderful! What would you like for Christmas this year?"),
                tuple(Speaker.CALLER, "I want a red bike."),
                tuple(Speaker.BOT, "A red bike! I'll tell the elves. Be good, and Merry Christmas! Goodbye!"));
        assertThat(call.commands(EndCall.class)).containsExactly(new EndCall(ScriptedBrain.SCRIPT_COMPLETED));
        assertThat(call.engine.state()).isEqualTo(ConversationState.ENDED);
        assertThat(call.engine.stats().ignoredInputs()).isZero();
    }

    @Test
    void answersLikeAStreamingModelWouldAndEndsWithEndCallOnTheLastStep() {
        StartLanguageModel request = new StartLanguageModel("t7", List.of(
                ConversationMessage.assistant(SANTA.firstMessage(), null),
                ConversationMessage.user("It's Tim"),
                ConversationMessage.assistant("Tim, what a lovely name! Did I get that right?", "t1"),
                ConversationMessage.user("yep"),
                ConversationMessage.assistant("Wonderful! What would you like for Christmas?", "t2"),
                ConversationMessage.user("a puppy please")));

        List<ConversationInput> inputs = SANTA.respond(request, at(5_000));

        assertThat(inputs.stream().filter(LanguageModelToken.class::isInstance).map(i -> ((LanguageModelToken) i).text())
                .reduce("", String::concat)).isEqualTo("A puppy please! I'll tell the elves. Be good, and Merry Christmas! Goodbye!");
        assertThat(inputs.get(inputs.size() - 2)).isEqualTo(new LanguageModelToolCalled(at(5_000), "t7", "t7-end",
                "end_call", "{\"reason\":\"script_completed\"}"));
        assertThat(inputs.getLast()).isEqualTo(new LanguageModelCompleted(at(5_000), "t7"));
    }

    @Test
    void noGoesBackToTheNameStepAndTheStepIsRecomputedFromAnyHistory() {
        List<ConversationMessage> history = List.of(
                ConversationMessage.user("I'm Tom"),
                ConversationMessage.user("no, it's Tim")); // merged turns, or a restored call: the history is all it needs

        assertThat(SANTA.currentStep(history)).isEqualTo("name");
        assertThat(SANTA.currentStep(List.of())).isEqualTo("name");
        List<ConversationInput> inputs = SANTA.respond(new StartLanguageModel("t3", history), at(0));
        assertThat(inputs.stream().filter(LanguageModelToken.class::isInstance).map(i -> ((LanguageModelToken) i).text())
                .reduce("", String::concat)).isEqualTo("Oh dear, my old ears! What's your name?");
    }

    @Test
    void keyPressesMatchDigitKeywords() {
        ScriptedBrain menu = new ScriptedBrain("", List.of(
                new Step("menu", "Press 1 for hours or 2 for the address.", List.of(
                        Answer.when(List.of("1", "hours"), "We open at nine.", "end"),
                        Answer.when(List.of("2", "address"), "We are at 1 Main Street.", "end"))),
                new Step("end", "Goodbye!", List.of())));

        List<ConversationInput> inputs = menu.respond(new StartLanguageModel("t1", List.of(ConversationMessage.user("[DTMF 2]"))), at(0));

        assertThat(inputs.stream().filter(LanguageModelToken.class::isInstance).map(i -> ((LanguageModelToken) i).text())
                .reduce("", String::concat)).isEqualTo("We are at 1 Main Street. Goodbye!");
    }

    @Test
    void rejectsAScriptThatLeadsNowhere() {
        assertThatThrownBy(() -> new ScriptedBrain("Hi", List.of(new Step("a", "?", List.of(Answer.anything("ok", "b"))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown step b");
    }
}
