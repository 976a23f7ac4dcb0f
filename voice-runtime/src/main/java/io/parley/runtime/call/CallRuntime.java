package io.parley.runtime.call;

import io.parley.runtime.conversation.ConversationCommand;
import io.parley.runtime.conversation.ConversationEngine;
import io.parley.runtime.conversation.ConversationInput;
import io.parley.runtime.conversation.ConversationSettings;
import io.parley.runtime.conversation.ConversationSnapshot;
import io.parley.runtime.conversation.ConversationState;
import io.parley.runtime.conversation.ScriptedBrain;
import io.parley.runtime.conversation.Speaker;
import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.moderation.Moderation;
import io.parley.runtime.media.VoiceActivityDetector;
import io.parley.runtime.media.twilio.CallHandler;
import io.parley.runtime.media.twilio.Outbound;
import io.parley.runtime.media.twilio.TwilioMessage;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallToken;
import io.parley.runtime.speech.SpeechToSpeech;
import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.TextToSpeech;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call on this instance: feeds the socket, the providers and the timer into the call's
 * {@link ConversationEngine} one at a time, carries out the engine's commands, keeps the call's
 * state in Redis and publishes its events. If the stream comes back on another instance, that
 * instance restores the engine from Redis and carries on without greeting again.
 *
 * <p>Saving the state is off the call's path: the engine's snapshot is taken on the call's serial
 * executor and written by a second one, which always writes the newest snapshot and skips those
 * overtaken. It is saved at once when the conversation moves on (a state change, a completed turn,
 * a tool call) and otherwise at most every {@link #SAVE_INTERVAL} (audio chunks, tokens, marks,
 * interims), and for the last time before the lease is released, so the next instance starts from
 * what this one did. An instance that dies loses at most that interval of marks and partial words.
 */
final class CallRuntime implements CallHandler {

    private static final Logger log = LoggerFactory.getLogger(CallRuntime.class);
    /** How often the owner lease is renewed (well inside {@link CallSessionStore#LEASE}). */
    static final Duration LEASE_RENEWAL = Duration.ofSeconds(2);
    /** How long a resumed stream waits for the previous instance's lease to lapse. */
    static final Duration TAKEOVER_WAIT = CallSessionStore.LEASE.plusSeconds(1);
    /** The longest a change waits to be saved when the conversation did not move on. */
    static final Duration SAVE_INTERVAL = Duration.ofSeconds(1);

    private final CallSessionStore store;
    private final CallEvents events;
    private final Providers providers;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final String instance;
    private final SerialExecutor serial;
    /** Writes snapshots to Redis, in order, off the call's executor. */
    private final SerialExecutor saves;
    private final java.util.concurrent.atomic.AtomicReference<ConversationSnapshot> unsaved = new java.util.concurrent.atomic.AtomicReference<>();
    private ScheduledFuture<?> saveLater;
    private ConversationState savedState;
    private final CallMetrics metrics;
    private final Usage usage = new Usage();
    /** The on-box voice activity detector, fed on the socket's thread; null when the provider reports voice activity. */
    private final VoiceActivityDetector detector;


    private CallToken token;
    private Outbound out;
    private CallBootstrap bootstrap;
    private ConversationEngine engine;
    private ScriptedBrain brain;
    private Map<String, List<String>> stepKeywords = Map.of();
    private String expectedStep;
    private LanguageModel llm;
    private TextToSpeech tts;
    private TextToSpeech.Voice voice;
    /** Written on the call's executor, read by {@link #audio} on the socket's. */
    private volatile SpeechToText.Stream listening;
    /** Set when the persona speaks through a speech-to-speech model: it hears, thinks and speaks in place of the three. */
    private volatile SpeechToSpeechBridge spoken;
    private final Map<String, TextToSpeech.Synthesis> syntheses = new HashMap<>();
    private final Map<String, LanguageModel.Generation> generations = new HashMap<>();
    private ScheduledFuture<?> timer;
    private Instant timerDeadline;
    private ScheduledFuture<?> leaseRenewal;
    private boolean running;
    /** This instance holds the call's lease (and so may write its state). */
    private boolean leased;
    private boolean ended;

