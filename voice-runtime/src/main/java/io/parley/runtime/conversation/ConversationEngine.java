package io.parley.runtime.conversation;

import io.parley.runtime.conversation.ConversationCommand.CancelLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.CancelSynthesis;
import io.parley.runtime.conversation.ConversationCommand.ClearPlayback;
import io.parley.runtime.conversation.ConversationCommand.EndCall;
import io.parley.runtime.conversation.ConversationCommand.ExecuteTool;
import io.parley.runtime.conversation.ConversationCommand.PausePlayback;
import io.parley.runtime.conversation.ConversationCommand.PlayAudio;
import io.parley.runtime.conversation.ConversationCommand.ResumePlayback;
import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationCommand.Synthesize;
import io.parley.runtime.conversation.ConversationCommand.TruncateModelSpeech;
import io.parley.runtime.conversation.ConversationCommand.TurnCompleted;
import io.parley.runtime.conversation.ConversationInput.AudioSynthesized;
import io.parley.runtime.conversation.ConversationInput.CallStarted;
import io.parley.runtime.conversation.ConversationInput.CallerHungUp;
import io.parley.runtime.conversation.ConversationInput.DtmfReceived;
import io.parley.runtime.conversation.ConversationInput.EndOfUtteranceDetected;
import io.parley.runtime.conversation.ConversationInput.FinalTranscript;
import io.parley.runtime.conversation.ConversationInput.InterimTranscript;
import io.parley.runtime.conversation.ConversationInput.LanguageModelAudio;
import io.parley.runtime.conversation.ConversationInput.LanguageModelCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelFailed;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToken;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToolCalled;
import io.parley.runtime.conversation.ConversationInput.PlaybackMarkReached;
import io.parley.runtime.conversation.ConversationInput.StreamResumed;
import io.parley.runtime.conversation.ConversationInput.SynthesisCompleted;
import io.parley.runtime.conversation.ConversationInput.SynthesisFailed;
import io.parley.runtime.conversation.ConversationInput.SpeechModerated;
import io.parley.runtime.conversation.ConversationInput.TimerTicked;
import io.parley.runtime.conversation.ConversationInput.ToolResultReceived;
import io.parley.runtime.conversation.ConversationInput.VoiceActivityStarted;
import io.parley.runtime.conversation.ConversationInput.VoiceActivityStopped;
import io.parley.runtime.conversation.ConversationMessage.Role;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conversation of one call: a deterministic state machine fed with {@link ConversationInput}s that
 * answers with {@link ConversationCommand}s. It sits between the media socket, STT, the language model
 * (or a {@link ScriptedBrain}) and TTS, whose adapters only translate. No I/O, no threads, no wall
 * clock: time is the instant on each input. Not thread-safe: feed one call's inputs one at a time.
 *
 * <h2>Driving it</h2>
 * <pre>{@code
 * var engine = new ConversationEngine(settings, clock);
 * run(engine.handle(new CallStarted(now)));          // speaks the first message
 * ...every adapter event: run(engine.handle(input));
 * ...schedule one timer at engine.nextDeadline(); when it fires: run(engine.tick(now));
 * ...after each input (or each turn): store engine.snapshot().
 * }</pre>
 * Inputs that make no sense in the current state are counted in {@link #stats()} and otherwise ignored.
 * Deadlines that passed before an input's instant fire first, at their own instants, so the result does
 * not depend on how punctually the runtime ticks; deadlines an input makes due fire right after it.
 *
 * <h2>Decisions</h2>
 * <ul>
 *   <li><b>End of utterance</b>: in {@code USER_SPEAKING}, once the voice stops and the silence lasts
 *       {@code endOfUtteranceSilence} (or the extended one when {@link TurnDetector} finds the words
 *       unfinished: digits, number words, spelled letters, "and", "um"), or at once on an STT
 *       end-of-utterance hint when the words are not unfinished, the turn is committed: final segments
 *       plus the pending interim. New words arriving after the voice stopped restart the silence. Key
 *       presses join the turn as {@code [DTMF 123]}, delivered {@code dtmfInterDigitTimeout} after the
 *       last one, or at once on {@code #}.</li>
 *   <li><b>Barge-in</b> ({@link BargeIn}): while an interruptible reply is {@code THINKING} or
 *       {@code SPEAKING}. The engine emits {@code ClearPlayback}, {@code CancelSynthesis} for each
 *       utterance still being synthesised, {@code CancelLanguageModel} for the turn still generating,
 *       then the bot's {@code TurnCompleted} with the heard text and {@code interrupted=true}, and moves
 *       to {@code USER_SPEAKING}. Before either rule decides, the bot <em>yields</em>: {@code bargeInYield}
 *       into the caller's voice it emits {@code PausePlayback} (the caller stops hearing it at once, its audio
 *       is held); a barge-in then clears what is held, while voice that stops without one (a cough, an
 *       "uh-huh"), or lasts {@link #MAX_YIELD} without deciding anything, gives {@code ResumePlayback}. Audio, tokens and marks that arrive later for the cancelled reply are
 *       dropped; in particular the marks Twilio echoes after {@code clear} do not count as heard. A key
 *       press barges in too.</li>
 *   <li><b>Backchannels</b> during a reply neither interrupt nor become a turn: they are dropped (and
 *       counted) when the reply ends or the caller's next stretch of voice starts. Other words said
 *       while a reply cannot be interrupted (the greeting, by default) are kept and answered once it ends.</li>
 *   <li><b>Heard text</b>: a reply is a list of utterances (sentences) each played as audio chunks
 *       with a mark after each. The caller heard a chunk when its mark came back (a mark also confirms
 *       every earlier chunk). Which words a chunk carries is approximated: a sentence's words are spread
 *       over its chunks in proportion to their audio duration, so the heard part of a sentence is its
 *       first {@code round(words * heardDuration / sentenceDuration)} words. While a sentence is still
 *       being synthesised (or its synthesis failed) its duration is estimated at 350 ms a word. Bot
 *       turns nobody heard are not reported, and the history keeps only heard text.</li>
 *   <li><b>History</b>: consecutive caller turns are merged into one user message (the bot's reply
 *       between them was cut before anything was heard). Tool calls and results are recorded in
 *       order; a result still missing when a reply is cut is stored as {@code {"status":"pending"}}
 *       and replaced when it arrives.</li>
 *   <li><b>Ending</b>: {@code end_call} from the model, an end-call phrase from the caller, the silence
 *       goodbye, the time limit and the opt-out key all speak a goodbye in {@code ENDING} (not
 *       interruptible) and emit {@code EndCall} once its last mark came back; a goodbye not heard
 *       within {@code goodbyeTimeout}, a hang-up or a lost stream during a goodbye end the call at once.
 *       {@code EndCall} is emitted exactly once.</li>
 *   <li><b>Time limit</b>: the warning is spoken at the first pause after it is due (never over the
 *       bot or the caller); at the limit the engine cuts whatever is going on and says the goodbye.</li>
 *   <li><b>A model that speaks</b> ({@link ConversationSettings#modelSpeaks()}, a speech-to-speech model): each
 *       model turn is one utterance whose words are the model's transcript tokens and whose audio is the model's
 *       own ({@link LanguageModelAudio}), played as it arrives; scripted lines still go through {@code Synthesize}
 *       (the runtime has the same model say them). Everything else above holds unchanged. When a reply is cut,
 *       every utterance of it the caller did not hear in full gets a {@link TruncateModelSpeech} with the audio
 *       heard so far (after the cancel commands), so the model's memory matches the transcript.</li>
 *   <li><b>Restore</b>: {@link #restore} rebuilds an engine from a {@link ConversationSnapshot};
 *       {@code CallStarted} is then ignored, so the greeting is not replayed. After moving a call to a
 *       new media stream send {@link StreamResumed}: the reply in flight is abandoned (and asked again
 *       of the model if the caller heard none of it).</li>
 * </ul>
 */
public final class ConversationEngine {

    /** The built-in tool that ends the call; argument {@code reason}. */
    public static final String END_CALL_TOOL = "end_call";

    static final String PENDING_TOOL_RESULT = "{\"status\":\"pending\"}";
    static final String END_CALL_TOOL_RESULT = "{\"status\":\"ending call\"}";
    static final Duration ESTIMATED_WORD_DURATION = Duration.ofMillis(350);
    static final int MAX_TOOL_ROUNDS = 8;
    /** The longest the bot stays silent for caller voice that neither interrupts nor stops (backchannels, line noise). */
    static final Duration MAX_YIELD = Duration.ofMillis(1_500);

    private static final Pattern REASON = Pattern.compile("\"reason\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final ConversationSettings settings;
    private final InstantSource clock;
    private final TurnDetector turns;
    private final BargeIn bargeIn;

    private ConversationState state = ConversationState.LISTENING;
    private Instant now;
    private Instant callStartedAt;
    private int turnCounter;
    private int utteranceCounter;
    private final List<ConversationMessage> history = new ArrayList<>();
    private final Caller caller = new Caller();
    private Instant listeningSince;
    private int silenceStrikes;
    private boolean warningPending;
    private boolean warningGiven;
    private String endReason;
    private Instant endingSince;
    private Reply reply;
    private final Counters stats = new Counters();

    private List<ConversationCommand> out = new ArrayList<>();

    /** An engine for a new call; it acts once it receives {@link CallStarted}. */
    public ConversationEngine(ConversationSettings settings, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.turns = new TurnDetector(settings);
        this.bargeIn = new BargeIn(settings, turns);
    }

    /**
     * Rebuilds an engine from {@link #snapshot()}, possibly on another instance, with the persona's
     * settings. It carries on exactly where the snapshot was taken and does not greet again.
     */
    public static ConversationEngine restore(ConversationSettings settings, ConversationSnapshot snapshot, InstantSource clock) {
        Objects.requireNonNull(snapshot, "snapshot");
        if (snapshot.version() != ConversationSnapshot.CURRENT_VERSION) {
            throw new IllegalArgumentException("unsupported conversation snapshot version " + snapshot.version());
        }
        ConversationEngine e = new ConversationEngine(settings, clock);
        e.state = Objects.requireNonNull(snapshot.state(), "state");
        e.now = snapshot.lastEventAt();
        e.callStartedAt = snapshot.callStartedAt();
        e.turnCounter = snapshot.turnCounter();
        e.utteranceCounter = snapshot.utteranceCounter();
        e.history.addAll(snapshot.history());
        if (snapshot.caller() != null) e.caller.restore(snapshot.caller());
        e.listeningSince = snapshot.listeningSince();
        e.silenceStrikes = snapshot.silenceStrikes();
        e.warningPending = snapshot.warningPending();
        e.warningGiven = snapshot.warningGiven();
        e.endReason = snapshot.endReason();
        e.endingSince = snapshot.endingSince();
        e.reply = snapshot.reply() == null ? null : Reply.restore(snapshot.reply());
        if (snapshot.stats() != null) e.stats.restore(snapshot.stats());
        return e;
    }

    /** Feeds one input; returns the commands to carry out, in order. */
    public List<ConversationCommand> handle(ConversationInput input) {
        Objects.requireNonNull(input, "input");
        out = new ArrayList<>();
        Instant at = now == null || input.at().isAfter(now) ? input.at() : now;
        if (state == ConversationState.ENDED) {
            if (!(input instanceof TimerTicked)) stats.ignoredInputs++;
            return List.of();
        }
        if (callStartedAt == null) {
            if (input instanceof CallStarted) {
                now = at;
                onCallStarted(at);
            } else if (!(input instanceof TimerTicked)) {
                stats.ignoredInputs++;
            }
            return List.copyOf(out);
        }
        fireDue(at);
        now = at;
        if (state != ConversationState.ENDED) {
            dispatch(input, at);
            fireDue(at); // deadlines the input made already due (words kept from during the greeting, for example)
            if (reply != null && reply.yieldedAt != null && !caller.voiceActive) resume();
        } else if (!(input instanceof TimerTicked)) {
            stats.ignoredInputs++;
        }
        return List.copyOf(out);
    }

    /** Fires every deadline up to {@code now}; the runtime calls this when its timer goes off. */
    public List<ConversationCommand> tick(Instant now) {
        return handle(new TimerTicked(now));
    }

    /** {@link #tick(Instant)} at the injected clock's instant. */
    public List<ConversationCommand> tick() {
        return tick(clock.instant());
    }

    /**
     * When the engine next needs a {@link #tick}: end-of-utterance silence, sustained voice for barge-in,
     * caller silence, the time warning and limit, or the goodbye timeout; empty when nothing is pending.
     * The runtime keeps one timer per call and reschedules it after every {@link #handle}.
     */
    public Optional<Instant> nextDeadline() {
        return earliest().map(Due::at);
    }

    public ConversationState state() {
        return state;
    }

    public ConversationStats stats() {
        return stats.toRecord();
    }

    /** The conversation so far as the model sees it (without the system prompt). */
    public List<ConversationMessage> history() {
        return List.copyOf(history);
    }

    public ConversationSettings settings() {
        return settings;
    }

    /** Everything needed to {@link #restore} this conversation elsewhere. */
    public ConversationSnapshot snapshot() {
        return new ConversationSnapshot(ConversationSnapshot.CURRENT_VERSION, state, now, callStartedAt, turnCounter,
                utteranceCounter, history, caller.toSnapshot(), listeningSince, silenceStrikes, warningPending,
                warningGiven, endReason, endingSince, reply == null ? null : reply.toSnapshot(), stats.toRecord());
    }

    // ---------------------------------------------------------------- dispatch

    private void dispatch(ConversationInput input, Instant at) {
        switch (input) {
            case CallStarted ignored -> stats.ignoredInputs++; // already started: a restored engine never greets twice
            case StreamResumed ignored -> onStreamResumed(at);
            case CallerHungUp ignored -> onHangUp(at);
            case VoiceActivityStarted ignored -> onVoiceStarted(at);
            case VoiceActivityStopped ignored -> onVoiceStopped(at);
            case InterimTranscript t -> onTranscript(at, t.text(), false);
            case FinalTranscript t -> onTranscript(at, t.text(), true);
            case EndOfUtteranceDetected ignored -> onEndOfUtterance(at);
            case LanguageModelToken t -> onToken(at, t);
            case LanguageModelAudio a -> onModelAudio(at, a);
            case LanguageModelToolCalled c -> onToolCalled(at, c);
            case ToolResultReceived r -> onToolResult(at, r);
            case LanguageModelCompleted c -> onModelCompleted(at, c.turnId());
            case LanguageModelFailed f -> onModelFailed(at, f.turnId());
            case AudioSynthesized a -> onAudio(at, a);
            case SynthesisCompleted c -> onSynthesisEnded(at, c.utteranceId(), false);
            case SynthesisFailed f -> onSynthesisEnded(at, f.utteranceId(), true);
            case SpeechModerated m -> onModerated(m);
            case PlaybackMarkReached m -> onMark(at, m.markName());
            case DtmfReceived d -> onDtmf(at, d.digit());
            case TimerTicked ignored -> { }
        }
    }

    private void onCallStarted(Instant at) {
        callStartedAt = at;
        speakLine("GREETING", settings.firstMessage(), settings.firstMessageInterruptible(), null, at);
    }

    // ---------------------------------------------------------------- caller side

    private void onVoiceStarted(Instant at) {
        if (caller.voiceActive) {
            stats.ignoredInputs++;
            return;
        }
        caller.voiceActive = true;
        caller.voiceStartedAt = at;
        caller.lateFinalUntil = null;
        if (state == ConversationState.ENDING) return;
        if (isReplying() && caller.dtmf.isEmpty() && turns.isBackchannelOnly(caller.speech())) {
            stats.backchannels++; // "uh-huh" earlier in this reply: not the start of a turn
            caller.clearTurn();
        }
        if (caller.turnStartedAt == null) caller.turnStartedAt = at;
        if (state == ConversationState.LISTENING) enterUserSpeaking(at);
    }

    private void onVoiceStopped(Instant at) {
        if (!caller.voiceActive) {
            stats.ignoredInputs++;
            return;
        }
        caller.voiceActive = false;
        caller.lastActivityAt = at;
        caller.lastActivityWasDtmf = false;
        if (state != ConversationState.USER_SPEAKING && !caller.hasInput()) caller.turnStartedAt = null;
    }

    private void onTranscript(Instant at, String text, boolean isFinal) {
        if (state == ConversationState.ENDING) {
            stats.ignoredInputs++;
            return;
        }
        if (caller.lateFinalUntil != null && !caller.voiceActive && !at.isAfter(caller.lateFinalUntil)) {
            // the tail of a turn already committed from its interim: dropping it keeps it from becoming a new turn
            stats.lateTranscripts++;
            if (isFinal) caller.lateFinalUntil = null;
            return;
        }
        caller.lateFinalUntil = null;
        int before = Words.count(caller.speech());
        String words = text.strip();
        if (isFinal) {
            if (!words.isEmpty()) caller.finals.add(words);
            caller.interim = "";
        } else {
            caller.interim = words;
        }
        if (!caller.hasInput()) return;
        boolean grew = Words.count(caller.speech()) > before;
        if (grew) caller.lastActivityWasDtmf = false;
        if (!caller.voiceActive && (grew || caller.lastActivityAt == null)) caller.lastActivityAt = at;
        if (caller.turnStartedAt == null) caller.turnStartedAt = at;
        switch (state) {
            case LISTENING -> enterUserSpeaking(at);
            case THINKING, SPEAKING -> {
                if (isInterruptible() && bargeIn.byWords(caller.speech())) bargeIn(at);
            }
            default -> { }
        }
    }

    private void onEndOfUtterance(Instant at) {
        if (caller.voiceActive) {
            caller.voiceActive = false;
            caller.lastActivityAt = at;
            caller.lastActivityWasDtmf = false;
        }
        if (state != ConversationState.USER_SPEAKING) return;
        String speech = caller.speech();
        if (!speech.isEmpty() && caller.dtmf.isEmpty() && !turns.isIncomplete(speech)) commitUserTurn(at);
    }

    private void onDtmf(Instant at, String digit) {
        if (!digit.matches("[0-9*#A-Da-d]")) {
            stats.ignoredInputs++;
            return;
        }
        if (state == ConversationState.ENDING) {
            stats.ignoredInputs++;
            return;
        }
        if (digit.equals(settings.optOutDigit())) {
            optOut(at, digit);
            return;
        }
        if (isReplying() && isInterruptible()) bargeIn(at);
        if (caller.turnStartedAt == null) caller.turnStartedAt = at;
        boolean terminator = digit.equals("#") && caller.hasInput();
        if (!terminator) caller.dtmf += digit.toUpperCase(Locale.ROOT);
        caller.lastActivityAt = at;
        caller.lastActivityWasDtmf = true;
        if (state == ConversationState.LISTENING) enterUserSpeaking(at);
        if (state == ConversationState.USER_SPEAKING && digit.equals("#")) commitUserTurn(at);
    }

    private void enterUserSpeaking(Instant at) {
        state = ConversationState.USER_SPEAKING; // listeningSince stays: voice without words must not reset the silence timer
        if (caller.turnStartedAt == null) {
            caller.turnStartedAt = caller.voiceActive && caller.voiceStartedAt != null ? caller.voiceStartedAt : at;
        }
        if (caller.lastActivityAt == null) caller.lastActivityAt = at;
    }

    private void commitUserTurn(Instant at) {
        String speech = caller.speech();
        String text = caller.text();
        boolean keys = !caller.dtmf.isEmpty();
        Instant started = caller.turnStartedAt != null ? caller.turnStartedAt : at;
        Instant ended = caller.lastActivityAt != null && !caller.lastActivityAt.isBefore(started) ? caller.lastActivityAt : at;
        boolean fromInterim = !caller.interim.isEmpty();
        caller.clearTurn();
        caller.lateFinalUntil = fromInterim && !caller.voiceActive ? at.plus(settings.extendedEndOfUtteranceSilence()) : null;
        if (text.isEmpty()) { // voice without words (a cough, line noise): not a turn
            state = ConversationState.LISTENING;
            if (listeningSince == null) listeningSince = at;
            return;
        }
        recordCallerTurn(text, started, ended);
        silenceStrikes = 0;
        listeningSince = null;
        if (!keys && turns.isEndCallPhrase(speech)) {
            speakLine("GOODBYE", settings.goodbyeLine(), false, "caller_goodbye", at);
            return;
        }
        reply = new Reply("REPLY", true, null);
        startModelTurn(at);
    }

    private void recordCallerTurn(String text, Instant started, Instant ended) {
        out.add(new TurnCompleted(Speaker.CALLER, text, started, ended, false));
        if (!history.isEmpty() && history.getLast().role() == Role.USER) {
            ConversationMessage last = history.removeLast();
            history.add(ConversationMessage.user(last.content() + " " + text));
        } else {
            history.add(ConversationMessage.user(text));
        }
    }

    /** A turn cut short by the end of the call still goes into the transcript, without an answer. */
    private void recordPendingCallerTurn(Instant at) {
        if (!caller.hasInput()) return;
        Instant started = caller.turnStartedAt != null ? caller.turnStartedAt : at;
        recordCallerTurn(caller.text(), started, at);
        caller.clearTurn();
    }

    // ---------------------------------------------------------------- barge-in and cancelling

    private boolean isReplying() {
        return reply != null && (state == ConversationState.THINKING || state == ConversationState.SPEAKING);
    }

    private boolean isInterruptible() {
        return isReplying() && reply.interruptible;
    }

    private void bargeIn(Instant at) {
        stats.bargeIns++;
        cancelReply(at, true);
        enterUserSpeaking(at);
    }

    /** Stops the reply in flight, in the order the runtime must act: clear, synthesis, model; then records it. */
    private void cancelReply(Instant at, boolean clearPlayback) {
        if (clearPlayback) out.add(new ClearPlayback());
        for (Utterance u : reply.utterances) {
            if (!u.synthesized && !isModelSpoken(u)) out.add(new CancelSynthesis(u.id));
        }
        if (reply.activeTurnId != null) out.add(new CancelLanguageModel(reply.activeTurnId));
        if (settings.modelSpeaks()) {
            for (Utterance u : reply.utterances) {
                if (!u.heardInFull()) out.add(new TruncateModelSpeech(u.turnId != null ? u.turnId : u.id, Duration.ofMillis(u.heardMillis())));
            }
        }
        finishReply(at, true);
    }

    private void optOut(Instant at, String digit) {
        if (reply != null) cancelReply(at, true);
        caller.dtmf += digit;
        if (caller.turnStartedAt == null) caller.turnStartedAt = at;
        recordPendingCallerTurn(at);
        speakLine("GOODBYE", settings.optOutLine(), false, "opt_out", at);
    }

    private void onHangUp(Instant at) {
        String reason = state == ConversationState.ENDING && endReason != null ? endReason : "caller_hung_up";
        if (reply != null) cancelReply(at, false);
        recordPendingCallerTurn(at);
        endCall(reason);
    }

    private void onStreamResumed(Instant at) {
        caller.voiceActive = false;
        if (reply == null) return;
        boolean heardNothing = reply.utterances.stream().flatMap(u -> u.chunks.stream()).noneMatch(c -> c.heard);
        String kind = reply.kind;
        String reason = reply.endReason;
        cancelReply(at, false);
        if (reason != null || state == ConversationState.ENDING) {
            endCall(reason != null ? reason : endReason);
        } else if (heardNothing && kind.equals("REPLY") && !history.isEmpty() && history.getLast().role() == Role.USER) {
            reply = new Reply("REPLY", true, null); // the caller never heard the answer: ask again
            startModelTurn(at);
        } else {
            afterReply(at);
        }
    }

    // ---------------------------------------------------------------- the bot's reply

    private void speakLine(String kind, String text, boolean interruptible, String reason, Instant at) {
        if (reason != null) {
            state = ConversationState.ENDING;
            endReason = reason;
            endingSince = at;
        }
        if (text.isEmpty()) {
            if (reason != null) endCall(reason);
            else afterReply(at);
            return;
        }
        reply = new Reply(kind, interruptible && reason == null, reason);
        if (reason == null) state = ConversationState.THINKING;
        addUtterance(null, text);
    }

    private void startModelTurn(Instant at) {
        String turnId = "t" + (++turnCounter);
        reply.turnIds.add(turnId);
        reply.activeTurnId = turnId;
        reply.splitter = new SentenceSplitter();
        if (state != ConversationState.ENDING && reply.firstAudioAt == null) state = ConversationState.THINKING;
        if (settings.modelSpeaks()) reply.utterances.add(new Utterance("u" + (++utteranceCounter), turnId, "")); // no Synthesize: the model speaks it
        List<ConversationMessage> messages = new ArrayList<>(history.size() + 1);
        if (!settings.systemPrompt().isEmpty()) messages.add(ConversationMessage.system(settings.systemPrompt()));
        messages.addAll(history);
        out.add(new StartLanguageModel(turnId, messages));
    }

    private boolean isActiveTurn(String turnId) {
        return reply != null && reply.activeTurnId != null && reply.activeTurnId.equals(turnId);
    }

    private void addUtterance(String turnId, String text) {
        Utterance u = new Utterance("u" + (++utteranceCounter), turnId, text);
        reply.utterances.add(u);
        out.add(new Synthesize(u.id, text));
    }

    private void onToken(Instant at, LanguageModelToken token) {
        if (!isActiveTurn(token.turnId())) {
            stats.staleLanguageModelEvents++;
            return;
        }
        if (settings.modelSpeaks()) {
            Utterance spoken = spokenUtterance(token.turnId());
            if (spoken != null && !spoken.synthesized) spoken.text += token.text();
            return;
        }
        for (String sentence : reply.splitter.append(token.text())) addUtterance(token.turnId(), guarded(sentence));
    }

    /** What of a model's sentence is said: itself, or the persona's safe line when it broke a rule ({@link OutputGuard}). */
    private String guarded(String sentence) {
        OutputGuard.Verdict verdict = settings.outputGuard().check(sentence);
        verdict.broke().ifPresent(rule -> stats.guardedSentences++);
        return verdict.say();
    }

    /** A moderation provider stopped an utterance before its audio: the safe line takes its place, in speech and transcript. */
    private void onModerated(SpeechModerated moderated) {
        Utterance u = reply == null ? null : reply.utterance(moderated.utteranceId());
        if (u == null || u.synthesized || !u.chunks.isEmpty()) {
            stats.ignoredInputs++; // cut off by barge-in, or its audio already came
            return;
        }
        u.text = moderated.text();
        stats.guardedSentences++;
    }

    /** The model's own audio for its turn: played as it comes, like synthesised audio. */
    private void onModelAudio(Instant at, LanguageModelAudio audio) {
        Utterance u = isActiveTurn(audio.turnId()) && settings.modelSpeaks() ? spokenUtterance(audio.turnId()) : null;
        if (u == null || u.synthesized) {
            stats.droppedAudioChunks++; // cancelled by barge-in, finished, or unknown: never played
            return;
        }
        u.chunks.add(new Chunk(u.id + "." + u.chunks.size(), audio.duration().toMillis(), audio.audio()));
        pump(at);
    }

    /** The utterance a speaking model fills for {@code turnId}, or null. */
    private Utterance spokenUtterance(String turnId) {
        if (reply == null) return null;
        for (Utterance u : reply.utterances) {
            if (turnId.equals(u.turnId)) return u;
        }
        return null;
    }

    private boolean isModelSpoken(Utterance u) {
        return settings.modelSpeaks() && u.turnId != null;
    }

    /** A speaking model's turn ended: its utterance has all the audio it will get. */
    private void endSpokenUtterance(Instant at, String turnId, boolean failed) {
        Utterance u = settings.modelSpeaks() ? spokenUtterance(turnId) : null;
        if (u == null || u.synthesized) return;
        u.text = u.text.strip();
        u.synthesized = true;
        u.failed = failed;
        pump(at);
    }

    private void onToolCalled(Instant at, LanguageModelToolCalled call) {
        if (!isActiveTurn(call.turnId())) {
            stats.staleLanguageModelEvents++;
            return;
        }
        // what the model said before calling a tool is finished: speak it while the tool runs
        for (String sentence : reply.splitter.flush()) addUtterance(call.turnId(), guarded(sentence));
        if (END_CALL_TOOL.equals(call.name())) {
            reply.toolCalls.add(new ToolCall(call.turnId(), call.toolCallId(), call.name(), call.argumentsJson(), END_CALL_TOOL_RESULT));
            if (reply.endReason == null) {
                String reason = reasonOf(call.argumentsJson());
                reply.endReason = reason;
                reply.interruptible = false;
                state = ConversationState.ENDING;
                endReason = reason;
                endingSince = at;
            }
            return;
        }
        reply.toolCalls.add(new ToolCall(call.turnId(), call.toolCallId(), call.name(), call.argumentsJson(), null));
        out.add(new ExecuteTool(call.turnId(), call.toolCallId(), call.name(), call.argumentsJson()));
    }

    private void onToolResult(Instant at, ToolResultReceived result) {
        ToolCall call = reply == null ? null
                : reply.toolCalls.stream().filter(c -> c.toolCallId.equals(result.toolCallId())).findFirst().orElse(null);
        if (call == null) {
            // the reply that called it was cut: fill in the placeholder so the model sees what happened
            for (int i = 0; i < history.size(); i++) {
                ConversationMessage m = history.get(i);
                if (m.role() == Role.TOOL && result.toolCallId().equals(m.toolCallId()) && m.content().equals(PENDING_TOOL_RESULT)) {
                    history.set(i, m.withContent(result.resultJson()));
                    return;
                }
            }
            stats.staleLanguageModelEvents++;
            return;
        }
        if (call.resultJson != null) {
            stats.staleLanguageModelEvents++;
            return;
        }
        call.resultJson = result.resultJson();
        for (int i = 0; i < history.size(); i++) {
            ConversationMessage m = history.get(i);
            if (m.role() == Role.TOOL && result.toolCallId().equals(m.toolCallId())) history.set(i, m.withContent(call.resultJson));
        }
        if (reply.awaitingToolResults && allToolResultsIn(reply.turnIds.getLast())) {
            reply.awaitingToolResults = false;
            continueAfterTools(at);
        }
    }

    private void onModelCompleted(Instant at, String turnId) {
        if (!isActiveTurn(turnId)) {
            stats.staleLanguageModelEvents++;
            return;
        }
        for (String sentence : reply.splitter.flush()) addUtterance(turnId, guarded(sentence));
        endSpokenUtterance(at, turnId, false);
        reply.activeTurnId = null;
        appendTurnToHistory(turnId);
        boolean calledTools = reply.toolCalls.stream().anyMatch(c -> c.turnId.equals(turnId) && !END_CALL_TOOL.equals(c.name));
        if (calledTools && reply.endReason == null) {
            if (allToolResultsIn(turnId)) continueAfterTools(at);
            else reply.awaitingToolResults = true;
            return;
        }
        if (reply.endReason != null && !reply.hasSpeech() && !settings.goodbyeLine().isEmpty()) {
            addUtterance(null, settings.goodbyeLine());
        }
        checkReplyDone(at);
    }

    private void onModelFailed(Instant at, String turnId) {
        if (!isActiveTurn(turnId)) {
            stats.staleLanguageModelEvents++;
            return;
        }
        stats.languageModelFailures++;
        endSpokenUtterance(at, turnId, true);
        reply.activeTurnId = null;
        reply.splitter = new SentenceSplitter();
        reply.awaitingToolResults = false;
        appendTurnToHistory(turnId);
        if (!reply.hasSpeech()) {
            String line = reply.endReason != null ? settings.goodbyeLine() : settings.languageModelErrorLine();
            if (!line.isEmpty()) addUtterance(null, line);
        }
        checkReplyDone(at);
    }

    private boolean allToolResultsIn(String turnId) {
        return reply.toolCalls.stream().filter(c -> c.turnId.equals(turnId)).allMatch(c -> c.resultJson != null);
    }

    private void continueAfterTools(Instant at) {
        if (reply.toolRounds >= MAX_TOOL_ROUNDS) {
            checkReplyDone(at);
            return;
        }
        reply.toolRounds++;
        startModelTurn(at);
    }

    /** Adds a model turn to the history as generated; {@link #finishReply} later keeps only what was heard. */
    private void appendTurnToHistory(String turnId) {
        String generated = String.join(" ", reply.utterances.stream().filter(u -> turnId.equals(u.turnId) && !u.text.isBlank())
                .map(u -> u.text.strip()).toList());
        if (!generated.isEmpty()) history.add(ConversationMessage.assistant(generated, turnId));
        for (ToolCall c : reply.toolCalls) {
            if (c.turnId.equals(turnId)) history.add(ConversationMessage.toolCall(turnId, c.toolCallId, c.name, c.argumentsJson));
        }
        for (ToolCall c : reply.toolCalls) {
            if (c.turnId.equals(turnId)) {
                history.add(ConversationMessage.toolResult(c.toolCallId, c.name, c.resultJson != null ? c.resultJson : PENDING_TOOL_RESULT));
            }
        }
    }

    private void onAudio(Instant at, AudioSynthesized audio) {
        Utterance u = reply == null ? null : reply.utterance(audio.utteranceId());
        if (u == null || u.synthesized) {
            stats.droppedAudioChunks++; // cancelled by barge-in, or unknown: never played
            return;
        }
        u.chunks.add(new Chunk(u.id + "." + u.chunks.size(), audio.duration().toMillis(), audio.audio()));
        pump(at);
    }

    private void onSynthesisEnded(Instant at, String utteranceId, boolean failed) {
        Utterance u = reply == null ? null : reply.utterance(utteranceId);
        if (u == null || u.synthesized) {
            stats.staleSynthesisEvents++;
            return;
        }
        u.synthesized = true;
        if (failed) {
            u.failed = true;
            stats.synthesisFailures++;
        }
        pump(at);
        checkReplyDone(at);
    }

    /** Sends audio in sentence order: an utterance's chunks wait until every earlier utterance is fully synthesised. */
    private void pump(Instant at) {
        while (reply.playIndex < reply.utterances.size()) {
            Utterance u = reply.utterances.get(reply.playIndex);
            for (Chunk c : u.chunks) {
                if (c.played) continue;
                out.add(new PlayAudio(u.id, c.audio, Duration.ofMillis(c.durationMillis), c.markName));
                c.played = true;
                c.audio = null;
                if (reply.firstAudioAt == null) reply.firstAudioAt = at;
                if (state == ConversationState.THINKING) state = ConversationState.SPEAKING;
            }
            if (!u.synthesized) return;
            reply.playIndex++;
        }
    }

    private void onMark(Instant at, String markName) {
        if (reply == null || !reply.hasPlayedChunk(markName)) {
            stats.staleMarks++;
            return;
        }
        outer:
        for (Utterance u : reply.utterances) { // playback is in order: a mark confirms everything before it
            for (Chunk c : u.chunks) {
                c.heard = true;
                if (c.markName.equals(markName)) break outer;
            }
        }
        checkReplyDone(at);
    }

    private void checkReplyDone(Instant at) {
        if (reply == null || reply.activeTurnId != null || reply.awaitingToolResults) return;
        for (Utterance u : reply.utterances) {
            if (!u.synthesized) return;
            for (Chunk c : u.chunks) {
                if (!c.heard) return;
            }
        }
        String reason = reply.endReason;
        finishReply(at, false);
        if (reason != null) endCall(reason);
        else afterReply(at);
    }

    /** Closes the reply: the history keeps what was heard, and the transcript gets the bot's turn. */
    private void finishReply(Instant at, boolean interrupted) {
        Reply r = reply;
        if (r.activeTurnId != null) {
            appendTurnToHistory(r.activeTurnId);
            r.activeTurnId = null;
        }
        for (String turnId : r.turnIds) {
            String heard = r.heard(turnId, false);
            for (int i = 0; i < history.size(); i++) {
                ConversationMessage m = history.get(i);
                if (m.isAssistantText() && turnId.equals(m.turnId())) {
                    if (heard.isEmpty()) history.remove(i);
                    else history.set(i, m.withContent(heard));
                    break;
                }
            }
        }
        String lines = r.heard(null, false);
        if (!lines.isEmpty()) history.add(ConversationMessage.assistant(lines, null));
        String all = r.heard(null, true);
        if (!all.isEmpty()) {
            out.add(new TurnCompleted(Speaker.BOT, all, r.firstAudioAt != null ? r.firstAudioAt : at, at, interrupted));
        }
        reply = null;
    }

    /** The bot finished talking: hand the floor to the caller, or say the time warning if it is due. */
    private void afterReply(Instant at) {
        state = ConversationState.LISTENING;
        if (caller.voiceActive || caller.hasInput()) {
            if (!caller.voiceActive && caller.dtmf.isEmpty() && turns.isBackchannelOnly(caller.speech())) {
                stats.backchannels++;
                caller.clearTurn();
            } else {
                enterUserSpeaking(at);
                return;
            }
        }
        if (warningPending) {
            warningPending = false;
            warningGiven = true;
            speakLine("WARNING", settings.maxCallLengthWarningLine(), true, null, at);
            return;
        }
        listeningSince = at;
    }

    private void endCall(String reason) {
        state = ConversationState.ENDED;
        endReason = reason;
        listeningSince = null;
        out.add(new EndCall(reason));
    }

    private static String reasonOf(String argumentsJson) {
        Matcher m = REASON.matcher(argumentsJson);
        if (!m.find()) return "assistant_ended";
        String reason = m.group(1).replaceAll("\\\\(.)", "$1").strip();
        if (reason.isEmpty()) return "assistant_ended";
        return reason.length() > 100 ? reason.substring(0, 100) : reason;
    }

    // ---------------------------------------------------------------- timers

    private enum Timer { MAX_LENGTH, GOODBYE, WARNING, BARGE_IN, YIELD, RESUME, ENDPOINT, SILENCE }

    private record Due(Instant at, Timer timer) {}

    private Optional<Due> earliest() {
        if (callStartedAt == null || state == ConversationState.ENDED) return Optional.empty();
        List<Due> due = new ArrayList<>(6);
        boolean ending = state == ConversationState.ENDING;
        if (settings.hasMaxCallLength() && !ending) {
            Instant limit = callStartedAt.plus(settings.maxCallLength());
            due.add(new Due(limit, Timer.MAX_LENGTH));
            if (!warningGiven && !warningPending && settings.maxCallLengthWarningBefore().isPositive()
                    && settings.maxCallLengthWarningBefore().compareTo(settings.maxCallLength()) < 0) {
                due.add(new Due(limit.minus(settings.maxCallLengthWarningBefore()), Timer.WARNING));
            }
        }
        if (ending && endingSince != null) due.add(new Due(endingSince.plus(settings.goodbyeTimeout()), Timer.GOODBYE));
        if (isInterruptible()) {
            bargeIn.voiceDeadline(caller.voiceActive, caller.voiceStartedAt, caller.speech())
                    .ifPresent(at -> due.add(new Due(at, Timer.BARGE_IN)));
            if (reply.yieldedAt == null) {
                bargeIn.yieldDeadline(caller.voiceActive, caller.voiceStartedAt, caller.speech())
                        .ifPresent(at -> due.add(new Due(at, Timer.YIELD)));
            }
        }
        if (reply != null && reply.yieldedAt != null) due.add(new Due(reply.yieldedAt.plus(MAX_YIELD), Timer.RESUME));
        if (state == ConversationState.USER_SPEAKING && !caller.voiceActive) {
            Instant since = caller.lastActivityAt != null ? caller.lastActivityAt : caller.turnStartedAt;
            if (since != null) {
                Duration wait = caller.lastActivityWasDtmf ? settings.dtmfInterDigitTimeout() : turns.silenceThreshold(caller.speech());
                due.add(new Due(since.plus(wait), Timer.ENDPOINT));
            }
        }
        if (state == ConversationState.LISTENING && listeningSince != null) {
            due.add(new Due(listeningSince.plus(settings.silenceTimeout()), Timer.SILENCE));
        }
        Due best = null;
        for (Due d : due) { // ties go to the earlier Timer constant
            if (best == null || d.at().isBefore(best.at()) || (d.at().equals(best.at()) && d.timer().compareTo(best.timer()) < 0)) best = d;
        }
        return Optional.ofNullable(best);
    }

    private void fireDue(Instant until) {
        for (int guard = 0; guard < 64; guard++) {
            Optional<Due> next = earliest();
            if (next.isEmpty() || next.get().at().isAfter(until)) return;
            Instant at = now == null || next.get().at().isAfter(now) ? next.get().at() : now;
            now = at;
            switch (next.get().timer()) {
                case BARGE_IN -> bargeIn(at);
                case YIELD -> yieldTo(at);
                case RESUME -> resume();
                case ENDPOINT -> commitUserTurn(at);
                case SILENCE -> onSilence(at);
                case WARNING -> onWarning(at);
                case MAX_LENGTH -> onMaxLength(at);
                case GOODBYE -> onGoodbyeTimeout(at);
            }
        }
        // unreachable: every timer changes the state it depends on; never loop forever on a bug
    }

    /** Falls silent for the caller's voice, keeping the reply: see {@link ConversationCommand.PausePlayback}. */
    private void yieldTo(Instant at) {
        reply.yieldedAt = at;
        stats.yields++;
        out.add(new PausePlayback());
    }

    /** The caller's voice was not an interruption: the bot carries on from what the caller did not hear. */
    private void resume() {
        reply.yieldedAt = null;
        out.add(new ResumePlayback());
    }

    private void onSilence(Instant at) {
        listeningSince = null;
        if (silenceStrikes < settings.maxSilenceReprompts()) {
            silenceStrikes++;
            speakLine("REPROMPT", settings.repromptLine(), true, null, at);
        } else {
            silenceStrikes++;
            speakLine("GOODBYE", settings.silenceGoodbyeLine(), false, "silence_timeout", at);
        }
    }

    private void onWarning(Instant at) {
        if (state == ConversationState.LISTENING) {
            warningGiven = true;
            listeningSince = null;
            speakLine("WARNING", settings.maxCallLengthWarningLine(), true, null, at);
        } else {
            warningPending = true; // said at the next pause, never over the bot or the caller
        }
    }

    private void onMaxLength(Instant at) {
        warningPending = false;
        warningGiven = true;
        if (reply != null) cancelReply(at, true);
        recordPendingCallerTurn(at);
        speakLine("GOODBYE", settings.maxCallLengthGoodbyeLine(), false, "max_duration", at);
    }

    private void onGoodbyeTimeout(Instant at) {
        String reason = endReason != null ? endReason : "ended";
        if (reply != null) cancelReply(at, false);
        endCall(reason);
    }

    // ---------------------------------------------------------------- mutable state (mirrors ConversationSnapshot)

    private static final class Caller {
        boolean voiceActive;
        Instant voiceStartedAt;
        Instant turnStartedAt;
        Instant lastActivityAt;
        boolean lastActivityWasDtmf;
        final List<String> finals = new ArrayList<>();
        String interim = "";
        String dtmf = "";
        Instant lateFinalUntil;

        String speech() {
            StringBuilder sb = new StringBuilder();
            for (String f : finals) sb.append(f).append(' ');
            sb.append(interim);
            return sb.toString().strip().replaceAll("\\s+", " ");
        }

        String text() {
            String speech = speech();
            if (dtmf.isEmpty()) return speech;
            String keys = "[DTMF " + dtmf + "]";
            return speech.isEmpty() ? keys : speech + " " + keys;
        }

        boolean hasInput() {
            return !dtmf.isEmpty() || !speech().isEmpty();
        }

        void clearTurn() {
            finals.clear();
            interim = "";
            dtmf = "";
            turnStartedAt = null;
            lastActivityAt = null;
            lastActivityWasDtmf = false;
        }

        ConversationSnapshot.Caller toSnapshot() {
            return new ConversationSnapshot.Caller(voiceActive, voiceStartedAt, turnStartedAt, lastActivityAt,
                    lastActivityWasDtmf, finals, interim, dtmf, lateFinalUntil);
        }

        void restore(ConversationSnapshot.Caller s) {
            voiceActive = s.voiceActive();
            voiceStartedAt = s.voiceStartedAt();
            turnStartedAt = s.turnStartedAt();
            lastActivityAt = s.lastActivityAt();
            lastActivityWasDtmf = s.lastActivityWasDtmf();
            finals.addAll(s.finals());
            interim = s.interim();
            dtmf = s.dtmfDigits();
            lateFinalUntil = s.lateFinalUntil();
        }
    }

    private static final class Reply {
        final String kind;
        boolean interruptible;
        String endReason;
        Instant firstAudioAt;
        final List<String> turnIds = new ArrayList<>();
        String activeTurnId;
        SentenceSplitter splitter = new SentenceSplitter();
        boolean awaitingToolResults;
        int toolRounds;
        final List<Utterance> utterances = new ArrayList<>();
        int playIndex;
        final List<ToolCall> toolCalls = new ArrayList<>();
        Instant yieldedAt;

        Reply(String kind, boolean interruptible, String endReason) {
            this.kind = kind;
            this.interruptible = interruptible;
            this.endReason = endReason;
        }

        Utterance utterance(String id) {
            for (Utterance u : utterances) {
                if (u.id.equals(id)) return u;
            }
            return null;
        }

        /** Whether anything is (or will be) said: an utterance with words or audio. */
        boolean hasSpeech() {
            for (Utterance u : utterances) {
                if (!u.text.isBlank() || !u.chunks.isEmpty()) return true;
            }
            return false;
        }

        boolean hasPlayedChunk(String markName) {
            for (Utterance u : utterances) {
                for (Chunk c : u.chunks) {
                    if (c.played && c.markName.equals(markName)) return true;
                }
            }
            return false;
        }

        /** Heard text of the utterances of {@code turnId} ({@code null}: scripted lines), or of all when {@code all}. */
        String heard(String turnId, boolean all) {
            List<String> parts = new ArrayList<>();
            for (Utterance u : utterances) {
                if (all || Objects.equals(u.turnId, turnId)) {
                    String h = u.heardText();
                    if (!h.isEmpty()) parts.add(h);
                }
            }
            return String.join(" ", parts);
        }

        ConversationSnapshot.Reply toSnapshot() {
            return new ConversationSnapshot.Reply(kind, interruptible, endReason, firstAudioAt, turnIds, activeTurnId,
                    splitter.pending(), awaitingToolResults, toolRounds,
                    utterances.stream().map(Utterance::toSnapshot).toList(), playIndex,
                    toolCalls.stream().map(ToolCall::toSnapshot).toList(), yieldedAt);
        }

        static Reply restore(ConversationSnapshot.Reply s) {
            Reply r = new Reply(s.kind(), s.interruptible(), s.endReason());
            r.firstAudioAt = s.firstAudioAt();
            r.turnIds.addAll(s.turnIds());
            r.activeTurnId = s.activeTurnId();
            r.splitter = new SentenceSplitter(s.splitterPending());
            r.awaitingToolResults = s.awaitingToolResults();
            r.toolRounds = s.toolRounds();
            for (ConversationSnapshot.Utterance u : s.utterances()) r.utterances.add(Utterance.restore(u));
            r.playIndex = s.playIndex();
            r.yieldedAt = s.yieldedAt();
            for (ConversationSnapshot.ToolCall c : s.toolCalls()) {
                r.toolCalls.add(new ToolCall(c.turnId(), c.toolCallId(), c.name(), c.argumentsJson(), c.resultJson()));
            }
            return r;
        }
    }

    private static final class Utterance {
        final String id;
        final String turnId;
        String text; // grows while a speaking model's transcript arrives
        boolean synthesized;
        boolean failed;
        final List<Chunk> chunks = new ArrayList<>();

        Utterance(String id, String turnId, String text) {
            this.id = id;
            this.turnId = turnId;
            this.text = text;
        }

        /**
         * The words the caller heard. Chunk {@code i} carries the words from
         * {@code round(W * start_i / T)} to {@code round(W * end_i / T)}, where {@code W} is the word count,
         * {@code start_i}/{@code end_i} the chunk's position in the audio and {@code T} the sentence's total
         * duration (estimated at {@link #ESTIMATED_WORD_DURATION} a word while unknown); heard chunks are a
         * prefix, so the heard words are a prefix too.
         */
        String heardText() {
            if (chunks.isEmpty()) return "";
            if (heardInFull() && !failed) return text.strip();
            String[] words = text.strip().split("\\s+");
            long heardMillis = 0;
            long producedMillis = 0;
            for (Chunk c : chunks) {
                producedMillis += c.durationMillis;
                if (c.heard) heardMillis += c.durationMillis;
            }
            long total = synthesized && !failed
                    ? producedMillis
                    : Math.max(producedMillis, words.length * ESTIMATED_WORD_DURATION.toMillis());
            if (total <= 0) return "";
            int n = (int) Math.min(words.length, Math.round(words.length * (double) heardMillis / total));
            return String.join(" ", Arrays.asList(words).subList(0, n));
        }

        /** All of its audio has arrived and been heard (vacuously so for an utterance without audio). */
        boolean heardInFull() {
            return synthesized && chunks.stream().allMatch(c -> c.heard);
        }

        /** How much of its audio the caller heard: heard chunks are a prefix. */
        long heardMillis() {
            long heard = 0;
            for (Chunk c : chunks) {
                if (c.heard) heard += c.durationMillis;
            }
            return heard;
        }

        ConversationSnapshot.Utterance toSnapshot() {
            return new ConversationSnapshot.Utterance(id, turnId, text, synthesized, failed,
                    chunks.stream().map(Chunk::toSnapshot).toList());
        }

        static Utterance restore(ConversationSnapshot.Utterance s) {
            Utterance u = new Utterance(s.id(), s.turnId(), s.text());
            u.synthesized = s.synthesized();
            u.failed = s.failed();
            for (ConversationSnapshot.Chunk c : s.chunks()) {
                Chunk chunk = new Chunk(c.markName(), c.durationMillis(),
                        c.audioBase64() == null ? null : Base64.getDecoder().decode(c.audioBase64()));
                chunk.played = c.played();
                chunk.heard = c.heard();
                u.chunks.add(chunk);
            }
            return u;
        }
    }

    private static final class Chunk {
        final String markName;
        final long durationMillis;
        byte[] audio; // kept only until played
        boolean played;
        boolean heard;

        Chunk(String markName, long durationMillis, byte[] audio) {
            this.markName = markName;
            this.durationMillis = durationMillis;
            this.audio = audio;
        }

        ConversationSnapshot.Chunk toSnapshot() {
            return new ConversationSnapshot.Chunk(markName, durationMillis, played, heard,
                    audio == null ? null : Base64.getEncoder().encodeToString(audio));
        }
    }

    private static final class ToolCall {
        final String turnId;
        final String toolCallId;
        final String name;
        final String argumentsJson;
        String resultJson;

        ToolCall(String turnId, String toolCallId, String name, String argumentsJson, String resultJson) {
            this.turnId = turnId;
            this.toolCallId = toolCallId;
            this.name = name;
            this.argumentsJson = argumentsJson;
            this.resultJson = resultJson;
        }

        ConversationSnapshot.ToolCall toSnapshot() {
            return new ConversationSnapshot.ToolCall(turnId, toolCallId, name, argumentsJson, resultJson);
        }
    }

    private static final class Counters {
        int ignoredInputs;
        int staleLanguageModelEvents;
        int staleSynthesisEvents;
        int droppedAudioChunks;
        int staleMarks;
        int lateTranscripts;
        int bargeIns;
        int backchannels;
        int languageModelFailures;
        int synthesisFailures;
        int yields;
        int guardedSentences;

        ConversationStats toRecord() {
            return new ConversationStats(ignoredInputs, staleLanguageModelEvents, staleSynthesisEvents, droppedAudioChunks,
                    staleMarks, lateTranscripts, bargeIns, backchannels, languageModelFailures, synthesisFailures, yields, guardedSentences);
        }

        void restore(ConversationStats s) {
            ignoredInputs = s.ignoredInputs();
            staleLanguageModelEvents = s.staleLanguageModelEvents();
            staleSynthesisEvents = s.staleSynthesisEvents();
            droppedAudioChunks = s.droppedAudioChunks();
            staleMarks = s.staleMarks();
            lateTranscripts = s.lateTranscripts();
            bargeIns = s.bargeIns();
            backchannels = s.backchannels();
            languageModelFailures = s.languageModelFailures();
            synthesisFailures = s.synthesisFailures();
            yields = s.yields();
            guardedSentences = s.guardedSentences();
        }
    }
}
