package io.parley.runtime.conversation;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one persona converses: what it says on its own, and the timings that decide when the caller has
 * finished, when the caller interrupts, and when the call ends. Built once per call from the persona
 * snapshot; not part of {@link ConversationSnapshot} (the runtime rebuilds it from the session).
 *
 * <p>Lines that are blank are not spoken: a blank goodbye ends the call at once, a blank reprompt goes
 * straight back to listening.
 *
 * @param systemPrompt                  sent as the first message of every {@link ConversationCommand.StartLanguageModel}
 *                                      (omitted when blank); the engine does not build it
 * @param firstMessage                  spoken as soon as the call starts (one utterance, so the runtime can cache its audio)
 * @param firstMessageInterruptible     whether the caller can barge into the first message; off by default because on
 *                                      outbound calls the callee's "Hello?" overlaps the greeting (what they say is
 *                                      kept and answered once the greeting ends)
 * @param endOfUtteranceSilence         silence after which the caller is taken to have finished (700 ms)
 * @param extendedEndOfUtteranceSilence silence used instead while the caller is mid-way through something that must not
 *                                      be cut: digits or number words, a spelled name, a trailing conjunction or filler
 * @param continuationWords             trailing words that mean "more is coming" (conjunctions, fillers, articles,
 *                                      prepositions); digits, number words and spelled letters are built in
 * @param bargeInMinVoice               sustained caller voice that interrupts the bot (250 ms), unless all the caller
 *                                      has said so far is backchannels
 * @param bargeInMinWords               transcribed words, backchannels not counted, that interrupt the bot (2)
 * @param bargeInYield                  caller voice after which the bot falls silent while the engine waits to see
 *                                      whether it is an interruption (80 ms); if it turns out not to be (the voice
 *                                      stops before {@code bargeInMinVoice}, or it was a backchannel) the bot picks
 *                                      up where the caller stopped hearing it. {@link Duration#ZERO}: never yield,
 *                                      the bot talks on until {@code bargeInMinVoice}
 * @param backchannels                  words and phrases that never interrupt ("uh-huh", "okay", "i see", ...)
 * @param silenceTimeout                caller silence after the bot finished before {@code repromptLine} (8 s)
 * @param maxSilenceReprompts           reprompts before the silence goodbye (1)
 * @param repromptLine                  "Are you still there?"
 * @param silenceGoodbyeLine            said before ending a silent call (reason {@code silence_timeout})
 * @param maxCallLength                 hard length of the call; {@link Duration#ZERO} for none (5 min)
 * @param maxCallLengthWarningBefore    how long before {@code maxCallLength} the warning is due (30 s)
 * @param maxCallLengthWarningLine      the warning, said at the next pause (Santa: "the reindeer are getting restless")
 * @param maxCallLengthGoodbyeLine      said when the time is up (reason {@code max_duration}); cuts the bot and the caller
 * @param goodbyeLine                   said when the caller says an end-call phrase, or when the model calls
 *                                      {@code end_call} without saying anything
 * @param endCallPhrases                caller utterances that end the call (reason {@code caller_goodbye}); matched on the
 *                                      whole utterance, case and punctuation ignored, leading backchannels allowed
 *                                      ("okay, bye"), so "bye for now, but first..." does not end it
 * @param dtmfInterDigitTimeout         how long after a key press the digits so far are delivered as a turn ({@code #}
 *                                      delivers them at once)
 * @param optOutDigit                   the key that opts out (reason {@code opt_out}); {@code null} or blank for none
 * @param optOutLine                    said after the opt-out key, before hanging up
 * @param languageModelErrorLine        said when the model fails before producing any speech
 * @param goodbyeTimeout                longest wait for a goodbye to be heard before ending at once (10 s); protects
 *                                      against lost marks and stuck synthesis
 * @param modelSpeaks                   the model speaks its own replies (a speech-to-speech model such as OpenAI
 *                                      Realtime): its audio arrives as {@link ConversationInput.LanguageModelAudio} and
 *                                      its transcript as tokens, so its turns need no {@code Synthesize}; a cut reply is
 *                                      answered with {@link ConversationCommand.TruncateModelSpeech} so the model forgets
 *                                      what the caller did not hear (off)
 * @param outputGuard                  checks every sentence of a model's reply before it is said ({@link OutputGuard}); null: its
 *                                     rules that need no persona
 */
public record ConversationSettings(
        String systemPrompt,
        String firstMessage,
        boolean firstMessageInterruptible,
        Duration endOfUtteranceSilence,
        Duration extendedEndOfUtteranceSilence,
        List<String> continuationWords,
        Duration bargeInMinVoice,
        int bargeInMinWords,
        Duration bargeInYield,
        List<String> backchannels,
        Duration silenceTimeout,
        int maxSilenceReprompts,
        String repromptLine,
        String silenceGoodbyeLine,
        Duration maxCallLength,
        Duration maxCallLengthWarningBefore,
        String maxCallLengthWarningLine,
        String maxCallLengthGoodbyeLine,
        String goodbyeLine,
        List<String> endCallPhrases,
        Duration dtmfInterDigitTimeout,
        String optOutDigit,
        String optOutLine,
        String languageModelErrorLine,
        Duration goodbyeTimeout,
        boolean modelSpeaks,
        OutputGuard outputGuard) {

    public static final List<String> DEFAULT_BACKCHANNELS = List.of(
            "uh-huh", "mm-hmm", "okay", "ok", "yeah", "yes", "right", "sure", "mhm", "mhmm", "mm", "i see");

    public static final List<String> DEFAULT_CONTINUATION_WORDS = List.of(
            "and", "or", "but", "so", "because", "cause", "plus", "then",
            "um", "umm", "uh", "uhh", "er", "erm", "uhm", "hmm", "like",
            "the", "a", "an", "my", "our", "your", "of", "to", "at", "on", "in", "for", "with", "from", "is");

    public static final List<String> DEFAULT_END_CALL_PHRASES = List.of(
            "bye", "goodbye", "good bye", "bye bye", "bye now", "talk to you later", "hang up");

    public ConversationSettings {
        systemPrompt = text(systemPrompt);
        firstMessage = text(firstMessage);
        repromptLine = text(repromptLine);
        silenceGoodbyeLine = text(silenceGoodbyeLine);
        maxCallLengthWarningLine = text(maxCallLengthWarningLine);
        maxCallLengthGoodbyeLine = text(maxCallLengthGoodbyeLine);
        goodbyeLine = text(goodbyeLine);
        optOutLine = text(optOutLine);
        languageModelErrorLine = text(languageModelErrorLine);
        optOutDigit = optOutDigit == null || optOutDigit.isBlank() ? null : optOutDigit.strip();
        continuationWords = List.copyOf(continuationWords);
        backchannels = List.copyOf(backchannels);
        endCallPhrases = List.copyOf(endCallPhrases);
        outputGuard = outputGuard == null ? OutputGuard.basic() : outputGuard;
        positive(endOfUtteranceSilence, "endOfUtteranceSilence");
        positive(extendedEndOfUtteranceSilence, "extendedEndOfUtteranceSilence");
        if (extendedEndOfUtteranceSilence.compareTo(endOfUtteranceSilence) < 0) {
            throw new IllegalArgumentException("extendedEndOfUtteranceSilence must not be shorter than endOfUtteranceSilence");
        }
        positive(bargeInMinVoice, "bargeInMinVoice");
        if (bargeInMinWords < 1) throw new IllegalArgumentException("bargeInMinWords must be at least 1");
        notNegative(bargeInYield, "bargeInYield");
        if (bargeInYield.compareTo(bargeInMinVoice) >= 0) {
            throw new IllegalArgumentException("bargeInYield must be shorter than bargeInMinVoice");
        }
        positive(silenceTimeout, "silenceTimeout");
        if (maxSilenceReprompts < 0) throw new IllegalArgumentException("maxSilenceReprompts must not be negative");
        notNegative(maxCallLength, "maxCallLength");
        notNegative(maxCallLengthWarningBefore, "maxCallLengthWarningBefore");
        positive(dtmfInterDigitTimeout, "dtmfInterDigitTimeout");
        positive(goodbyeTimeout, "goodbyeTimeout");
        if (optOutDigit != null && !optOutDigit.matches("[0-9*#]")) {
            throw new IllegalArgumentException("optOutDigit must be one key: 0-9, * or #");
        }
    }

    /** The defaults described on each component, with the given first message. */
    public static ConversationSettings defaults(String firstMessage) {
        return builder().firstMessage(firstMessage).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether a maximum call length applies. */
    public boolean hasMaxCallLength() {
        return maxCallLength.isPositive();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.systemPrompt = systemPrompt;
        b.firstMessage = firstMessage;
        b.firstMessageInterruptible = firstMessageInterruptible;
        b.endOfUtteranceSilence = endOfUtteranceSilence;
        b.extendedEndOfUtteranceSilence = extendedEndOfUtteranceSilence;
        b.continuationWords = continuationWords;
        b.bargeInMinVoice = bargeInMinVoice;
        b.bargeInMinWords = bargeInMinWords;
        b.bargeInYield = bargeInYield;
        b.backchannels = backchannels;
        b.silenceTimeout = silenceTimeout;
        b.maxSilenceReprompts = maxSilenceReprompts;
        b.repromptLine = repromptLine;
        b.silenceGoodbyeLine = silenceGoodbyeLine;
        b.maxCallLength = maxCallLength;
        b.maxCallLengthWarningBefore = maxCallLengthWarningBefore;
        b.maxCallLengthWarningLine = maxCallLengthWarningLine;
        b.maxCallLengthGoodbyeLine = maxCallLengthGoodbyeLine;
        b.goodbyeLine = goodbyeLine;
        b.endCallPhrases = endCallPhrases;
        b.dtmfInterDigitTimeout = dtmfInterDigitTimeout;
        b.optOutDigit = optOutDigit;
        b.optOutLine = optOutLine;
        b.languageModelErrorLine = languageModelErrorLine;
        b.goodbyeTimeout = goodbyeTimeout;
        b.outputGuard = outputGuard;
        b.modelSpeaks = modelSpeaks;
        return b;
    }

    private static String text(String s) {
        return s == null ? "" : s.strip();
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (!d.isPositive()) throw new IllegalArgumentException(name + " must be positive");
    }

    private static void notNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) throw new IllegalArgumentException(name + " must not be negative");
    }

    /** Builds settings; every value starts at its documented default. */
    public static final class Builder {
        private String systemPrompt = "";
        private String firstMessage = "";
        private boolean firstMessageInterruptible = false;
        private Duration endOfUtteranceSilence = Duration.ofMillis(700);
        private Duration extendedEndOfUtteranceSilence = Duration.ofMillis(1_500);
        private List<String> continuationWords = DEFAULT_CONTINUATION_WORDS;
        private Duration bargeInMinVoice = Duration.ofMillis(250);
        private int bargeInMinWords = 2;
        private Duration bargeInYield = Duration.ofMillis(80);
        private List<String> backchannels = DEFAULT_BACKCHANNELS;
        private Duration silenceTimeout = Duration.ofSeconds(8);
        private int maxSilenceReprompts = 1;
        private String repromptLine = "Are you still there?";
        private String silenceGoodbyeLine = "I can't hear anything, so I'll let you go. Goodbye!";
        private Duration maxCallLength = Duration.ofMinutes(5);
        private Duration maxCallLengthWarningBefore = Duration.ofSeconds(30);
        private String maxCallLengthWarningLine = "We only have a little time left.";
        private String maxCallLengthGoodbyeLine = "Our time is up. Thank you for talking with me. Goodbye!";
        private String goodbyeLine = "Goodbye!";
        private List<String> endCallPhrases = DEFAULT_END_CALL_PHRASES;
        private Duration dtmfInterDigitTimeout = Duration.ofSeconds(1);
        private String optOutDigit = null;
        private String optOutLine = "Okay, we won't call you again. Goodbye.";
        private String languageModelErrorLine = "Sorry, I missed that. Could you say it again?";
        private Duration goodbyeTimeout = Duration.ofSeconds(10);
        private boolean modelSpeaks = false;
        private OutputGuard outputGuard;

        private Builder() {}

        public Builder systemPrompt(String v) { this.systemPrompt = v; return this; }
        public Builder firstMessage(String v) { this.firstMessage = v; return this; }
        public Builder firstMessageInterruptible(boolean v) { this.firstMessageInterruptible = v; return this; }
        public Builder endOfUtteranceSilence(Duration v) { this.endOfUtteranceSilence = v; return this; }
        public Builder extendedEndOfUtteranceSilence(Duration v) { this.extendedEndOfUtteranceSilence = v; return this; }
        public Builder continuationWords(List<String> v) { this.continuationWords = v; return this; }
        public Builder bargeInMinVoice(Duration v) { this.bargeInMinVoice = v; return this; }
        public Builder bargeInMinWords(int v) { this.bargeInMinWords = v; return this; }
        public Builder bargeInYield(Duration v) { this.bargeInYield = v; return this; }
        public Builder backchannels(List<String> v) { this.backchannels = v; return this; }
        public Builder silenceTimeout(Duration v) { this.silenceTimeout = v; return this; }
        public Builder maxSilenceReprompts(int v) { this.maxSilenceReprompts = v; return this; }
        public Builder repromptLine(String v) { this.repromptLine = v; return this; }
        public Builder silenceGoodbyeLine(String v) { this.silenceGoodbyeLine = v; return this; }
        public Builder maxCallLength(Duration v) { this.maxCallLength = v; return this; }
        public Builder maxCallLengthWarningBefore(Duration v) { this.maxCallLengthWarningBefore = v; return this; }
        public Builder maxCallLengthWarningLine(String v) { this.maxCallLengthWarningLine = v; return this; }
        public Builder maxCallLengthGoodbyeLine(String v) { this.maxCallLengthGoodbyeLine = v; return this; }
        public Builder goodbyeLine(String v) { this.goodbyeLine = v; return this; }
        public Builder endCallPhrases(List<String> v) { this.endCallPhrases = v; return this; }
        public Builder dtmfInterDigitTimeout(Duration v) { this.dtmfInterDigitTimeout = v; return this; }
        public Builder optOutDigit(String v) { this.optOutDigit = v; return this; }
        public Builder optOutLine(String v) { this.optOutLine = v; return this; }
        public Builder languageModelErrorLine(String v) { this.languageModelErrorLine = v; return this; }
        public Builder goodbyeTimeout(Duration v) { this.goodbyeTimeout = v; return this; }
        public Builder modelSpeaks(boolean v) { this.modelSpeaks = v; return this; }
        public Builder outputGuard(OutputGuard v) { this.outputGuard = v; return this; }

        public ConversationSettings build() {
            return new ConversationSettings(systemPrompt, firstMessage, firstMessageInterruptible, endOfUtteranceSilence,
                    extendedEndOfUtteranceSilence, continuationWords, bargeInMinVoice, bargeInMinWords, bargeInYield,
                    backchannels, silenceTimeout, maxSilenceReprompts, repromptLine, silenceGoodbyeLine, maxCallLength,
                    maxCallLengthWarningBefore, maxCallLengthWarningLine, maxCallLengthGoodbyeLine, goodbyeLine,
                    endCallPhrases, dtmfInterDigitTimeout, optOutDigit, optOutLine, languageModelErrorLine,
                    goodbyeTimeout, modelSpeaks, outputGuard);
        }
    }
}