    CallRuntime(CallSessionStore store, CallEvents events, Providers providers, ScheduledExecutorService timers,
                Executor workers, Clock clock, String instance, CallMetrics metrics, VoiceActivitySource voiceActivity) {
        this.metrics = metrics;
        this.detector = voiceActivity == VoiceActivitySource.ON_BOX
                ? new VoiceActivityDetector(VoiceActivityDetector.Settings.DEFAULTS, new OnBoxVoice()) : null;
        this.store = store;
        this.events = events;
        this.providers = providers;
        this.timers = timers;
        this.clock = clock;
        this.instance = instance;
        this.serial = new SerialExecutor(workers);
        this.saves = new SerialExecutor(workers);
    }

    // --- from the socket ----------------------------------------------------------------------

    @Override
    public void started(CallToken token, TwilioMessage.Start start, Outbound out) {
        this.token = token;
        this.out = out;
        serial.execute(this::begin);
    }

    /**
     * Caller audio goes straight to the recogniser on the socket's thread: it needs nothing from the
     * conversation, the socket delivers one frame at a time, and recogniser streams take audio from any
     * thread (and ignore it once closed). Fifty frames a second per call do not queue behind call work.
     */
    @Override
    public void audio(byte[] ulaw, long timestampMillis) {
        if (spoken != null) {
            serial.execute(() -> {
                if (running && spoken != null) spoken.audio(ulaw); // μ-law as it came: the model takes phone audio
            });
            return;
        }
        SpeechToText.Stream ears = listening;
        if (ears == null) return;
        if (detector != null) detector.accept(ulaw, 0, ulaw.length);
        ears.audio(ulaw, 0, ulaw.length); // as it came: a recogniser that needs other audio converts it itself
        usage.sttSamples.add(ulaw.length);
    }

    @Override
    public void dtmf(String digit) {
        input(new ConversationInput.DtmfReceived(clock.instant(), digit));
    }

    @Override
    public void mark(String name) {
        input(new ConversationInput.PlaybackMarkReached(clock.instant(), name));
    }

    @Override
    public void ended(String reason) {
        serial.execute(() -> finish(reason));
    }

    // --- the call -----------------------------------------------------------------------------

    private void begin() {
        try {
            beginCall();
        } catch (RuntimeException e) {
            log.error("Call {} could not start", token.callId(), e);
            stopWork();
            out.hangUp("could not start");
        }
    }

