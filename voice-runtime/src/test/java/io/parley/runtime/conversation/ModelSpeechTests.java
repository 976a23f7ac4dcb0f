package io.parley.runtime.conversation;

import static io.parley.runtime.conversation.FakeCall.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationCommand.CancelLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.CancelSynthesis;
import io.parley.runtime.conversation.ConversationCommand.ClearPlayback;
import io.parley.runtime.conversation.ConversationCommand.PausePlayback;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.Synthesize;
import io.parley.runtime.conversation.ConversationCommand.TruncateModelSpeech;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelAudio;
import io.parley.runtime.conversation.ConversationInput.LanguageModelFailed;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToolCalled;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A model that speaks for itself (a speech-to-speech model): its turns play its own audio, with its
 * transcript as the words, and a cut reply tells the model how much was heard. Turn-taking, barge-in,
 * backchannels and lines work as for every other persona.
 */
class ModelSpeechTests {

    private static final String GREETING = "Ho ho ho!";

    private FakeCall call;

    /** The greeting has been said and heard; the caller asked something; the model is asked to answer. */
    @BeforeEach
    void callerAsked() {
        call = new FakeCall(ConversationSettings.builder().firstMessage(GREETING).modelSpeaks(true).build());
        call.start(0);
        assertThat(call.last).containsExactly(new Synthesize("u1", GREETING)); // lines are still said on request
        call.playOut(0, 500);
        call.says(1_000, 2_000, "Will I get a bike?");
        call.tick(2_700);
        assertThat(call.last).hasSize(2).last().isEqualTo(new StartLanguageModel("t1", List.of(
                ConversationMessage.assistant(GREETING, null), ConversationMessage.user("Will I get a bike?"))));
    }

    private List<ConversationCommand> modelAudio(long ms, String turnId, long durationMs) {
        return call.send(new LanguageModelAudio(at(ms), turnId, new byte[(int) durationMs * 8], Duration.ofMillis(durationMs)));
    }

    @Test
    void aTurnPlaysTheModelsOwnAudioAndItsTranscriptIsWhatWasSaid() {
        call.token(3_000, "t1", "I am sure ");
        assertThat(call.texts(modelAudio(3_000, "t1", 700))).containsExactly("PlayAudio[u2, 5600 bytes, 700 ms, u2.0]");
        call.token(3_100, "t1", "you will love it.");
        modelAudio(3_100, "t1", 700);
        call.modelDone(3_200, "t1");
        call.mark(3_700, "u2.0");
        List<ConversationCommand> end = call.mark(4_400, "u2.1");

        assertThat(call.commands(Synthesize.class)).as("no synthesis for the model's turns").hasSize(1);
        assertThat(end).containsExactly(new TurnCompleted(Speaker.BOT, "I am sure you will love it.", at(3_000), at(4_400), false));
        assertThat(call.engine.history().getLast()).isEqualTo(ConversationMessage.assistant("I am sure you will love it.", "t1"));
        assertThat(call.commands(TruncateModelSpeech.class)).as("heard in full: nothing to forget").isEmpty();
        assertThat(call.engine.state()).isEqualTo(ConversationState.LISTENING);
    }

    @Test
    void bargingInCancelsTheReplyAndTruncatesItAtTheAudioHeard() {
        call.token(3_000, "t1", "I am sure you will love it.");
        for (int i = 0; i < 4; i++) modelAudio(3_000 + i * 10, "t1", 700);
        call.mark(3_700, "u2.0");
        call.mark(4_400, "u2.1"); // 1.4 s of 2.8 s heard so far
        call.voiceOn(4_500);

        List<ConversationCommand> cut = call.tick(4_750);

        assertThat(cut).containsExactly(
                new PausePlayback(), // the bot fell silent 80 ms into the voice
                new ClearPlayback(),
                new CancelLanguageModel("t1"),
                new TruncateModelSpeech("t1", Duration.ofMillis(1_400)),
                new TurnCompleted(Speaker.BOT, "I am sure you", at(3_000), at(4_750), true)); // half the audio: half the 7 words
        assertThat(call.engine.history().getLast()).isEqualTo(ConversationMessage.assistant("I am sure you", "t1"));
        assertThat(modelAudio(4_800, "t1", 700)).as("audio of the cancelled turn").isEmpty();
        assertThat(call.engine.stats().droppedAudioChunks()).isEqualTo(1);
        assertThat(call.engine.state()).isEqualTo(ConversationState.USER_SPEAKING);
    }

