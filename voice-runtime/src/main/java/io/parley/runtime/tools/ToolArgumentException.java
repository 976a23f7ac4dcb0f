package io.parley.runtime.tools;

/** The model's arguments for a tool are not acceptable; the message says which and why, for the model to correct. */
final class ToolArgumentException extends RuntimeException {

    ToolArgumentException(String message) {
        super(message);
    }
}