    private void beginCall() {
        UUID callId = token.callId();
        Optional<CallBootstrap> found = store.bootstrap(callId);
        if (found.isEmpty() || !found.get().tenantId().equals(token.tenantId())) {
            log.warn("No session for call {}: hanging up", callId);
            out.hangUp("no session for this call");
            return;
        }
        bootstrap = found.get();
        if (!takeOver(callId)) {
            log.warn("Call {} is running on another instance: hanging up this stream", callId);
            out.hangUp("call is running elsewhere");
            return;
        }
        leased = true;
        CallBootstrap.Persona persona = bootstrap.persona();
        // a model this instance has runs the call (a flow becomes its instructions, each answer judged by the model);
        // without one, the persona's flow is played by the scripted brain, and without a flow a short chat
        String model = persona.llm() == null ? null : persona.llm().provider();
        SpeechToSpeech speechModel = providers.speechToSpeech(model);
        llm = speechModel == null ? providers.llm(model) : null;
        brain = speechModel == null && llm == null ? Scripts.brain(bootstrap) : null;
        stepKeywords = brain == null ? Map.of() : Scripts.keywords(persona);
        if (brain == null && llm == null && speechModel == null) {
            brain = Scripts.fallback(persona, bootstrap.variables());
        }
        tts = providers.tts(persona.voice() == null ? null : persona.voice().provider());
        voice = new TextToSpeech.Voice(persona.voice() == null ? null : persona.voice().voiceOrModel(), persona.language(),
                persona.voice() == null ? Map.of() : persona.voice().settings(), null);
        ConversationSettings scripted = Scripts.settings(bootstrap, brain);
        ConversationSettings settings = speechModel == null ? scripted : scripted.toBuilder().modelSpeaks(true).build();

        Optional<ConversationSnapshot> snapshot = store.conversation(callId, ConversationSnapshot.class);
        engine = snapshot.map(s -> ConversationEngine.restore(settings, s, clock)).orElseGet(() -> new ConversationEngine(settings, clock));
        SpeechToText stt = providers.stt(persona.stt() == null ? null : persona.stt().provider());
        if (speechModel != null) {
            spoken = speaking(speechModel, persona, settings);
        } else {
            listening = stt.open(new SpeechToText.StreamSettings(persona.language(), expectedPhrases(), null), new Listening());
        }
        running = true;
        usage.startedNanos = System.nanoTime();
        usage.stt = stt.id();
        usage.tts = tts.id();
        usage.llm = brain != null ? "scripted" : speechModel != null ? speechModel.id() : llm.id();
        leaseRenewal = timers.scheduleAtFixedRate(() -> serial.execute(this::renewLease),
                LEASE_RENEWAL.toMillis(), LEASE_RENEWAL.toMillis(), TimeUnit.MILLISECONDS);
        if (snapshot.isEmpty()) {
            events.publish(bootstrap.tenantId(), callId, "call.started", clock.instant(),
                    Map.of("instance", instance, "persona", persona.id() == null ? "" : persona.id().toString()));
            apply(engine.handle(new ConversationInput.CallStarted(clock.instant())));
        } else {
            apply(engine.handle(new ConversationInput.StreamResumed(clock.instant())));
        }
    }

    /** Bridges the call to a speech-to-speech model; its session opens when first needed, from the conversation as it is then. */
    private SpeechToSpeechBridge speaking(SpeechToSpeech model, CallBootstrap.Persona persona, ConversationSettings settings) {
        SpeechToSpeech.SessionSettings session = new SpeechToSpeech.SessionSettings(persona.llm().voiceOrModel(),
                persona.voice() == null ? null : persona.voice().voiceOrModel(), persona.language(), settings.systemPrompt(),
                offeredTools(), List.of(), null);
        return new SpeechToSpeechBridge(model, session, engine::history, this::input, clock, token.callId().toString());
    }

