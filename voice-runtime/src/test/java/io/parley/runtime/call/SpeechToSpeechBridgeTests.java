package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.conversation.ConversationCommand;
import io.parley.runtime.conversation.ConversationInput;
import io.parley.runtime.conversation.ConversationMessage;
import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.speech.SpeechToSpeech;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge between the engine and a speech-to-speech session, with an in-memory session. */
class SpeechToSpeechBridgeTests {

    private static final Instant NOW = Instant.parse("2025-12-24T17:00:00Z");

    /** Records what it is asked; the test plays the provider's side through {@link #listener}. */
    static final class RecordingModel implements SpeechToSpeech {
        final List<SpeechToSpeech.SessionSettings> opened = new ArrayList<>();
        final List<String> asked = new ArrayList<>();
        Listener listener;

        @Override public String id() { return "openai-realtime"; }

        @Override
        public Session open(SessionSettings settings, Listener listener) {
            opened.add(settings);
            this.listener = listener;
            int number = opened.size();
            return new Session() {
                @Override public void audio(byte[] ulaw) { asked.add(number + ":audio:" + ulaw.length); }
                @Override public void respond(String id) { asked.add(number + ":respond:" + id); }
                @Override public void say(String id, String text) { asked.add(number + ":say:" + id + ":" + text); }
                @Override public void callerText(String text) { asked.add(number + ":caller:" + text); }
                @Override public void toolResult(String toolCallId, String resultJson) { asked.add(number + ":tool:" + toolCallId + ":" + resultJson); }
                @Override public void cancel(String id) { asked.add(number + ":cancel:" + id); }
                @Override public void truncate(String id, Duration heard) { asked.add(number + ":truncate:" + id + ":" + heard.toMillis()); }
                @Override public void close() { asked.add(number + ":close"); }
            };
        }
    }

    private final RecordingModel model = new RecordingModel();
    private final List<ConversationInput> inputs = new ArrayList<>();
    private final List<ConversationMessage> history = new ArrayList<>();
    private SpeechToSpeechBridge bridge;

    @BeforeEach
    void open() {
        history.add(ConversationMessage.assistant("Hello there!", null));
        bridge = new SpeechToSpeechBridge(model, new SpeechToSpeech.SessionSettings("gpt-realtime", "marin", "en-US", "Be kind.",
                ModelInputs.TOOLS, List.of(), null), () -> List.copyOf(history), inputs::add, Clock.fixed(NOW, ZoneOffset.UTC), "call-1");
    }

    @Test
    void theSessionOpensWhenFirstNeededFromTheConversationAsItIsThenWithThePersonasSettings() {
        assertThat(bridge.handles(new ConversationCommand.CancelLanguageModel("t0"))).as("nothing to cancel yet").isTrue();
        assertThat(model.opened).isEmpty();

        bridge.audio(new byte[160]);

        assertThat(model.opened).hasSize(1);
        SpeechToSpeech.SessionSettings opened = model.opened.getFirst();
        assertThat(opened.history()).containsExactly(new LanguageModel.Message("assistant", "Hello there!"));
        assertThat(opened.instructions()).isEqualTo("Be kind.");
        assertThat(opened.voice()).isEqualTo("marin");
        assertThat(opened.tools()).extracting(LanguageModel.Tool::name).containsExactly("end_call");
    }

    @Test
    void theEnginesModelAndSpeechCommandsGoToTheSessionAndTheRestToTheRuntime() {
        assertThat(bridge.handles(new ConversationCommand.Synthesize("u2", "Are you still there?"))).isTrue();
        history.add(ConversationMessage.user("[DTMF 42]"));
        assertThat(bridge.handles(new ConversationCommand.StartLanguageModel("t1", history))).isTrue();
        assertThat(bridge.handles(new ConversationCommand.StartLanguageModel("t2", history))).isTrue(); // the keys were sent once
        assertThat(bridge.handles(new ConversationCommand.CancelLanguageModel("t2"))).isTrue();
        assertThat(bridge.handles(new ConversationCommand.CancelSynthesis("u2"))).isTrue();
        assertThat(bridge.handles(new ConversationCommand.TruncateModelSpeech("t2", Duration.ofMillis(1_250)))).isTrue();
        assertThat(bridge.handles(new ConversationCommand.ClearPlayback())).isFalse();
        assertThat(bridge.handles(new ConversationCommand.PlayAudio("u2", new byte[8], Duration.ofMillis(1), "u2.0"))).isFalse();
        assertThat(bridge.handles(new ConversationCommand.ExecuteTool("t1", "call_1", "book", "{}"))).isFalse();
        bridge.toolResult("call_1", "{\"ok\":true}");

        assertThat(model.asked).containsExactly("1:say:u2:Are you still there?", "1:caller:[DTMF 42]", "1:respond:t1", "1:respond:t2",
                "1:cancel:t2", "1:cancel:u2", "1:truncate:t2:1250", "1:tool:call_1:{\"ok\":true}");
    }