    @Test
    void aReplyCutAfterTheModelFinishedIsTruncatedWithoutCancellingIt() {
        call.token(3_000, "t1", "Santa has many gifts.");
        modelAudio(3_000, "t1", 700);
        modelAudio(3_000, "t1", 700);
        call.modelDone(3_050, "t1"); // the model is faster than playback: it is done, its audio is not
        call.mark(3_700, "u2.0");
        call.voiceOn(3_800);

        List<ConversationCommand> cut = call.tick(4_050);

        assertThat(cut).containsExactly(
                new PausePlayback(), // the bot fell silent 80 ms into the voice
                new ClearPlayback(),
                new TruncateModelSpeech("t1", Duration.ofMillis(700)),
                new TurnCompleted(Speaker.BOT, "Santa has", at(3_000), at(4_050), true));
    }

    @Test
    void anInterruptedLineIsCancelledAndTruncatedByItsUtteranceId() {
        call.token(3_000, "t1", "Yes.");
        modelAudio(3_000, "t1", 500);
        call.modelDone(3_000, "t1");
        call.mark(3_500, "u2.0"); // heard: listening again
        List<ConversationCommand> reprompt = call.tick(11_500);
        assertThat(reprompt).containsExactly(new Synthesize("u3", "Are you still there?"));
        call.audio(11_600, "u3", 500);
        call.audio(11_600, "u3", 500);
        call.mark(12_100, "u3.0");
        call.voiceOn(12_200);

        List<ConversationCommand> cut = call.tick(12_450);

        assertThat(cut).containsExactly(
                new PausePlayback(), // the bot fell silent 80 ms into the voice
                new ClearPlayback(),
                new CancelSynthesis("u3"),
                new TruncateModelSpeech("u3", Duration.ofMillis(500)),
                // still being said, so 4 words are taken to last 1.4 s: 0.5 s heard is 1 word
                new TurnCompleted(Speaker.BOT, "Are", at(11_600), at(12_450), true));
    }

    @Test
    void aShortBackchannelOverTheModelNeitherInterruptsNorBecomesATurn() {
        call.token(3_000, "t1", "I am sure you will love it.");
        modelAudio(3_000, "t1", 700);
        modelAudio(3_000, "t1", 700);
        call.modelDone(3_000, "t1");
        call.voiceOn(3_300);
        call.voiceOff(3_500); // 200 ms of voice, then its transcript
        call.fin(3_900, "uh-huh");
        call.mark(3_700, "u2.0");
        List<ConversationCommand> end = call.mark(4_400, "u2.1");

        assertThat(call.commands(ClearPlayback.class)).isEmpty();
        assertThat(call.commands(TruncateModelSpeech.class)).isEmpty();
        assertThat(end).containsExactly(new TurnCompleted(Speaker.BOT, "I am sure you will love it.", at(3_000), at(4_400), false));
        assertThat(call.transcript()).extracting(TurnCompleted::text).doesNotContain("uh-huh");
        assertThat(call.engine.stats().backchannels()).isEqualTo(1);
    }

    @Test
    void endCallWithoutAWordSaysTheGoodbyeLineThenEnds() {
        call.send(new LanguageModelToolCalled(at(3_000), "t1", "call_1", ConversationEngine.END_CALL_TOOL, "{\"reason\":\"done\"}"));
        List<ConversationCommand> done = call.modelDone(3_000, "t1");

        assertThat(done).containsExactly(new Synthesize("u3", "Goodbye!"));
        call.playOut(3_000, 400);
        assertThat(call.lastOf(ConversationCommand.EndCall.class).reason()).isEqualTo("done");
    }

    @Test
    void aModelThatFailsBeforeSayingAnythingIsCoveredByTheErrorLine() {
        List<ConversationCommand> failed = call.send(new LanguageModelFailed(at(3_000), "t1", "socket dropped"));

        assertThat(failed).containsExactly(new Synthesize("u3", "Sorry, I missed that. Could you say it again?"));
        assertThat(call.engine.stats().languageModelFailures()).isEqualTo(1);
    }

    @Test
    void aSnapshotTakenMidReplyCarriesOnWithTheModelsAudio() {
        call.token(3_000, "t1", "I am sure ");
        modelAudio(3_000, "t1", 700);
        call.mark(3_700, "u2.0");
        FakeCall.FakeClock clock = new FakeCall.FakeClock();
        clock.now = at(3_700);
        call = new FakeCall(ConversationEngine.restore(call.engine.settings(), call.engine.snapshot(), clock), clock);

        call.token(3_800, "t1", "you will love it.");
        assertThat(call.texts(modelAudio(3_800, "t1", 700))).containsExactly("PlayAudio[u2, 5600 bytes, 700 ms, u2.1]");
        call.modelDone(3_900, "t1");
        List<ConversationCommand> end = call.mark(4_500, "u2.1");

        assertThat(end).containsExactly(new TurnCompleted(Speaker.BOT, "I am sure you will love it.", at(3_000), at(4_500), false));
    }
}
