package io.parley.runtime.conversation;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the engine asks the runtime to do, in the order given. Adapters only translate these; they do
 * not decide anything.
 */
public sealed interface ConversationCommand {

    /**
     * Run the model on the history. {@code messages} starts with the persona's system prompt (when it has
     * one) followed by the conversation so far; answer with {@link ConversationInput.LanguageModelToken}s,
     * tool calls and a completion or failure, all naming {@code turnId}.
     */
    record StartLanguageModel(String turnId, List<ConversationMessage> messages) implements ConversationCommand {
        public StartLanguageModel { messages = List.copyOf(messages); }
    }

    /** Stop generating {@code turnId}; whatever still arrives for it is ignored. */
    record CancelLanguageModel(String turnId) implements ConversationCommand {}

    /** Synthesise one sentence (or one scripted line); answer with audio chunks and a completion, naming {@code utteranceId}. */
    record Synthesize(String utteranceId, String text) implements ConversationCommand {}

    /** Stop synthesising {@code utteranceId}; its audio is dropped if it still arrives. */
    record CancelSynthesis(String utteranceId) implements ConversationCommand {}

    /**
     * Send this audio to the caller, paced at real time, then a mark named {@code markName}; report the
     * mark's echo as {@link ConversationInput.PlaybackMarkReached}.
     */
    record PlayAudio(String utteranceId, byte[] audio, Duration duration, String markName) implements ConversationCommand {
        public PlayAudio { Objects.requireNonNull(audio, "audio"); }

        @Override
        public String toString() {
            return "PlayAudio[" + utteranceId + ", " + audio.length + " bytes, " + duration.toMillis() + " ms, " + markName + "]";
        }
    }

    /** Flush everything queued for playback: the runtime's own pacing queue and Twilio's buffer ({@code clear}). */
    record ClearPlayback() implements ConversationCommand {}

    /**
     * Stop the caller hearing the bot at once, but keep what was not heard yet: send Twilio {@code clear}
     * and hold the audio that was in its buffer, and everything after it, until {@link ResumePlayback}
     * (sent again from where the caller stopped hearing) or {@link ClearPlayback} (dropped). A mark held
     * back is reported once, when the caller has heard it after all.
     */
    record PausePlayback() implements ConversationCommand {}

    /** Carry on after {@link PausePlayback}: what was held is sent again at real time, its marks included. */
    record ResumePlayback() implements ConversationCommand {}

    /** Execute a tool the model called; answer with {@link ConversationInput.ToolResultReceived} for {@code toolCallId}. */
    record ExecuteTool(String turnId, String toolCallId, String name, String argumentsJson) implements ConversationCommand {}

    /**
     * The caller heard only the first {@code heard} of what the model spoke as {@code id} before it was cut: make the
     * model forget the rest (OpenAI Realtime {@code conversation.item.truncate}). {@code id} is the turn id of a model
     * turn, or the utterance id of a line the model was asked to say. Only when {@link ConversationSettings#modelSpeaks()}.
     */
    record TruncateModelSpeech(String id, Duration heard) implements ConversationCommand {}

    /** Hang up. Emitted exactly once per call; reasons: {@code silence_timeout}, {@code max_duration}, {@code opt_out},
     * {@code caller_goodbye}, {@code caller_hung_up}, or the {@code end_call} tool's reason. */
    record EndCall(String reason) implements ConversationCommand {}

    /**
     * A turn for the transcript. For the bot, {@code text} is what the caller heard according to the
     * playback marks, and {@code interrupted} says that a barge-in (or the end of the call) cut it;
     * {@code startedAt} is when its first audio was sent. Turns nobody heard are not reported.
     */
    record TurnCompleted(Speaker speaker, String text, Instant startedAt, Instant endedAt, boolean interrupted)
            implements ConversationCommand {}
}
