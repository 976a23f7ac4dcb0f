package io.parley.runtime.conversation;

/**
 * Where a call's conversation is. The engine is in exactly one of these after every input.
 *
 * <p>An engine that has not seen {@link ConversationInput.CallStarted} yet reports {@link #LISTENING}
 * and ignores every other input.
 */
public enum ConversationState {
    /** The bot has finished; waiting for the caller. The silence timer runs. */
    LISTENING,
    /** The caller is talking (or typing digits); the engine is waiting for the end of the utterance. */
    USER_SPEAKING,
    /** A reply is being prepared: the language model runs, or speech is being synthesised, but no audio has been sent yet. */
    THINKING,
    /** Bot audio is being played to the caller. */
    SPEAKING,
    /** The bot is saying goodbye; it cannot be interrupted and the call ends when the caller has heard it. */
    ENDING,
    /** {@link ConversationCommand.EndCall} has been emitted; every further input is ignored. */
    ENDED
}
