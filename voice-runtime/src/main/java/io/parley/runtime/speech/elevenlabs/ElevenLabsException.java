package io.parley.runtime.speech.elevenlabs;

/**
 * Why an ElevenLabs synthesis failed, as reported to {@code AudioSink.failed}: an error response
 * ({@link #httpStatus()}, with ElevenLabs' {@code detail.status} as {@link #code()} and {@code
 * detail.message} in the message), or a timeout or I/O failure ({@link #getCause()}).
 */
public final class ElevenLabsException extends Exception {

    private final int httpStatus;
    private final String code;

    ElevenLabsException(String message, int httpStatus, String code, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.code = code;
    }

    /** The response's status (401, 422, 429, ...), or -1 if there was no error response. */
    public int httpStatus() {
        return httpStatus;
    }

    /** ElevenLabs' {@code detail.status} ({@code invalid_api_key}, {@code quota_exceeded}, ...), or null. */
    public String code() {
        return code;
    }
}
