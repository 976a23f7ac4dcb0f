package io.parley.runtime.speech.deepgram;

/**
 * Why a Deepgram stream failed, as reported to {@code Listener.failed}: a refused handshake
 * ({@link #httpStatus()}, with Deepgram's {@code err_code} and {@code err_msg} when it sent them), a
 * close Deepgram started ({@link #closeCode()}, e.g. 1011 {@code NET-0001} after too long without
 * audio), an {@code Error} message, or a timeout or I/O failure ({@link #getCause()}).
 */
public final class DeepgramException extends Exception {

    private final int httpStatus;
    private final int closeCode;
    private final String errorCode;

    DeepgramException(String message, int httpStatus, int closeCode, String errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.errorCode = errorCode;
    }

    static DeepgramException of(String message, Throwable cause) {
        return new DeepgramException(message, -1, -1, null, cause);
    }

    /** The handshake's HTTP status (401, 402, 429, ...), or -1 if the socket was opened. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The WebSocket close code Deepgram sent, or -1 if it did not close the socket. */
    public int closeCode() {
        return closeCode;
    }

    /** Deepgram's error code ({@code INVALID_AUTH}, {@code NET-0001}, ...), or null. */
    public String errorCode() {
        return errorCode;
    }
}
