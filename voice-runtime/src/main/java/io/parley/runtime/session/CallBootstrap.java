package io.parley.runtime.session;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything the runtime needs to run a call, written by platform-api under {@code call:{id}} (field
 * {@code bootstrap}) when it dials, so the runtime never has to ask for anything. Format v1; see
 * voice-runtime/README.md, "Redis formats".
 *
 * @param to         the callee's number (E.164); optional: tools that call the platform about the callee need it
 * @param timeZone   the callee's IANA time zone; optional: times the caller says are read in it
 * @param credential the call credential ({@code cc_test_...}/{@code cc_live_...}) platform-api minted for this call:
 *                   the bearer the runtime's platform tools send to the public API; optional: no platform tools without it
 * @param memory     for a persona with memory: short summaries of its earlier calls with this callee, oldest first
 *                   ("2026-11-28: ..."); optional
 */
public record CallBootstrap(
        int v,
        UUID callId,
        UUID tenantId,
        String mode,
        Persona persona,
        Map<String, Object> variables,
        String to,
        String timeZone,
        String credential,
        List<String> memory) {

    public static final int VERSION = 1;

    /** A call of a persona that remembers nothing. */
    public CallBootstrap(int v, UUID callId, UUID tenantId, String mode, Persona persona, Map<String, Object> variables, String to,
                         String timeZone, String credential) {
        this(v, callId, tenantId, mode, persona, variables, to, timeZone, credential, null);
    }

    /** A call with no callee details and no credential: it can use no platform tools. */
    public CallBootstrap(int v, UUID callId, UUID tenantId, String mode, Persona persona, Map<String, Object> variables) {
        this(v, callId, tenantId, mode, persona, variables, null, null, null, null);
    }

    /** Never shows the credential (a bearer token) nor the persona's text. */
    @Override
    public String toString() {
        return "CallBootstrap[v=" + v + ", callId=" + callId + ", tenantId=" + tenantId + ", mode=" + mode
                + ", persona=" + (persona == null ? null : persona.id()) + ", credential=" + (credential == null ? "none" : "present") + "]";
    }

    /**
     * The persona as it was when the call was placed (a call runs on that version).
     *
     * @param tools      the platform tools this persona may use (e.g. {@code schedule_callback}); null or empty: none
     * @param turnTaking how it takes turns; null: the defaults
     * @param childSafety whether it talks with children (no identifying questions); null: as its kind says (Santa does)
     * @param bookingTimeZone the IANA time zone of the business it books for, when it takes bookings; else null
     * @param crisisLine  what it says when a caller shows signs of harming themselves (a crisis line to call); null: the
     *                    runtime's own (for a persona that talks with children, one that sends them to a trusted adult)
     * @param crisisTransfer whether such a caller is then put through to someone (the platform asks the carrier)
     */
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
            List<ScriptStep> script,
            List<String> tools,
            TurnTaking turnTaking,
            Boolean childSafety,
            String bookingTimeZone,
            String crisisLine,
            Boolean crisisTransfer) {

        /** A persona that may use no platform tools. */
        public Persona(UUID id, String name, String kind, String systemPrompt, String firstMessage, String language, Provider voice,
                       Provider stt, Provider llm, Limits limits, List<ScriptStep> script) {
            this(id, name, kind, systemPrompt, firstMessage, language, voice, stt, llm, limits, script, null, null, null, null, null, null);
        }

        /** A persona that takes turns the default way. */
        public Persona(UUID id, String name, String kind, String systemPrompt, String firstMessage, String language, Provider voice,
                       Provider stt, Provider llm, Limits limits, List<ScriptStep> script, List<String> tools) {
            this(id, name, kind, systemPrompt, firstMessage, language, voice, stt, llm, limits, script, tools, null, null, null, null, null);
        }

        /** A persona that takes turns its own way. */
        public Persona(UUID id, String name, String kind, String systemPrompt, String firstMessage, String language, Provider voice,
                       Provider stt, Provider llm, Limits limits, List<ScriptStep> script, List<String> tools, TurnTaking turnTaking) {
            this(id, name, kind, systemPrompt, firstMessage, language, voice, stt, llm, limits, script, tools, turnTaking, null, null, null, null);
        }

        /** Whether a caller who shows signs of self-harm is put through to someone after the crisis line (the platform has the number). */
        public boolean transfersInCrisis() {
            return Boolean.TRUE.equals(crisisTransfer);
        }

        /** Whether the persona talks with children: its own say, else its kind's (Santa does). */
        public boolean talksWithChildren() {
            return childSafety != null ? childSafety : "santa".equals(kind);
        }
    }

    /**
     * How a persona takes turns; every field is optional (null: the engine's default). Values out of
     * range are brought into it rather than refused, so a persona cannot stop its calls from starting.
     *
     * @param endOfUtteranceSilenceMillis  silence after which the caller has finished (default 700; 200 – 5,000)
     * @param extendedSilenceMillis        the same mid-number, mid-date or mid-spelling (default 1,500; up to 8,000)
     * @param bargeInMinVoiceMillis        caller voice that interrupts the bot (default 250; 100 – 2,000)
     * @param bargeInYieldMillis           caller voice after which the bot falls silent until it knows whether it was
     *                                     interrupted (default 80; 0: talk on until the barge-in)
     * @param greetingInterruptible        whether the caller may cut the greeting (default false)
     */
    public record TurnTaking(Integer endOfUtteranceSilenceMillis, Integer extendedSilenceMillis, Integer bargeInMinVoiceMillis,
                             Integer bargeInYieldMillis, Boolean greetingInterruptible) {}

    /** A provider choice: its id ({@code offline}, {@code deepgram}, ...), voice or model, settings. */
    public record Provider(String provider, String voiceOrModel, Map<String, Object> settings) {}

    /** Time limits and their lines; {@code endCallPhrases} what the caller says to end the call (null: the engine's). */
    public record Limits(int maxCallSeconds, int warningSecondsBefore, String warningText, String goodbyeText,
                         int silenceTimeoutSeconds, String stillThereText, String optOutDigit, List<String> endCallPhrases) {
        public Limits(int maxCallSeconds, int warningSecondsBefore, String warningText, String goodbyeText,
                      int silenceTimeoutSeconds, String stillThereText, String optOutDigit) {
            this(maxCallSeconds, warningSecondsBefore, warningText, goodbyeText, silenceTimeoutSeconds, stillThereText, optOutDigit, null);
        }
    }

    /**
     * One step of a scripted (offline) persona: what it asks and the answers it understands. The first
     * step follows the greeting; a step without answers is the goodbye. {@code action} {@code book_appointment}: the
     * step books the day and time the caller says (optional; null: none).
     */
    public record ScriptStep(String id, String prompt, List<ScriptAnswer> answers, String action) {
        public ScriptStep(String id, String prompt, List<ScriptAnswer> answers) {
            this(id, prompt, answers, null);
        }
    }

    /** Keywords (any one; none: a catch-all) that select this answer, the reply, and the next step's id (null: stay). */
    public record ScriptAnswer(List<String> keywords, String reply, String next) {}
}
