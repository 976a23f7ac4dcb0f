package io.parley.runtime.session;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything the runtime needs to run a call, written by platform-api under {@code call:{id}} (field
 * {@code bootstrap}) when it dials, so the runtime never has to ask for anything. Format v1; see
 * voice-runtime/README.md, "Redis formats".
 */
public record CallBootstrap(
        int v,
        UUID callId,
        UUID tenantId,
        String mode,
        Persona persona,
        Map<String, Object> variables) {

    public static final int VERSION = 1;

    /** The persona as it was when the call was placed (a call runs on that version). */
    public record Persona(
            UUID id,
            String name,
            String kind,
            String systemPrompt,
            String firstMessage,
            String language,
            Provider voice,
            Provider stt,
            Provider llm,
            Limits limits,
            List<ScriptStep> script) {}

    /** A provider choice: its id ({@code offline}, {@code deepgram}, ...), voice or model, settings. */
    public record Provider(String provider, String voiceOrModel, Map<String, Object> settings) {}

    /** Time limits and their lines. */
    public record Limits(int maxCallSeconds, int warningSecondsBefore, String warningText, String goodbyeText,
                         int silenceTimeoutSeconds, String stillThereText, String optOutDigit) {}

    /**
     * One step of a scripted (offline) persona: what it asks and the answers it understands. The first
     * step follows the greeting; a step without answers is the goodbye.
     */
    public record ScriptStep(String id, String prompt, List<ScriptAnswer> answers) {}

    /** Keywords (any one; none: a catch-all) that select this answer, the reply, and the next step's id (null: stay). */
    public record ScriptAnswer(List<String> keywords, String reply, String next) {}
}
