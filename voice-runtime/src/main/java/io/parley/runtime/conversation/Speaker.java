package io.parley.runtime.conversation;

/** Who said a turn of the transcript. */
public enum Speaker {
    /** The person on the phone. */
    CALLER,
    /** The persona. */
    BOT
}
