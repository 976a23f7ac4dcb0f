package io.parley.runtime.speech.openai;

/**
 * Why an OpenAI synthesis or Realtime reply or session failed, as reported to {@code AudioSink.failed} or
 * the {@code SpeechToSpeech.Listener}: an error response or refused handshake ({@link #httpStatus()}, with
 * OpenAI's {@code error.code} or {@code error.type} as {@link #code()} and {@code error.message} in the
 * message), a Realtime {@code error} event or failed response (its code), or a timeout or I/O failure
 * ({@link #getCause()}).
 */
public final class OpenAiException extends Exception {

    private final int httpStatus;
    private final String code;

    OpenAiException(String message, int httpStatus, String code, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    /** The response's status (401, 400, 429, ...), or -1 if there was no error response. */
    public int httpStatus() {
        return httpStatus;
    }

    /** OpenAI's {@code error.code} ({@code invalid_api_key}, ...), else its {@code error.type}, or null. */
    public String code() {
        return code;
    }
}
