package io.parley.runtime.conversation;

import static io.parley.runtime.conversation.FakeCall.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationCommand.CancelLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.CancelSynthesis;
import io.parley.runtime.conversation.ConversationCommand.ClearPlayback;
import io.parley.runtime.conversation.ConversationCommand.PausePlayback;
import io.parley.runtime.conversation.ConversationCommand.ResumePlayback;
import io.parley.runtime.conversation.ConversationCommand.PlayAudio;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BargeInTests {

    private static final String GREETING = "Ho ho ho! Who do we have here?";

    private FakeCall call;
    private long t;

    /**
     * The bot is mid-reply: "I am sure you will love it." is playing (first second heard, second second
     * sent), "Santa has many gifts." is synthesised and waiting, and the model is still writing.
     */
    @BeforeEach
    void botSpeaking() {
        call = new FakeCall(ConversationSettings.defaults(GREETING));
        call.start(0);
        call.playOut(0, 500);
        call.says(1_000, 2_000, "Will I get a bike?");
        call.tick(2_700);
        t = 3_000;
        call.token(t, "t1", "I am sure you will love it. ");
        call.token(t, "t1", "Santa has many gifts. ");
        call.token(t, "t1", "The elves");
        call.audio(t + 100, "u2", 1_000);
        call.audio(t + 100, "u3", 1_000); // waits behind u2
        call.audio(t + 200, "u2", 1_000);
        call.mark(t + 1_100, "u2.0");
        assertThat(call.engine.state()).isEqualTo(ConversationState.SPEAKING);
    }

    private List<ConversationCommand> afterIndex(int index) {
        return call.all.subList(index, call.all.size());
    }

    @Test
    void sustainedVoiceInterruptsWithClearThenCancelsInOrder() {
        call.voiceOn(t + 1_200);
        assertThat(call.tick(t + 1_279)).isEmpty();
        assertThat(call.tick(t + 1_280)).containsExactly(new PausePlayback()); // the bot falls silent at once
        assertThat(call.tick(t + 1_449)).isEmpty();

        List<ConversationCommand> cut = call.tick(t + 1_450);

        assertThat(cut).containsExactly(
                new ClearPlayback(),
                new CancelSynthesis("u2"),
                new CancelSynthesis("u3"),
                new CancelLanguageModel("t1"),
                // 1 s of an unfinished 7-word sentence (estimated 2.45 s) heard: 3 words
                new TurnCompleted(Speaker.BOT, "I am sure", at(t + 100), at(t + 1_450), true));
        assertThat(call.engine.state()).isEqualTo(ConversationState.USER_SPEAKING);
        assertThat(call.engine.stats().bargeIns()).isEqualTo(1);
    }

    @Test
    void lateAudioTokensAndMarksOfTheCancelledReplyAreDropped() {
        call.voiceOn(t + 1_200);
        call.tick(t + 1_450);
        int decision = call.all.size();

        call.audio(t + 1_500, "u2", 1_000);
        call.audio(t + 1_510, "u3", 1_000);
        call.ttsDone(t + 1_520, "u2");
        call.token(t + 1_530, "t1", " are busy. And");
        call.modelDone(t + 1_540, "t1");
        call.mark(t + 1_550, "u2.1"); // echoed by clear

        assertThat(afterIndex(decision)).filteredOn(PlayAudio.class::isInstance).isEmpty();
        assertThat(afterIndex(decision)).isEmpty();
        ConversationStats stats = call.engine.stats();
        assertThat(stats.droppedAudioChunks()).isEqualTo(2);
        assertThat(stats.staleSynthesisEvents()).isEqualTo(1);
        assertThat(stats.staleLanguageModelEvents()).isEqualTo(2);
        assertThat(stats.staleMarks()).isEqualTo(1);

        call.interim(t + 1_600, "what about a doll");
        call.voiceOff(t + 1_900);
        call.tick(t + 2_600);
        assertThat(call.lastOf(StartLanguageModel.class).messages()).endsWith(
                ConversationMessage.user("Will I get a bike?"),
                ConversationMessage.assistant("I am sure", "t1"),
                ConversationMessage.user("what about a doll"));
    }

    @Test
    void twoRealWordsInterruptAtOnce() {
        List<ConversationCommand> cut = call.interim(t + 1_150, "no wait");

        assertThat(cut).extracting(c -> c.getClass().getSimpleName()).containsExactly(
                "ClearPlayback", "CancelSynthesis", "CancelSynthesis", "CancelLanguageModel", "TurnCompleted");
        assertThat(call.engine.state()).isEqualTo(ConversationState.USER_SPEAKING);

        call.fin(t + 1_400, "no wait, I want a train");
        call.voiceOff(t + 1_500); // voice on was never reported: transcripts alone drive the turn
        assertThat(call.tick(t + 2_200)).first().extracting(c -> ((TurnCompleted) c).text()).isEqualTo("no wait, I want a train");
    }

    @Test
    void aShortBlipDoesNotInterrupt() {
        call.voiceOn(t + 1_200);
        call.voiceOff(t + 1_400);

        assertThat(call.tick(t + 1_800)).isEmpty();
        assertThat(call.engine.state()).isEqualTo(ConversationState.SPEAKING);
    }

    @Test
    void theBotFallsSilentForABlipAndCarriesOnWhenItStops() {
        call.voiceOn(t + 1_200);
        assertThat(call.tick(t + 1_280)).containsExactly(new PausePlayback());
        assertThat(call.voiceOff(t + 1_400)).containsExactly(new ResumePlayback());

        assertThat(call.engine.state()).isEqualTo(ConversationState.SPEAKING);
        assertThat(call.engine.stats().yields()).isEqualTo(1);
        assertThat(call.engine.stats().bargeIns()).isZero();
        call.modelSays(t + 1_500, " are busy.");
        call.playOut(t + 1_500, 1_000);
        assertThat(call.lastOf(TurnCompleted.class).interrupted()).isFalse();
    }

    @Test
    void aYieldThatNeverResolvesResumesAfterMaxYield() {
        call.voiceOn(t + 1_200);
        call.interim(t + 1_250, "mm-hmm"); // a backchannel before the yield: the bot keeps talking
        assertThat(call.tick(t + 1_700)).isEmpty();
        call.voiceOff(t + 1_900);
        call.voiceOn(t + 2_000);
        List<ConversationCommand> paused = call.tick(t + 2_080);
        assertThat(paused).containsExactly(new PausePlayback());
        call.interim(t + 2_100, "uh-huh"); // voice that never stops and is only a backchannel: no barge-in, no resume

        assertThat(call.tick(t + 2_080 + ConversationEngine.MAX_YIELD.toMillis() - 1)).isEmpty();
        assertThat(call.tick(t + 2_080 + ConversationEngine.MAX_YIELD.toMillis())).containsExactly(new ResumePlayback());
        assertThat(call.engine.state()).isEqualTo(ConversationState.SPEAKING);
    }

    @Test
    void withoutYieldTheBotTalksOnUntilTheBargeIn() {
        FakeCall plain = new FakeCall(ConversationSettings.builder().firstMessage(GREETING).bargeInYield(Duration.ZERO).build());
        plain.start(0);
        plain.playOut(0, 500);
        plain.says(1_000, 2_000, "Will I get a bike?");
        plain.tick(2_700);
        plain.token(3_000, "t1", "I am sure you will love it. ");
        plain.audio(3_100, "u2", 1_000);

        plain.voiceOn(3_200);
        assertThat(plain.tick(3_449)).isEmpty();
        assertThat(plain.tick(3_450)).first().isEqualTo(new ClearPlayback());
        assertThat(plain.commands(PausePlayback.class)).isEmpty();
    }

    @Test
    void aBackchannelWhileSpeakingDoesNotInterruptAndIsNotATurn() {
        call.voiceOn(t + 1_200);
        call.interim(t + 1_350, "uh-huh");
        assertThat(call.tick(t + 1_700)).isEmpty(); // voice longer than 250 ms, but only a backchannel
        call.voiceOff(t + 1_750);
        call.fin(t + 1_800, "Uh-huh.");
        call.voiceOn(t + 2_000);
        call.interim(t + 2_100, "mm-hmm, right");
        call.voiceOff(t + 2_400);

        call.modelSays(t + 2_500, " are busy.");
        call.playOut(t + 2_500, 1_000);

        assertThat(call.commands(ClearPlayback.class)).isEmpty();
        // the bot paused for each stretch of voice and carried on when it stopped
        assertThat(call.commands(PausePlayback.class)).hasSize(2);
        assertThat(call.commands(ResumePlayback.class)).hasSize(2);
        assertThat(call.lastOf(TurnCompleted.class)).isEqualTo(new TurnCompleted(Speaker.BOT,
                "I am sure you will love it. Santa has many gifts. The elves are busy.", at(t + 100), call.lastOf(TurnCompleted.class).endedAt(), false));
        assertThat(call.transcript()).filteredOn(turn -> turn.speaker() == Speaker.CALLER).hasSize(1); // only the question
        assertThat(call.commands(StartLanguageModel.class)).hasSize(1);
        assertThat(call.engine.state()).isEqualTo(ConversationState.LISTENING);
        assertThat(call.engine.stats().backchannels()).isEqualTo(2);
    }

    @Test
    void aBackchannelFollowedByRealWordsInterrupts() {
        call.voiceOn(t + 1_200);
        call.interim(t + 1_300, "yeah");
        assertThat(call.tick(t + 1_600)).isEmpty();
        List<ConversationCommand> cut = call.interim(t + 1_700, "yeah but what about");

        assertThat(cut).first().isEqualTo(new ClearPlayback());
        assertThat(call.engine.state()).isEqualTo(ConversationState.USER_SPEAKING);
    }

    @Test
    void interruptingWhileTheModelThinksMergesTheCallersWords() {
        FakeCall thinking = new FakeCall(ConversationSettings.defaults(GREETING));
        thinking.start(0);
        thinking.playOut(0, 500);
        thinking.says(1_000, 2_000, "I want to book");
        thinking.tick(2_700);
        assertThat(thinking.engine.state()).isEqualTo(ConversationState.THINKING);

        thinking.voiceOn(2_800);
        assertThat(thinking.tick(3_050)).containsExactly(new PausePlayback(), new ClearPlayback(), new CancelLanguageModel("t1"));
        thinking.fin(3_500, "a table for two");
        thinking.voiceOff(3_600);
        assertThat(thinking.tick(4_300)).isEmpty(); // "two" may be the start of a number: the extended silence applies
        thinking.tick(5_100);

        assertThat(thinking.lastOf(StartLanguageModel.class)).isEqualTo(new StartLanguageModel("t2", List.of(
                ConversationMessage.assistant(GREETING, null), ConversationMessage.user("I want to book a table for two"))));
        assertThat(thinking.transcript()).filteredOn(turn -> turn.speaker() == Speaker.CALLER)
                .extracting(TurnCompleted::text).containsExactly("I want to book", "a table for two");
    }

    @Test
    void theGreetingIsNotInterruptedByDefaultAndWhatTheCallerSaidIsAnsweredAfterwards() {
        FakeCall greeting = new FakeCall(ConversationSettings.defaults(GREETING));
        greeting.start(0);
        greeting.audio(100, "u1", 3_000);
        greeting.ttsDone(100, "u1");
        greeting.voiceOn(500);
        greeting.interim(900, "Hello? Who is this?");
        greeting.voiceOff(1_200);
        greeting.fin(1_300, "Hello? Who is this?");
        assertThat(greeting.tick(2_000)).isEmpty();

        List<ConversationCommand> afterGreeting = greeting.mark(3_100, "u1.0");

        assertThat(afterGreeting).containsExactly(
                new TurnCompleted(Speaker.BOT, GREETING, at(100), at(3_100), false),
                new TurnCompleted(Speaker.CALLER, "Hello? Who is this?", at(500), at(1_200), false),
                new StartLanguageModel("t1", List.of(ConversationMessage.assistant(GREETING, null), ConversationMessage.user("Hello? Who is this?"))));
        assertThat(greeting.commands(ClearPlayback.class)).isEmpty();
    }

    @Test
    void anInterruptibleGreetingCanBeCut() {
        FakeCall greeting = new FakeCall(ConversationSettings.builder().firstMessage(GREETING).firstMessageInterruptible(true).build());
        greeting.start(0);
        greeting.audio(100, "u1", 3_000);

        assertThat(greeting.interim(900, "sorry who is this")).first().isEqualTo(new ClearPlayback());
    }
}
