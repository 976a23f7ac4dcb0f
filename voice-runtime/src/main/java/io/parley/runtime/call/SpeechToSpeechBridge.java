package io.parley.runtime.call;

import io.parley.runtime.conversation.ConversationCommand;
import io.parley.runtime.conversation.ConversationInput;
import io.parley.runtime.conversation.ConversationMessage;
import io.parley.runtime.speech.SpeechToSpeech;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call whose persona speaks through a {@link SpeechToSpeech} model: carries out the engine's model and
 * speech commands on the call's session, and turns what the session reports into engine inputs. The
 * engine (with {@code modelSpeaks} on) keeps every decision it makes for other personas; only who
 * produces the words and the voice changes:
 *
 * <ul>
 *   <li>{@code StartLanguageModel} becomes a reply from the conversation so far; its words arrive as
 *       tokens and its audio as {@code LanguageModelAudio}, played as it comes.</li>
 *   <li>{@code Synthesize} (greeting, reprompt, goodbye...) has the same model say the line word for word,
 *       so the call keeps one voice and the model remembers what it said; its audio arrives as synthesis.</li>
 *   <li>{@code CancelLanguageModel}/{@code CancelSynthesis} cancel the reply; {@code TruncateModelSpeech}
 *       cuts the model's memory of it at the audio the caller heard.</li>
 *   <li>The caller's voice activity, transcripts and end of utterance come from the session, as from a recogniser.</li>
 * </ul>
 *
 * <p>The session opens when the call first needs it (the greeting, or the first audio or reply of a
 * resumed call, once the engine has settled what was heard), starting from the engine's conversation
 * as it is then. Keys the caller pressed reach the model as the text the engine gives them
 * ({@code [DTMF 123]}), since the session only hears audio. A session that breaks is opened again, from
 * the conversation so far, when the call next needs it, at most {@link #MAX_REOPENS} times per stream.
 *
 * <p>Called on the call's serial executor, except the session's reports, which only queue inputs.
 */
final class SpeechToSpeechBridge {

    static final int MAX_REOPENS = 3;

    private static final Logger log = LoggerFactory.getLogger(SpeechToSpeechBridge.class);
    private static final Pattern DTMF = Pattern.compile("\\[DTMF [0-9A-D*#]+]");

    private final SpeechToSpeech provider;
    private final SpeechToSpeech.SessionSettings settings;
    private final Supplier<List<ConversationMessage>> history;
    private final Consumer<ConversationInput> input;
    private final Clock clock;
    private final String callId;
    /** Replies that are lines said through {@code Synthesize}: their reports go back as synthesis. */
    private final Set<String> lines = ConcurrentHashMap.newKeySet();
    private SpeechToSpeech.Session session;
    private volatile boolean broken;
    private int reopens;
    private int keysSent;

    private final AtomicLong inputTokens = new AtomicLong();
    private final AtomicLong outputTokens = new AtomicLong();
    private final AtomicLong inputAudioTokens = new AtomicLong();
    private final AtomicLong outputAudioTokens = new AtomicLong();
    private final AtomicLong audioIn = new AtomicLong();
    private final AtomicLong audioOut = new AtomicLong();
    private long lineCharacters;

    /**
     * @param settings what the session needs, without history (it is taken from {@code history} each time a session opens)
     * @param history  the engine's conversation so far
     * @param input    where the session's reports go, as engine inputs (the runtime queues them for the engine)
     */
    SpeechToSpeechBridge(SpeechToSpeech provider, SpeechToSpeech.SessionSettings settings, Supplier<List<ConversationMessage>> history,
                         Consumer<ConversationInput> input, Clock clock, String callId) {
        this.provider = provider;
        this.settings = settings;
        this.history = history;
        this.input = input;
        this.clock = clock;
        this.callId = callId;
    }

    String providerId() {
        return provider.id();
    }

    /** Opens the session, starting from the engine's conversation (empty for a new call). */
    private void open() {
        List<ConversationMessage> so = history.get();
        keysSent = keysPressed(so).size();
        session = provider.open(new SpeechToSpeech.SessionSettings(settings.model(), settings.voice(), settings.language(),
                settings.instructions(), settings.tools(), ModelInputs.messages(so), settings.apiKey()), new Reports());
    }

    /** The caller's audio, μ-law 8 kHz, as Twilio sent it. */
    void audio(byte[] ulaw) {
        audioIn.addAndGet(ulaw.length);
        session().audio(ulaw);
    }

    /** Carries out {@code command} if it is one for the model; false if the runtime should. */
    boolean handles(ConversationCommand command) {
        switch (command) {
            case ConversationCommand.StartLanguageModel start -> {
                SpeechToSpeech.Session s = session();
                sendKeysPressed(s, start.messages());
                s.respond(start.turnId());
            }
            case ConversationCommand.CancelLanguageModel cancel -> {
                if (session != null) session.cancel(cancel.turnId());
            }
            case ConversationCommand.Synthesize say -> {
                lines.add(say.utteranceId());
                lineCharacters += say.text().length();
                session().say(say.utteranceId(), say.text());
            }
            case ConversationCommand.CancelSynthesis cancel -> {
                if (session != null) session.cancel(cancel.utteranceId());
            }
            case ConversationCommand.TruncateModelSpeech truncate -> {
                if (session != null) session.truncate(truncate.id(), truncate.heard());
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The result of a tool the model called, for its next reply. */
    void toolResult(String toolCallId, String resultJson) {
        session().toolResult(toolCallId, resultJson);
    }

    void close() {
        if (session != null) session.close();
    }

    /**
     * This stream's usage in the call's usage event: the session's tokens under {@code llm} (with their audio
     * part), the caller's audio it heard under {@code stt}, and the audio it spoke under {@code tts} (with the
     * characters of the lines it was asked to say), all under this provider's id.
     */
    void putUsage(Map<String, Object> data) {
        String id = provider.id();
        data.put("stt", Map.of("provider", id, "seconds", audioIn.get() / 8_000.0));
        Map<String, Object> llm = new LinkedHashMap<>();
        llm.put("provider", id);
        llm.put("inputTokens", inputTokens.get());
        llm.put("outputTokens", outputTokens.get());
        llm.put("inputAudioTokens", inputAudioTokens.get());
        llm.put("outputAudioTokens", outputAudioTokens.get());
        data.put("llm", llm);
        data.put("tts", Map.of("provider", id, "characters", lineCharacters, "seconds", audioOut.get() / 8_000.0));
    }

    /** The session: opened first if it is not yet, or again if it broke and reopens are left. */
    private SpeechToSpeech.Session session() {
        if (session == null) {
            open();
        } else if (broken && reopens < MAX_REOPENS) {
            reopens++;
            broken = false;
            session.close();
            log.info("Re-opening the speech-to-speech session of call {} ({} of {})", callId, reopens, MAX_REOPENS);
            open();
        }
        return session;
    }

    /** Keys pressed since the last reply reach the model as text: the session hears audio only. */
    private void sendKeysPressed(SpeechToSpeech.Session s, List<ConversationMessage> messages) {
        List<String> keys = keysPressed(messages);
        for (int i = keysSent; i < keys.size(); i++) s.callerText(keys.get(i));
        keysSent = keys.size();
    }

    private static List<String> keysPressed(List<ConversationMessage> messages) {
        List<String> keys = new ArrayList<>();
        for (ConversationMessage m : messages) {
            if (m.role() != ConversationMessage.Role.USER) continue;
            Matcher matcher = DTMF.matcher(m.content());
            while (matcher.find()) keys.add(matcher.group());
        }
        return keys;
    }

    /** The session's reports, as engine inputs. */
    private final class Reports implements SpeechToSpeech.Listener {
        @Override public void voiceActivity(boolean speaking) {
            input.accept(speaking ? new ConversationInput.VoiceActivityStarted(clock.instant())
                    : new ConversationInput.VoiceActivityStopped(clock.instant()));
        }
        @Override public void interim(String text) { input.accept(new ConversationInput.InterimTranscript(clock.instant(), text)); }
        @Override public void finalText(String text) { input.accept(new ConversationInput.FinalTranscript(clock.instant(), text)); }
        @Override public void endOfUtterance() { input.accept(new ConversationInput.EndOfUtteranceDetected(clock.instant())); }

        @Override public void audio(String id, byte[] ulaw) {
            audioOut.addAndGet(ulaw.length);
            Duration duration = Duration.ofMillis(ulaw.length / 8);
            input.accept(lines.contains(id) ? new ConversationInput.AudioSynthesized(clock.instant(), id, ulaw, duration)
                    : new ConversationInput.LanguageModelAudio(clock.instant(), id, ulaw, duration));
        }

        @Override public void transcript(String id, String text) {
            if (!lines.contains(id)) input.accept(new ConversationInput.LanguageModelToken(clock.instant(), id, text));
        }

        @Override public void toolCall(String id, String toolCallId, String name, String argumentsJson) {
            input.accept(new ConversationInput.LanguageModelToolCalled(clock.instant(), id, toolCallId, name, argumentsJson));
        }

        @Override public void done(String id) {
            input.accept(lines.remove(id) ? new ConversationInput.SynthesisCompleted(clock.instant(), id)
                    : new ConversationInput.LanguageModelCompleted(clock.instant(), id));
        }

        @Override public void failed(String id, Exception error) {
            log.warn("Speech-to-speech reply {} of call {} failed: {}", id, callId, error.toString());
            input.accept(lines.remove(id) ? new ConversationInput.SynthesisFailed(clock.instant(), id, error.toString())
                    : new ConversationInput.LanguageModelFailed(clock.instant(), id, error.toString()));
        }

        @Override public void usage(SpeechToSpeech.Usage spent) {
            inputTokens.addAndGet(spent.inputTokens());
            outputTokens.addAndGet(spent.outputTokens());
            inputAudioTokens.addAndGet(spent.inputAudioTokens());
            outputAudioTokens.addAndGet(spent.outputAudioTokens());
        }

        @Override public void closed(Exception error) {
            log.warn("The speech-to-speech session of call {} broke: {}", callId, error.toString());
            broken = true;
        }
    }
}
