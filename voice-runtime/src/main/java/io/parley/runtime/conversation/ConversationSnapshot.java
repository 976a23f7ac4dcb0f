package io.parley.runtime.conversation;

import java.time.Instant;
import java.util.List;

/**
 * Everything needed to carry on a call's conversation elsewhere: export with
 * {@link ConversationEngine#snapshot()}, store (the runtime keeps it under {@code call:{id}}), and rebuild
 * with {@link ConversationEngine#restore}. Plain records, lists, strings, numbers, enums and instants,
 * so Jackson (3, with its built-in java.time support) can write and read it without annotations.
 * Deadlines are not stored: they follow from the instants here and the settings.
 *
 * <p>A scripted persona's current step is not stored separately: {@link ScriptedBrain} derives it
 * from {@link #history()}.
 *
 * @param version          {@link #CURRENT_VERSION} when written
 * @param state            the engine state
 * @param lastEventAt      the latest instant the engine has seen
 * @param callStartedAt    when the call started ({@code null} if it has not)
 * @param turnCounter      language-model turns started so far (turn ids are {@code t1}, {@code t2}, ...)
 * @param utteranceCounter utterances created so far (ids {@code u1}, {@code u2}, ...; marks {@code u1.0}, ...)
 * @param history          the conversation as the model sees it, assistant text as heard
 * @param caller           the caller's unfinished turn and voice activity
 * @param listeningSince   when the silence timer started ({@code null} when it does not run)
 * @param silenceStrikes   silence timeouts since the caller last spoke
 * @param warningPending   the time warning is due at the next pause
 * @param warningGiven     the time warning has been spoken (or superseded)
 * @param endReason        why the call is ending or ended
 * @param endingSince      when the goodbye started
 * @param reply            the bot's reply in progress, or {@code null}
 * @param stats            counters
 */
public record ConversationSnapshot(
        int version,
        ConversationState state,
        Instant lastEventAt,
        Instant callStartedAt,
        int turnCounter,
        int utteranceCounter,
        List<ConversationMessage> history,
        Caller caller,
        Instant listeningSince,
        int silenceStrikes,
        boolean warningPending,
        boolean warningGiven,
        String endReason,
        Instant endingSince,
        Reply reply,
        ConversationStats stats) {

    public static final int CURRENT_VERSION = 1;

    public ConversationSnapshot {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /**
     * The caller's side: voice activity and the words of the turn not committed yet.
     *
     * @param voiceActive          voice is on now
     * @param voiceStartedAt       start of the current (or last) stretch of voice
     * @param turnStartedAt        first sign of the pending turn
     * @param lastActivityAt       last voice stop, new words or key press: endpointing counts silence from here
     * @param lastActivityWasDtmf  the last activity was a key press (the inter-digit timeout applies)
     * @param finals               final transcript segments so far
     * @param interim              the current interim transcript
     * @param dtmfDigits           keys pressed in this turn
     * @param lateFinalUntil       the last turn was committed from an interim: until then (or until the voice starts
     *                             again) a transcript arriving is its late tail and is dropped; {@code null} otherwise
     */
    public record Caller(boolean voiceActive, Instant voiceStartedAt, Instant turnStartedAt, Instant lastActivityAt,
                         boolean lastActivityWasDtmf, List<String> finals, String interim, String dtmfDigits,
                         Instant lateFinalUntil) {
        public Caller {
            finals = finals == null ? List.of() : List.copyOf(finals);
            interim = interim == null ? "" : interim;
            dtmfDigits = dtmfDigits == null ? "" : dtmfDigits;
        }
    }

    /**
     * A bot reply in progress: one or more model turns (more when tools run) or one scripted line.
     *
     * @param kind                  {@code GREETING}, {@code REPLY}, {@code REPROMPT}, {@code WARNING}, {@code GOODBYE}
     * @param interruptible         whether barge-in may cut it
     * @param endReason             when set, the call ends with this reason once the reply has been heard
     * @param firstAudioAt          when its first audio was sent
     * @param turnIds               the model turns of this reply, in order
     * @param activeTurnId          the model turn still generating, or {@code null}
     * @param splitterPending       model text received but not yet a complete sentence
     * @param awaitingToolResults   the last model turn called tools whose results are not all in
     * @param toolRounds            model turns started because of tool results
     * @param utterances            sentences, in playback order
     * @param playIndex             index of the utterance whose audio is being sent
     * @param toolCalls             tools called during this reply
     * @param yieldedAt             when the bot fell silent for the caller's voice and has not resumed, else {@code null}
     */
    public record Reply(String kind, boolean interruptible, String endReason, Instant firstAudioAt, List<String> turnIds,
                        String activeTurnId, String splitterPending, boolean awaitingToolResults, int toolRounds,
                        List<Utterance> utterances, int playIndex, List<ToolCall> toolCalls, Instant yieldedAt) {
        public Reply {
            turnIds = turnIds == null ? List.of() : List.copyOf(turnIds);
            utterances = utterances == null ? List.of() : List.copyOf(utterances);
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        }
    }

    /**
     * One sentence sent to synthesis, or a whole model turn when the model speaks for itself.
     *
     * @param id          the utterance id
     * @param turnId      the model turn that wrote it, or {@code null} for a scripted line
     * @param text        the sentence (a speaking model's transcript so far)
     * @param synthesized all its audio has arrived (or synthesis failed)
     * @param failed      synthesis failed
     * @param chunks      its audio chunks, in order
     */
    public record Utterance(String id, String turnId, String text, boolean synthesized, boolean failed, List<Chunk> chunks) {
        public Utterance { chunks = chunks == null ? List.of() : List.copyOf(chunks); }
    }

    /**
     * One chunk of synthesised audio.
     *
     * @param markName       the mark sent after it
     * @param durationMillis how long it plays
     * @param played         sent to the caller
     * @param heard          its mark came back
     * @param audioBase64    the audio while it waits behind an earlier utterance, else {@code null}
     */
    public record Chunk(String markName, long durationMillis, boolean played, boolean heard, String audioBase64) {}

    /**
     * A tool the model called.
     *
     * @param turnId     the model turn
     * @param toolCallId the provider's id for the call
     * @param name       the tool
     * @param argumentsJson its arguments
     * @param resultJson its result, {@code null} while pending
     */
    public record ToolCall(String turnId, String toolCallId, String name, String argumentsJson, String resultJson) {}
}
