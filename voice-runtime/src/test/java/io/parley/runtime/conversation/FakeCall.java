package io.parley.runtime.conversation;

import io.parley.runtime.conversation.ConversationCommand.PlayAudio;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.Synthesize;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ConversationInput.AudioSynthesized;
import io.parley.runtime.conversation.ConversationInput.CallStarted;
import io.parley.runtime.conversation.ConversationInput.DtmfReceived;
import io.parley.runtime.conversation.ConversationInput.EndOfUtteranceDetected;
import io.parley.runtime.conversation.ConversationInput.FinalTranscript;
import io.parley.runtime.conversation.ConversationInput.InterimTranscript;
import io.parley.runtime.conversation.ConversationInput.LanguageModelCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToken;
import io.parley.runtime.conversation.ConversationInput.PlaybackMarkReached;
import io.parley.runtime.conversation.ConversationInput.SynthesisCompleted;
import io.parley.runtime.conversation.ConversationInput.VoiceActivityStarted;
import io.parley.runtime.conversation.ConversationInput.VoiceActivityStopped;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Drives one {@link ConversationEngine} through a call in tests: times are milliseconds after {@link #T0},
 * every command is recorded, and fake synthesis/playback can answer on their own.
 */
final class FakeCall {

    static final Instant T0 = Instant.parse("2025-12-24T17:00:00Z");

    /** A settable clock; the engine only uses it for {@link ConversationEngine#tick()}. */
    static final class FakeClock implements InstantSource {
        Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }
    }

    final FakeClock clock;
    ConversationEngine engine;
    final List<ConversationCommand> all = new ArrayList<>();
    List<ConversationCommand> last = List.of();
    private final Set<String> synthesised = new HashSet<>();
    private final Set<String> acknowledged = new HashSet<>();
    private int llmSeen;

    FakeCall(ConversationSettings settings) {
        this.clock = new FakeClock();
        this.engine = new ConversationEngine(settings, clock);
    }

    FakeCall(ConversationEngine engine, FakeClock clock) {
        this.clock = clock;
        this.engine = engine;
    }

    static Instant at(long ms) {
        return T0.plusMillis(ms);
    }

    List<ConversationCommand> send(ConversationInput input) {
        if (input.at().isAfter(clock.now)) clock.now = input.at();
        last = engine.handle(input);
        all.addAll(last);
        return last;
    }

    List<ConversationCommand> start(long ms) { return send(new CallStarted(at(ms))); }
    List<ConversationCommand> voiceOn(long ms) { return send(new VoiceActivityStarted(at(ms))); }
    List<ConversationCommand> voiceOff(long ms) { return send(new VoiceActivityStopped(at(ms))); }
    List<ConversationCommand> interim(long ms, String text) { return send(new InterimTranscript(at(ms), text)); }
    List<ConversationCommand> fin(long ms, String text) { return send(new FinalTranscript(at(ms), text)); }
    List<ConversationCommand> endOfUtterance(long ms) { return send(new EndOfUtteranceDetected(at(ms))); }
    List<ConversationCommand> token(long ms, String turnId, String text) { return send(new LanguageModelToken(at(ms), turnId, text)); }
    List<ConversationCommand> modelDone(long ms, String turnId) { return send(new LanguageModelCompleted(at(ms), turnId)); }
    List<ConversationCommand> dtmf(long ms, String digit) { return send(new DtmfReceived(at(ms), digit)); }
    List<ConversationCommand> mark(long ms, String name) { return send(new PlaybackMarkReached(at(ms), name)); }
    List<ConversationCommand> ttsDone(long ms, String utteranceId) { return send(new SynthesisCompleted(at(ms), utteranceId)); }

    List<ConversationCommand> audio(long ms, String utteranceId, long durationMs) {
        return send(new AudioSynthesized(at(ms), utteranceId, new byte[(int) (durationMs * 8)], Duration.ofMillis(durationMs)));
    }

    List<ConversationCommand> tick(long ms) {
        if (at(ms).isAfter(clock.now)) clock.now = at(ms);
        last = engine.tick();
        all.addAll(last);
        return last;
    }

    /** The caller says {@code text} from {@code fromMs} to {@code toMs}: voice on, an interim, the final, voice off. */
    void says(long fromMs, long toMs, String text) {
        voiceOn(fromMs);
        interim((fromMs + toMs) / 2, text);
        fin(toMs - 10, text);
        voiceOff(toMs);
    }

    /** The id of the latest model turn the engine started. */
    String lastTurnId() {
        return lastOf(StartLanguageModel.class).turnId();
    }

    /** Streams {@code text} word by word as the model's answer to the latest turn, then completes it. */
    void modelSays(long ms, String text) {
        String turn = lastTurnId();
        for (String t : text.split("(?<=\\s)")) token(ms, turn, t);
        modelDone(ms, turn);
    }

    /**
     * Fake TTS and playback: every pending {@code Synthesize} gets one chunk of {@code chunkMs} and completes;
     * every {@code PlayAudio} gets its mark {@code chunkMs} later. Returns when nothing is left; the instant reached.
     */
    long playOut(long fromMs, long chunkMs) {
        long t = fromMs;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Synthesize s : List.copyOf(commands(Synthesize.class))) {
                if (synthesised.add(s.utteranceId())) {
                    audio(t, s.utteranceId(), chunkMs);
                    ttsDone(t, s.utteranceId());
                    progress = true;
                }
            }
            for (PlayAudio p : List.copyOf(commands(PlayAudio.class))) {
                if (acknowledged.add(p.markName())) {
                    t += chunkMs;
                    mark(t, p.markName());
                    progress = true;
                }
            }
        }
        return t;
    }

    /** Answers every model request not answered yet with {@code brain}, as a model adapter would. */
    boolean answerWith(ScriptedBrain brain, long ms) {
        List<StartLanguageModel> requests = commands(StartLanguageModel.class);
        boolean any = false;
        while (llmSeen < requests.size()) {
            StartLanguageModel request = requests.get(llmSeen++);
            for (ConversationInput input : brain.respond(request, at(ms))) send(input);
            any = true;
            requests = commands(StartLanguageModel.class);
        }
        return any;
    }

    <T> List<T> commands(Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> List<T> lastCommands(Class<T> type) {
        return last.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T> T lastOf(Class<T> type) {
        List<T> found = commands(type);
        if (found.isEmpty()) throw new AssertionError("no " + type.getSimpleName() + " in " + all);
        return found.getLast();
    }

    List<TurnCompleted> transcript() {
        return commands(TurnCompleted.class);
    }

    List<String> texts(List<? extends ConversationCommand> commands) {
        return commands.stream().map(Object::toString).toList();
    }
}