    @Test
    void aLinesReportsComeBackAsSynthesisAndATurnsAsTheModelsOwn() {
        bridge.handles(new ConversationCommand.Synthesize("u1", "Hello there!"));
        bridge.handles(new ConversationCommand.StartLanguageModel("t1", history));
        model.listener.audio("u1", new byte[800]);
        model.listener.transcript("u1", "Hello there!");
        model.listener.done("u1");
        model.listener.transcript("t1", "Sure.");
        model.listener.audio("t1", new byte[400]);
        model.listener.toolCall("t1", "call_1", "end_call", "{\"reason\":\"done\"}");
        model.listener.done("t1");
        model.listener.voiceActivity(true);
        model.listener.interim("and");
        model.listener.finalText("and then");
        model.listener.voiceActivity(false);
        model.listener.endOfUtterance();

        assertThat(inputs).containsExactly(
                new ConversationInput.AudioSynthesized(NOW, "u1", ((ConversationInput.AudioSynthesized) inputs.get(0)).audio(), Duration.ofMillis(100)),
                new ConversationInput.SynthesisCompleted(NOW, "u1"),
                new ConversationInput.LanguageModelToken(NOW, "t1", "Sure."),
                new ConversationInput.LanguageModelAudio(NOW, "t1", ((ConversationInput.LanguageModelAudio) inputs.get(3)).audio(), Duration.ofMillis(50)),
                new ConversationInput.LanguageModelToolCalled(NOW, "t1", "call_1", "end_call", "{\"reason\":\"done\"}"),
                new ConversationInput.LanguageModelCompleted(NOW, "t1"),
                new ConversationInput.VoiceActivityStarted(NOW),
                new ConversationInput.InterimTranscript(NOW, "and"),
                new ConversationInput.FinalTranscript(NOW, "and then"),
                new ConversationInput.VoiceActivityStopped(NOW),
                new ConversationInput.EndOfUtteranceDetected(NOW));
    }

    @Test
    void aBrokenSessionIsOpenedAgainFromTheConversationSoFarWhenNextNeededAtMostThreeTimes() {
        bridge.handles(new ConversationCommand.StartLanguageModel("t1", history));
        model.listener.closed(new IllegalStateException("dropped"));
        model.listener.failed("t1", new IllegalStateException("dropped"));
        assertThat(inputs).containsExactly(new ConversationInput.LanguageModelFailed(NOW, "t1", "java.lang.IllegalStateException: dropped"));
        history.add(ConversationMessage.assistant("Sorry, I missed that.", null));

        bridge.audio(new byte[160]);

        assertThat(model.opened).hasSize(2);
        assertThat(model.opened.get(1).history()).containsExactly(new LanguageModel.Message("assistant", "Hello there!"),
                new LanguageModel.Message("assistant", "Sorry, I missed that."));
        assertThat(model.asked).containsSubsequence("1:respond:t1", "1:close", "2:audio:160");
        for (int i = 0; i < 5; i++) {
            model.listener.closed(new IllegalStateException("refused"));
            bridge.audio(new byte[160]);
        }
        assertThat(model.opened).as("three reopens, then the call carries on without").hasSize(1 + SpeechToSpeechBridge.MAX_REOPENS);
    }

    @Test
    void itsUsageReplacesTheThreeProvidersInTheUsageEvent() {
        bridge.handles(new ConversationCommand.Synthesize("u1", "Hello there!"));
        bridge.audio(new byte[16_000]);
        model.listener.audio("u1", new byte[4_000]);
        model.listener.usage(new SpeechToSpeech.Usage(120, 80, 30, 60));
        model.listener.usage(new SpeechToSpeech.Usage(200, 10, 50, 5));
        Map<String, Object> data = new HashMap<>();

        bridge.putUsage(data);

        assertThat(data.get("stt")).isEqualTo(Map.of("provider", "openai-realtime", "seconds", 2.0));
        assertThat(data.get("llm")).isEqualTo(Map.of("provider", "openai-realtime", "inputTokens", 320L, "outputTokens", 90L,
                "inputAudioTokens", 80L, "outputAudioTokens", 65L));
        assertThat(data.get("tts")).isEqualTo(Map.of("provider", "openai-realtime", "characters", 12L, "seconds", 0.5));
    }
}