    private boolean takeOver(UUID callId) {
        long deadline = System.nanoTime() + TAKEOVER_WAIT.toNanos();
        while (!store.acquire(callId, instance)) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void renewLease() {
        if (running && !store.renew(token.callId(), instance)) {
            log.warn("Lost the lease of call {}: another instance took it over", token.callId());
            leased = false; // its state is the other instance's to write now
            stopWork();
            out.hangUp("taken over");
        }
    }

    private void input(ConversationInput input) {
        long queued = System.nanoTime();
        serial.execute(() -> {
            if (!running) return;
            inputQueuedNanos = queued;
            apply(engine.handle(input));
        });
    }

    /** Carries out the engine's commands, then saves the state (now or soon) and sets the next timer. */
    private void apply(List<ConversationCommand> commands) {
        boolean movedOn = false;
        for (ConversationCommand command : commands) {
            if (command instanceof ConversationCommand.TurnCompleted || command instanceof ConversationCommand.ExecuteTool) movedOn = true;
            if (spoken != null && spoken.handles(command)) continue; // the speech-to-speech model thinks and speaks
            switch (command) {
                case ConversationCommand.StartLanguageModel start -> think(start);
                case ConversationCommand.CancelLanguageModel cancel -> {
                    LanguageModel.Generation generation = generations.remove(cancel.turnId());
                    if (generation != null) generation.cancel();
                }
                case ConversationCommand.Synthesize say -> speak(say);
                case ConversationCommand.CancelSynthesis cancel -> {
                    TextToSpeech.Synthesis synthesis = syntheses.remove(cancel.utteranceId());
                    if (synthesis != null) synthesis.cancel();
                }
                case ConversationCommand.PlayAudio play -> {
                    out.play(play.audio(), play.markName());
                    if (turnStartedNanos > 0) {
                        long now = System.nanoTime();
                        metrics.turnLatency.record(now - turnStartedNanos, TimeUnit.NANOSECONDS);
                        metrics.runtimeAdded.record(runtimeAddedNanos + now - inputQueuedNanos, TimeUnit.NANOSECONDS);
                        turnStartedNanos = 0;
                    }
                }
                case ConversationCommand.ClearPlayback clear -> {
                    out.clear();
                    recordBargeIn();
                }
                case ConversationCommand.PausePlayback pause -> {
                    out.pause();
                    recordBargeIn();
                }
                case ConversationCommand.ResumePlayback resume -> out.resume();
                case ConversationCommand.ExecuteTool tool -> {
                    // platform tools run off this executor, with a timeout; the result comes back as an input (errors included)
                    UUID tenantId = bootstrap.tenantId();
                    UUID callId = token.callId();
                    providers.tools().execute(bootstrap, tool.toolCallId(), tool.name(), tool.argumentsJson()).thenAccept(result -> {
                        Map<String, Object> data = new LinkedHashMap<>();
                        data.put("toolCallId", tool.toolCallId());
                        data.put("name", tool.name());
                        data.put("arguments", tool.argumentsJson());
                        data.put("result", result);
                        events.publish(tenantId, callId, "call.tool_called", clock.instant(), data);
                        serial.execute(() -> {
                            if (running && spoken != null) spoken.toolResult(tool.toolCallId(), result);
                        });
                        input(new ConversationInput.ToolResultReceived(clock.instant(), tool.toolCallId(), result));
                    });
                }
                case ConversationCommand.TruncateModelSpeech ignored -> { } // only a speech-to-speech model has speech to truncate
                case ConversationCommand.TurnCompleted turn when transferPending && turn.speaker() == Speaker.BOT -> {
                    events.publish(bootstrap.tenantId(), token.callId(), "call.turn", clock.instant(), turnData(turn));
                    transferPending = false;
                    transferRequested = true;
                    events.publish(bootstrap.tenantId(), token.callId(), "call.transfer_requested", clock.instant(), Map.of("reason", "crisis"));
                }
                case ConversationCommand.TurnCompleted turn -> events.publish(bootstrap.tenantId(), token.callId(), "call.turn", clock.instant(),
                        turnData(turn));
                case ConversationCommand.EndCall end -> {
                    publishUsage();
                    events.publish(bootstrap.tenantId(), token.callId(), "call.ended", clock.instant(), Map.of("reason", end.reason()));
                    ended = true;
                    stopWork();
                    saveAndRelease();
                    // after the last save: whoever looks once the stream is closed finds the call ended
                    saves.execute(() -> out.hangUp(end.reason()));
                    return;
                }
            }
        }
        save(movedOn || engine.state() != savedState);
        rescheduleTimer();
        updateExpectations();
    }

    /** Saves the conversation now (asynchronously) when it moved on, else within {@link #SAVE_INTERVAL}. */
    private void save(boolean now) {
        if (now) {
            if (saveLater != null) {
                saveLater.cancel(false);
                saveLater = null;
            }
            write(engine.snapshot());
        } else if (saveLater == null) {
            saveLater = timers.schedule(() -> serial.execute(() -> {
                saveLater = null;
                if (running) write(engine.snapshot());
            }), SAVE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void write(ConversationSnapshot snapshot) {
        savedState = snapshot.state();
        unsaved.set(snapshot);
        UUID callId = token.callId();
        saves.execute(() -> {
            ConversationSnapshot newest = unsaved.getAndSet(null);
            if (newest == null) return; // an earlier task already wrote it
            try {
                store.saveConversation(callId, newest);
            } catch (RuntimeException e) {
                log.warn("Could not save call {}: {}", callId, e.toString());
            }
        });
    }

    /** The last save of this stream, then the lease: the instance that takes the call next starts from it. */
    private void saveAndRelease() {
        if (saveLater != null) {
            saveLater.cancel(false);
            saveLater = null;
        }
        if (!leased) return;
        leased = false;
        if (engine != null) write(engine.snapshot());
        UUID callId = token.callId();
        saves.execute(() -> store.release(callId, instance));
    }

    /** What the call's model may call: {@code end_call}, and the platform tools the persona is allowed. */
    private List<LanguageModel.Tool> offeredTools() {
        List<LanguageModel.Tool> tools = new ArrayList<>(ModelInputs.TOOLS);
        tools.addAll(providers.tools().offered(bootstrap, clock.instant()));
        return tools;
    }

    /** Said when a caller shows signs of harming themselves and the persona has no crisis line of its own. */
    static final String CRISIS_LINE = "I'm really sorry you're feeling this way, and I'm glad you told me. You don't have to go through "
            + "this alone. Please reach a crisis line now: in the US or Canada, call or text 988; in the UK, call Samaritans on 116 123; "
            + "anywhere else, your local emergency number. If you are in danger right now, call your emergency number.";
    /** The same, for a persona that talks with children: a trusted adult, now. */
    static final String CRISIS_LINE_FOR_CHILDREN = "Thank you for telling me. That sounds really hard, and it matters. Please go and "
            + "tell a grown-up you trust, like your mum or dad or a teacher, right now. They will want to help you.";

    /**
     * The crisis protocol: when the caller's turn shows signs that they may harm themselves ({@link CrisisSignals}), the
     * persona says its crisis line, scripted, in place of whatever the model or script would have said, and the call is
     * reported ({@code call.crisis_detected}, with the phrase that matched). The model, asked again on the next turn,
     * sees the line in its history and carries on from it.
     */
    static final String CRISIS_TRANSFER_LINE = "Please stay on the line: I'm connecting you now to someone who can help.";

    /** The crisis line with a transfer has been said or is being said; the transfer is asked for when it has been heard. */
    private boolean transferPending;
    private boolean transferRequested;

    private boolean answeredCrisis(ConversationCommand.StartLanguageModel start) {
        if (start.messages().isEmpty() || start.messages().getLast().role() != io.parley.runtime.conversation.ConversationMessage.Role.USER) {
            return false;   // a turn after a tool's result: the caller's words were looked at already
        }
        java.util.Optional<String> sign = io.parley.runtime.conversation.CrisisSignals.in(start.messages().getLast().content());
        if (sign.isEmpty()) {
            return false;
        }
        CallBootstrap.Persona persona = bootstrap.persona();
        String line = persona.crisisLine() != null && !persona.crisisLine().isBlank() ? persona.crisisLine().strip()
                : persona.talksWithChildren() ? CRISIS_LINE_FOR_CHILDREN : CRISIS_LINE;
        if (persona.transfersInCrisis() && !transferRequested) {
            line = line + " " + CRISIS_TRANSFER_LINE;
            transferPending = true;   // asked for once the caller has heard the line (the carrier's transfer ends our stream)
        }
        events.publish(bootstrap.tenantId(), token.callId(), "call.crisis_detected", clock.instant(), Map.of("signal", sign.get()));
        log.warn("Call {}: the caller showed signs of self-harm; the crisis line was said", token.callId());
        Instant at = clock.instant();
        for (String word : line.split("(?<=\\s)")) {
            input(new ConversationInput.LanguageModelToken(at, start.turnId(), word));
        }
        input(new ConversationInput.LanguageModelCompleted(at, start.turnId()));
        return true;
    }

    private void think(ConversationCommand.StartLanguageModel start) {
        turnStartedNanos = System.nanoTime();
        runtimeAddedNanos = turnStartedNanos - inputQueuedNanos;
        firstSentencePending = true;
        if (answeredCrisis(start)) {
            return;
        }
        if (brain != null) {
            for (ConversationInput input : brain.respond(start, clock.instant())) {
                input(input);
            }
            return;
        }
        List<LanguageModel.Message> messages = ModelInputs.messages(start.messages());
        CallBootstrap.Provider model = bootstrap.persona().llm();
        double temperature = model.settings() != null && model.settings().get("temperature") instanceof Number n ? n.doubleValue() : 0.7;
        String turn = start.turnId();
        long requested = System.nanoTime();
        boolean[] first = {true};
        generations.put(turn, llm.generate(new LanguageModel.Request(model.voiceOrModel(), temperature, messages, offeredTools(), null),
                new LanguageModel.Listener() {
            @Override public void token(String text) {
                if (first[0]) {
                    first[0] = false;
                    metrics.languageModelFirstToken.record(System.nanoTime() - requested, TimeUnit.NANOSECONDS);
                }
                input(new ConversationInput.LanguageModelToken(clock.instant(), turn, text));
            }
            @Override public void toolCall(String id, String name, String args) {
                input(new ConversationInput.LanguageModelToolCalled(clock.instant(), turn, id, name, args));
            }
            @Override public void done(LanguageModel.Usage spent) {
                serial.execute(() -> {
                    generations.remove(turn);
                    if (spent != null) {
                        usage.inputTokens += spent.inputTokens();
                        usage.outputTokens += spent.outputTokens();
                    }
                });
                input(new ConversationInput.LanguageModelCompleted(clock.instant(), turn));
            }
            @Override public void failed(Exception error) {
                serial.execute(() -> generations.remove(turn));
                input(new ConversationInput.LanguageModelFailed(clock.instant(), turn, error.toString()));
            }
        }));
    }

    private void speak(ConversationCommand.Synthesize say) {
        String utterance = say.utteranceId();
        usage.ttsCharacters += say.text().length();
        long requested = System.nanoTime();
        if (firstSentencePending && turnStartedNanos > 0) {
            firstSentencePending = false;
            runtimeAddedNanos += requested - inputQueuedNanos;
        }
        Moderation moderation = providers.moderation();
        if (moderation == null || say.text().isBlank()) {
            synthesize(utterance, say.text(), requested);
            return;
        }
        // the moderation provider judges the sentence first; a cancel (barge-in) meanwhile leaves it unsaid
        Moderated pending = new Moderated();
        syntheses.put(utterance, pending);
        moderation.check(say.text()).whenComplete((verdict, error) -> serial.execute(() -> {
            if (!running || syntheses.get(utterance) != pending) return;
            String said = say.text();
            if (error != null) {
                boolean closed = bootstrap.persona().talksWithChildren();
                metrics.moderationFailed(moderation.id(), closed);
                log.warn("Moderation of call {} failed ({}): {}", token.callId(), closed ? "not said" : "said unchecked", error.toString());
                if (closed) said = engine.settings().outputGuard().safeLine();
            } else if (verdict.flagged()) {
                metrics.moderationFlagged(moderation.id());
                events.publish(bootstrap.tenantId(), token.callId(), "call.guarded", clock.instant(),
                        Map.of("by", moderation.id(), "categories", verdict.categories()));
                said = engine.settings().outputGuard().safeLine();
            }
            if (!said.equals(say.text())) apply(engine.handle(new ConversationInput.SpeechModerated(clock.instant(), utterance, said)));
            if (syntheses.get(utterance) == pending) synthesize(utterance, said, requested);
        }));
    }

    /** Stands for a synthesis while its sentence is with the moderation provider: cancelling it drops the sentence. */
    private static final class Moderated implements TextToSpeech.Synthesis {
        @Override public void cancel() { }
    }

    private void synthesize(String utterance, String text, long requested) {
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        syntheses.put(utterance, tts.synthesize(text, voice, new TextToSpeech.AudioSink() {
            @Override public void audio(byte[] ulaw) {
                if (first.compareAndSet(true, false)) {
                    metrics.speechFirstAudio.record(System.nanoTime() - requested, TimeUnit.NANOSECONDS);
                }
                input(new ConversationInput.AudioSynthesized(clock.instant(), utterance, ulaw, Duration.ofMillis(ulaw.length / 8)));
            }
            @Override public void done() {
                serial.execute(() -> syntheses.remove(utterance));
                input(new ConversationInput.SynthesisCompleted(clock.instant(), utterance));
            }
            @Override public void failed(Exception error) {
                serial.execute(() -> syntheses.remove(utterance));
                input(new ConversationInput.SynthesisFailed(clock.instant(), utterance, error.toString()));
            }
        }));
    }

    /** Arms the timer for the engine's next deadline, unless it is already armed for it. */
    private void rescheduleTimer() {
        Optional<Instant> next = running ? engine.nextDeadline() : Optional.empty();
        if (timer != null && next.isPresent() && next.get().equals(timerDeadline) && !timer.isDone()) return;
        if (timer != null) timer.cancel(false);
        timer = null;
        timerDeadline = null;
        if (next.isPresent()) {
            long delay = Math.max(0, Duration.between(clock.instant(), next.get()).toMillis());
            timerDeadline = next.get();
            timer = timers.schedule(() -> serial.execute(() -> {
                timerDeadline = null;
                if (running) apply(engine.tick(clock.instant()));
            }), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** A scripted persona's recogniser listens for what the current step expects. */
    private void updateExpectations() {
        if (brain == null || listening == null) return;
        String step = brain.currentStep(engine.history());
        if (!step.equals(expectedStep)) {
            expectedStep = step;
            listening.expect(expectedPhrases());
        }
    }

    private List<String> expectedPhrases() {
        if (brain == null) return List.of();
        String step = engine == null ? null : brain.currentStep(engine.history());
        return Scripts.expectedPhrases(step == null ? List.of() : stepKeywords.getOrDefault(step, List.of()),
                engine == null ? List.of() : engine.settings().endCallPhrases());
    }

    /**
     * The stream is over. Twilio's {@code stop} means the caller hung up: the conversation ends. A
     * socket that just went away (an instance or network failure) ends nothing: the call's state
     * stays in Redis and the lease is released, so the stream can resume on any instance.
     */
    private void finish(String reason) {
        if (engine != null && running && !ended && !"stop".equals(reason)) {
            publishUsage(); // this stream's share; a resumed stream reports its own
        }
        if (engine != null && running && !ended && "stop".equals(reason)) {
            apply(engine.handle(new ConversationInput.CallerHungUp(clock.instant())));
            if (!ended) {
                publishUsage();
                events.publish(bootstrap.tenantId(), token.callId(), "call.ended", clock.instant(), Map.of("reason", "caller_hung_up"));
            }
        }
        stopWork();
        if (leased && !ended) {
            // whatever happened, another instance may pick the call up at once (its state is in Redis)
            saveAndRelease();
        }
    }

    private void stopWork() {
        running = false;
        if (timer != null) timer.cancel(false);
        if (saveLater != null) saveLater.cancel(false);
        saveLater = null;
        if (leaseRenewal != null) leaseRenewal.cancel(false);
        syntheses.values().forEach(TextToSpeech.Synthesis::cancel);
        syntheses.clear();
        generations.values().forEach(LanguageModel.Generation::cancel);
        generations.clear();
        if (listening != null) {
            listening.close();
            listening = null;
        }
        if (spoken != null) spoken.close();
    }

    /** Caller voice onset to the bot falling silent (a pause or a clear), once per stretch of voice. */
    private void recordBargeIn() {
        long started = voiceStartedNanos;
        if (started > 0) {
            voiceStartedNanos = 0;
            metrics.bargeIn.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private volatile long voiceStartedNanos;
    private volatile long voiceStoppedNanos;
    /** When the input being applied was handed to the call's executor. */
    private long inputQueuedNanos;
    private long turnStartedNanos;
    /**
     * This turn's time spent in the runtime rather than in a provider: the caller's end of turn
     * waiting to start the model, the sentence that completed waiting to go to speech, and the first
     * audio waiting to be played.
     */
    private long runtimeAddedNanos;
    private boolean firstSentencePending;

    /**
     * What this stream used, for the usage ledger: call seconds, seconds of audio sent to speech-to-text,
     * model tokens and characters spoken, each with its provider. A call resumed on another instance
     * reports one usage event per stream; consumers add them up.
     */
    private void publishUsage() {
        if (usage.published || usage.startedNanos == 0) return;
        usage.published = true;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("callSeconds", (System.nanoTime() - usage.startedNanos) / 1e9);
        data.put("stt", Map.of("provider", usage.stt, "seconds", usage.sttSamples.sum() / 8_000.0));
        data.put("llm", Map.of("provider", usage.llm, "inputTokens", usage.inputTokens, "outputTokens", usage.outputTokens));
        data.put("tts", Map.of("provider", usage.tts, "characters", usage.ttsCharacters));
        if (spoken != null) spoken.putUsage(data); // the one model's tokens and audio, in place of the three
        events.publish(bootstrap.tenantId(), token.callId(), "call.usage", clock.instant(), data);
    }

    private static final class Usage {
        long startedNanos;
        final java.util.concurrent.atomic.LongAdder sttSamples = new java.util.concurrent.atomic.LongAdder();
        long inputTokens;
        long outputTokens;
        long ttsCharacters;
        String stt;
        String tts;
        String llm;
        boolean published;
    }

    private static Map<String, Object> turnData(ConversationCommand.TurnCompleted turn) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("speaker", turn.speaker().name().toLowerCase(java.util.Locale.ROOT));
        data.put("text", turn.text());
        data.put("startedAt", String.valueOf(turn.startedAt()));
        data.put("endedAt", String.valueOf(turn.endedAt()));
        data.put("interrupted", turn.interrupted());
        return data;
    }

    /** The caller started or stopped speaking {@code millisAgo} ms ago (a detector needs some audio to be sure). */
    private void voice(boolean speaking, long millisAgo) {
        long at = System.nanoTime() - millisAgo * 1_000_000;
        if (speaking) voiceStartedNanos = at;
        else voiceStoppedNanos = at;
        Instant when = clock.instant().minusMillis(millisAgo);
        input(speaking ? new ConversationInput.VoiceActivityStarted(when) : new ConversationInput.VoiceActivityStopped(when));
    }

    /** The on-box detector's changes, backdated to the first frame that showed them. */
    private final class OnBoxVoice implements VoiceActivityDetector.Listener {
        @Override public void started(long millisAgo) { voice(true, millisAgo); }
        @Override public void stopped(long millisAgo) { voice(false, millisAgo); }
    }

    /** The recogniser's reports, in order, into the engine. */
    private final class Listening implements SpeechToText.Listener {
        @Override public void voiceActivity(boolean speaking) {
            if (detector == null) voice(speaking, 0);
        }
        @Override public void interim(String text) { input(new ConversationInput.InterimTranscript(clock.instant(), text)); }
        @Override public void finalText(String text) { input(new ConversationInput.FinalTranscript(clock.instant(), text)); }
        @Override public void endOfUtterance() {
            long stopped = voiceStoppedNanos;
            if (stopped > 0) {
                voiceStoppedNanos = 0;
                metrics.speechFinalization.record(System.nanoTime() - stopped, TimeUnit.NANOSECONDS);
            }
            input(new ConversationInput.EndOfUtteranceDetected(clock.instant()));
        }
        @Override public void failed(Exception error) {
            log.warn("Speech-to-text failed on call {}: {}", token.callId(), error.toString());
        }
    }
}
