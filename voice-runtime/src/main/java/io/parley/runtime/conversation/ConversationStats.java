package io.parley.runtime.conversation;

/**
 * Counters of one call's conversation, for metrics and for tests. Every input the engine does not act
 * on is counted somewhere here; nothing is thrown.
 *
 * @param ignoredInputs          inputs that make no sense in the current state (before the call started,
 *                               after it ended, caller speech during a goodbye, a second voice start, ...)
 * @param staleLanguageModelEvents tokens, tool calls, completions or failures for a turn that is no longer
 *                               current (cancelled by barge-in), and tool results nobody waits for
 * @param staleSynthesisEvents   synthesis completions or failures for utterances that are no longer current
 * @param droppedAudioChunks     audio for a cancelled or unknown utterance, never played
 * @param staleMarks             playback marks that name no chunk of the current reply (for example the
 *                               marks Twilio echoes back after a {@code clear})
 * @param lateTranscripts        transcripts that arrived after their utterance was committed from an interim
 * @param bargeIns               replies cut by the caller
 * @param backchannels           stretches of caller speech made only of backchannels ("uh-huh") that were
 *                               dropped instead of becoming a turn
 * @param languageModelFailures  {@link ConversationInput.LanguageModelFailed} inputs acted on
 * @param synthesisFailures      {@link ConversationInput.SynthesisFailed} inputs acted on
 * @param yields                 times the bot fell silent for caller voice ({@code bargeInYield}), whether or
 *                               not it became a barge-in
 * @param guardedSentences       sentences of the model's replies not said because they broke a rule of the
 *                               {@link OutputGuard} (the persona's safe line was said instead)
 */
public record ConversationStats(int ignoredInputs, int staleLanguageModelEvents, int staleSynthesisEvents,
                                int droppedAudioChunks, int staleMarks, int lateTranscripts, int bargeIns,
                                int backchannels, int languageModelFailures, int synthesisFailures, int yields, int guardedSentences) {

    public static final ConversationStats NONE = new ConversationStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
