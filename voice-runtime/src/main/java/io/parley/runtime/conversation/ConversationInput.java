package io.parley.runtime.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything that can happen to a call's conversation, as adapters report it. Each input carries the
 * instant it happened; the engine takes time only from these (an input older than the last one is
 * treated as happening at the last one's instant, so time never runs backwards).
 *
 * <p>Ids ({@code turnId}, {@code utteranceId}, mark names) are the ones the engine put in its
 * {@link ConversationCommand}s; inputs naming ids that are no longer current are counted and dropped.
 */
public sealed interface ConversationInput {

    /** When it happened. */
    Instant at();

    /** The media stream is up: the engine speaks the first message at once. Ignored by a restored engine. */
    record CallStarted(Instant at) implements ConversationInput {
        public CallStarted { Objects.requireNonNull(at, "at"); }
    }

    /**
     * The media stream was re-established (for example on another instance after a restore): audio,
     * marks, synthesis and model streams in flight on the old connection are lost.
     */
    record StreamResumed(Instant at) implements ConversationInput {
        public StreamResumed { Objects.requireNonNull(at, "at"); }
    }

    /** The caller hung up (Twilio {@code stop} or a call status callback). */
    record CallerHungUp(Instant at) implements ConversationInput {
        public CallerHungUp { Objects.requireNonNull(at, "at"); }
    }

    /** The caller's voice started (local VAD, or the STT provider's speech-started event). */
    record VoiceActivityStarted(Instant at) implements ConversationInput {
        public VoiceActivityStarted { Objects.requireNonNull(at, "at"); }
    }

    /** The caller's voice stopped. */
    record VoiceActivityStopped(Instant at) implements ConversationInput {
        public VoiceActivityStopped { Objects.requireNonNull(at, "at"); }
    }

    /** A provisional transcript of the segment being spoken; replaces the previous interim. */
    record InterimTranscript(Instant at, String text) implements ConversationInput {
        public InterimTranscript { Objects.requireNonNull(at, "at"); text = text == null ? "" : text; }
    }

    /** The settled transcript of one segment; appended to the caller's words, clears the interim. */
    record FinalTranscript(Instant at, String text) implements ConversationInput {
        public FinalTranscript { Objects.requireNonNull(at, "at"); text = text == null ? "" : text; }
    }

    /** The STT provider thinks the utterance ended (Deepgram {@code UtteranceEnd}/{@code speech_final}); implies voice stopped. */
    record EndOfUtteranceDetected(Instant at) implements ConversationInput {
        public EndOfUtteranceDetected { Objects.requireNonNull(at, "at"); }
    }

    /** A piece of the model's answer for {@code turnId}. */
    record LanguageModelToken(Instant at, String turnId, String text) implements ConversationInput {
        public LanguageModelToken { Objects.requireNonNull(at, "at"); text = text == null ? "" : text; }
    }

    /**
     * The model called a tool. {@code end_call} (argument {@code reason}) is handled by the engine; any
     * other tool becomes an {@link ConversationCommand.ExecuteTool} and its result must come back as a
     * {@link ToolResultReceived}.
     */
    record LanguageModelToolCalled(Instant at, String turnId, String toolCallId, String name, String argumentsJson)
            implements ConversationInput {
        public LanguageModelToolCalled {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(toolCallId, "toolCallId");
            Objects.requireNonNull(name, "name");
            argumentsJson = argumentsJson == null || argumentsJson.isBlank() ? "{}" : argumentsJson;
        }
    }

    /** The result of an executed tool, as JSON (errors encoded in it by the executor). */
    record ToolResultReceived(Instant at, String toolCallId, String resultJson) implements ConversationInput {
        public ToolResultReceived {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(toolCallId, "toolCallId");
            resultJson = resultJson == null ? "" : resultJson;
        }
    }

    /**
     * Audio the model spoke itself for {@code turnId} (only when {@link ConversationSettings#modelSpeaks()}), in the
     * call's wire format, and how long it plays; its words arrive as {@link LanguageModelToken}s.
     */
    record LanguageModelAudio(Instant at, String turnId, byte[] audio, Duration duration) implements ConversationInput {
        public LanguageModelAudio {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(audio, "audio");
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) throw new IllegalArgumentException("duration must not be negative");
        }
    }

    /** The model finished {@code turnId}. */
    record LanguageModelCompleted(Instant at, String turnId) implements ConversationInput {
        public LanguageModelCompleted { Objects.requireNonNull(at, "at"); }
    }

    /** The model failed {@code turnId}; what it produced so far is still spoken. */
    record LanguageModelFailed(Instant at, String turnId, String error) implements ConversationInput {
        public LanguageModelFailed { Objects.requireNonNull(at, "at"); }
    }

    /** Synthesised audio for an utterance, in the call's wire format, and how long it plays. */
    record AudioSynthesized(Instant at, String utteranceId, byte[] audio, Duration duration) implements ConversationInput {
        public AudioSynthesized {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(audio, "audio");
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) throw new IllegalArgumentException("duration must not be negative");
        }
    }

    /** All audio of an utterance has been delivered. */
    record SynthesisCompleted(Instant at, String utteranceId) implements ConversationInput {
        public SynthesisCompleted { Objects.requireNonNull(at, "at"); }
    }

    /** Synthesis of an utterance failed; audio already delivered is still played. */
    record SynthesisFailed(Instant at, String utteranceId, String error) implements ConversationInput {
        public SynthesisFailed { Objects.requireNonNull(at, "at"); }
    }

    /**
     * A moderation provider would not have an utterance said: {@code text} (the persona's safe line) is said, and kept in the
     * transcript, in its place. Sent before any of the utterance's audio; ignored once audio has come.
     */
    record SpeechModerated(Instant at, String utteranceId, String text) implements ConversationInput {
        public SpeechModerated { Objects.requireNonNull(at, "at"); Objects.requireNonNull(text, "text"); }
    }

    /**
     * Twilio echoed a mark: the caller heard everything up to it. Marks echoed because a {@code clear}
     * dropped them arrive too; the engine no longer knows them by then and ignores them.
     */
    record PlaybackMarkReached(Instant at, String markName) implements ConversationInput {
        public PlaybackMarkReached { Objects.requireNonNull(at, "at"); }
    }

    /** The caller pressed a key: {@code 0-9}, {@code *}, {@code #} (or {@code A-D}). */
    record DtmfReceived(Instant at, String digit) implements ConversationInput {
        public DtmfReceived { Objects.requireNonNull(at, "at"); digit = digit == null ? "" : digit.strip(); }
    }

    /** The runtime's timer for {@link ConversationEngine#nextDeadline()} fired (or any other moment passed). */
    record TimerTicked(Instant at) implements ConversationInput {
        public TimerTicked { Objects.requireNonNull(at, "at"); }
    }
}
