package io.parley.runtime.speech.offline;

/**
 * The offline recogniser cannot run on this machine: its native library or its acoustic model is
 * missing. The message names the Debian packages to install.
 */
public class OfflineSpeechUnavailableException extends RuntimeException {

    static final String INSTALL_HINT = "install the Debian packages pocketsphinx and pocketsphinx-en-us "
            + "(apt-get install pocketsphinx pocketsphinx-en-us)";

    public OfflineSpeechUnavailableException(String message) {
        super(message);
    }

    public OfflineSpeechUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
