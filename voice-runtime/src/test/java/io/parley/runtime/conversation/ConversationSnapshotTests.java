package io.parley.runtime.conversation;

import static io.parley.runtime.conversation.FakeCall.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationCommand.CancelLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.CancelSynthesis;
import io.parley.runtime.conversation.ConversationCommand.EndCall;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ConversationInput.AudioSynthesized;
import io.parley.runtime.conversation.ConversationInput.CallStarted;
import io.parley.runtime.conversation.ConversationInput.DtmfReceived;
import io.parley.runtime.conversation.ConversationInput.FinalTranscript;
import io.parley.runtime.conversation.ConversationInput.InterimTranscript;
import io.parley.runtime.conversation.ConversationInput.LanguageModelCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelFailed;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToken;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToolCalled;
import io.parley.runtime.conversation.ConversationInput.PlaybackMarkReached;
import io.parley.runtime.conversation.ConversationInput.StreamResumed;
import io.parley.runtime.conversation.ConversationInput.SynthesisCompleted;
import io.parley.runtime.conversation.ConversationInput.TimerTicked;
import io.parley.runtime.conversation.ConversationInput.ToolResultReceived;
import io.parley.runtime.conversation.ConversationInput.VoiceActivityStarted;
import io.parley.runtime.conversation.ConversationInput.VoiceActivityStopped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ConversationSnapshotTests {

    private static final ConversationSettings SETTINGS = ConversationSettings.builder()
            .firstMessage("Ho ho ho! Merry Christmas!").systemPrompt("You are Santa Claus.").build();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static ConversationInput audio(long ms, String utterance, long durationMs) {
        return new AudioSynthesized(at(ms), utterance, new byte[(int) durationMs * 8], Duration.ofMillis(durationMs));
    }

    /** A whole call as adapters would report it: greeting, backchannel, barge-in, a tool, keys, an LLM failure, a reprompt, end_call. */
    private static final List<ConversationInput> CALL = List.of(
            new CallStarted(at(0)),
            audio(100, "u1", 500),
            new SynthesisCompleted(at(100), "u1"),
            new PlaybackMarkReached(at(600), "u1.0"),
            new VoiceActivityStarted(at(1_000)),
            new InterimTranscript(at(1_300), "tell me about"),
            new FinalTranscript(at(1_900), "Tell me about the elves"),
            new VoiceActivityStopped(at(2_000)),
            new TimerTicked(at(2_700)),
            new LanguageModelToken(at(2_800), "t1", "The elves make toys. "),
            new LanguageModelToken(at(2_810), "t1", "They work all year. Rudolph"),
            audio(2_900, "u3", 800),
            audio(2_950, "u2", 600),
            new VoiceActivityStarted(at(3_000)),
            new InterimTranscript(at(3_100), "uh-huh"),
            new VoiceActivityStopped(at(3_300)),
            new LanguageModelToken(at(3_400), "t1", " leads the sleigh."),
            new LanguageModelCompleted(at(3_450), "t1"),
            new SynthesisCompleted(at(3_500), "u2"),
            new PlaybackMarkReached(at(3_550), "u2.0"),
            new SynthesisCompleted(at(3_600), "u3"),
            audio(3_650, "u4", 700),
            new SynthesisCompleted(at(3_660), "u4"),
            new PlaybackMarkReached(at(4_350), "u3.0"),
            new InterimTranscript(at(4_400), "what about reindeer"),
            new PlaybackMarkReached(at(4_410), "u4.0"),
            new FinalTranscript(at(4_600), "What about reindeer games?"),
            new TimerTicked(at(5_300)),
            new LanguageModelToken(at(5_400), "t2", "Let me look that up. "),
            new LanguageModelToolCalled(at(5_410), "t2", "call_1", "lookup", "{\"topic\":\"reindeer games\"}"),
            new LanguageModelCompleted(at(5_420), "t2"),
            audio(5_500, "u5", 900),
            new SynthesisCompleted(at(5_500), "u5"),
            new ToolResultReceived(at(5_600), "call_1", "{\"games\":[\"tag\"]}"),
            new LanguageModelToken(at(5_700), "t3", "They love tag!"),
            new LanguageModelCompleted(at(5_710), "t3"),
            new PlaybackMarkReached(at(6_400), "u5.0"),
            audio(6_500, "u6", 600),
            new SynthesisCompleted(at(6_500), "u6"),
            new PlaybackMarkReached(at(7_100), "u6.0"),
            new DtmfReceived(at(8_000), "4"),
            new DtmfReceived(at(8_300), "2"),
            new TimerTicked(at(9_300)),
            new LanguageModelFailed(at(9_400), "t4", "boom"),
            audio(9_500, "u7", 1_000),
            new SynthesisCompleted(at(9_500), "u7"),
            new PlaybackMarkReached(at(10_500), "u7.0"),
            new TimerTicked(at(18_500)),
            audio(18_600, "u8", 800),
            new SynthesisCompleted(at(18_600), "u8"),
            new PlaybackMarkReached(at(19_400), "u8.0"),
            new VoiceActivityStarted(at(20_000)),
            new FinalTranscript(at(20_500), "I have to go to bed"),
            new VoiceActivityStopped(at(20_600)),
            new TimerTicked(at(21_300)),
            new LanguageModelToken(at(21_400), "t5", "Good night!"),
            new LanguageModelToolCalled(at(21_410), "t5", "call_2", "end_call", "{\"reason\":\"bedtime\"}"),
            new LanguageModelCompleted(at(21_420), "t5"),
            audio(21_500, "u9", 700),
            new SynthesisCompleted(at(21_500), "u9"),
            new PlaybackMarkReached(at(22_200), "u9.0"),
            new VoiceActivityStarted(at(22_300)));

    private static List<String> run(ConversationEngine engine, List<ConversationInput> inputs) {
        List<String> out = new ArrayList<>();
        for (ConversationInput input : inputs) out.add(engine.handle(input).toString());
        return out;
    }

    private static ConversationSnapshot throughJson(ConversationSnapshot snapshot) {
        String json = JSON.writeValueAsString(snapshot);
        ConversationSnapshot back = JSON.readValue(json, ConversationSnapshot.class);
        assertThat(back).isEqualTo(snapshot);
        return back;
    }

    @Test
    void theScriptedCallDoesWhatItShould() {
        ConversationEngine engine = new ConversationEngine(SETTINGS, new FakeCall.FakeClock());
        List<ConversationCommand> all = new ArrayList<>();
        for (ConversationInput input : CALL) all.addAll(engine.handle(input));

        assertThat(all).filteredOn(StartLanguageModel.class::isInstance).hasSize(5);
        assertThat(all).filteredOn(TurnCompleted.class::isInstance).extracting(c -> ((TurnCompleted) c).text()).containsExactly(
                "Ho ho ho! Merry Christmas!",
                "Tell me about the elves",
                "The elves make toys. They work all year.",
                "What about reindeer games?",
                "Let me look that up. They love tag!",
                "[DTMF 42]",
                "Sorry, I missed that. Could you say it again?",
                "Are you still there?",
                "I have to go to bed",
                "Good night!");
        assertThat(all.getLast()).isEqualTo(new EndCall("bedtime"));
        assertThat(engine.state()).isEqualTo(ConversationState.ENDED);
        assertThat(engine.stats()).isEqualTo(new ConversationStats(1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0));
    }

    @Test
    void aSnapshotTakenAfterAnyInputRestoresThroughJsonAndContinuesIdentically() {
        ConversationEngine original = new ConversationEngine(SETTINGS, new FakeCall.FakeClock());
        List<String> expected = run(original, CALL);

        for (int cut = 0; cut <= CALL.size(); cut++) {
            ConversationEngine first = new ConversationEngine(SETTINGS, new FakeCall.FakeClock());
            run(first, CALL.subList(0, cut));
            ConversationSnapshot snapshot = throughJson(first.snapshot());

            ConversationEngine restored = ConversationEngine.restore(SETTINGS, snapshot, new FakeCall.FakeClock());

            assertThat(restored.snapshot()).as("snapshot after %d inputs", cut).isEqualTo(first.snapshot());
            assertThat(restored.nextDeadline()).as("deadline after %d inputs", cut).isEqualTo(first.nextDeadline());
            assertThat(run(restored, CALL.subList(cut, CALL.size())))
                    .as("commands after restoring at input %d", cut)
                    .isEqualTo(expected.subList(cut, CALL.size()));
            assertThat(restored.snapshot()).isEqualTo(original.snapshot());
        }
    }

    @Test
    void aRestoredEngineDoesNotGreetAgain() {
        ConversationEngine first = new ConversationEngine(SETTINGS, new FakeCall.FakeClock());
        run(first, CALL.subList(0, 4)); // greeting heard, listening

        ConversationEngine restored = ConversationEngine.restore(SETTINGS, throughJson(first.snapshot()), new FakeCall.FakeClock());

        assertThat(restored.handle(new CallStarted(at(700)))).isEmpty();
        assertThat(restored.state()).isEqualTo(ConversationState.LISTENING);
        assertThat(restored.nextDeadline()).contains(at(600 + 8_000));
        assertThat(restored.stats().ignoredInputs()).isEqualTo(1);
    }

    @Test
    void afterMovingToANewStreamAnUnheardAnswerIsAskedForAgain() {
        ConversationEngine first = new ConversationEngine(SETTINGS, new FakeCall.FakeClock());
        run(first, CALL.subList(0, 15)); // t1 speaking, nothing of it heard yet
        ConversationEngine restored = ConversationEngine.restore(SETTINGS, throughJson(first.snapshot()), new FakeCall.FakeClock());

        List<ConversationCommand> resumed = restored.handle(new StreamResumed(at(3_200)));

        assertThat(resumed).hasSize(4);
        assertThat(resumed.subList(0, 3)).containsExactly(
                new CancelSynthesis("u2"), new CancelSynthesis("u3"), new CancelLanguageModel("t1"));
        StartLanguageModel again = (StartLanguageModel) resumed.get(3);
        assertThat(again.turnId()).isEqualTo("t2");
        assertThat(again.messages().getLast()).isEqualTo(ConversationMessage.user("Tell me about the elves"));
        assertThat(restored.state()).isEqualTo(ConversationState.THINKING);
    }
}
