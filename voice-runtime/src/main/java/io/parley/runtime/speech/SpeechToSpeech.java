package io.parley.runtime.speech;

import io.parley.runtime.llm.LanguageModel;
import java.time.Duration;
import java.util.List;

/**
 * A speech-to-speech model (OpenAI Realtime): one session per call that hears the caller's audio and
 * answers with its own voice, taking the place of speech-to-text, the language model and text-to-speech
 * together. The session only reports; our conversation engine still decides when the caller has
 * finished, when they interrupt, and when the model speaks ({@link Session#respond}). Adapters hold no
 * tenant state: everything a session needs comes in {@link SessionSettings}.
 *
 * <p>Replies are named by the caller of {@link Session#respond} and {@link Session#say} (the engine's
 * turn and utterance ids), and every report about a reply carries that name.
 */
public interface SpeechToSpeech {

    /** The provider's id as personas name it in {@code llm.provider}, e.g. {@code openai-realtime}. */
    String id();

    /** Opens a session for one call; {@code listener} is called from the provider's threads, in order. */
    Session open(SessionSettings settings, Listener listener);

    /**
     * What a session needs.
     *
     * @param model        the provider's model, e.g. {@code gpt-realtime}; null: the adapter's default
     * @param voice        the provider's voice, e.g. {@code marin}; null: the adapter's default
     * @param language     BCP-47 tag of the caller's language, e.g. {@code en-US} (guides the caller's transcription)
     * @param instructions the persona's system prompt
     * @param tools        the tools the model may call
     * @param history      the conversation so far (a resumed call, a re-opened session), as text: the session
     *                     starts from it; empty for a new call
     * @param apiKey       the provider credential, or null for the adapter's own
     */
    record SessionSettings(String model, String voice, String language, String instructions, List<LanguageModel.Tool> tools,
                           List<LanguageModel.Message> history, String apiKey) {
        public SessionSettings {
            tools = tools == null ? List.of() : List.copyOf(tools);
            history = history == null ? List.of() : List.copyOf(history);
        }
    }

    /** One call's session. */
    interface Session extends AutoCloseable {

        /** The caller's audio: μ-law 8 kHz mono, in order, in any chunk size. Never blocks. */
        void audio(byte[] ulaw);

        /** Answers the conversation so far (the caller's speech is in it already) as reply {@code id}. */
        void respond(String id);

        /** Says {@code text} as it is, in the session's voice, as reply {@code id}; it joins the conversation as the model's. */
        void say(String id, String text);

        /** Something the caller gave without speaking (keys pressed, as text); the next {@link #respond} sees it. */
        void callerText(String text);

        /** The result of tool call {@code toolCallId} the model made; the next {@link #respond} sees it. */
        void toolResult(String toolCallId, String resultJson);

        /** Stops reply {@code id}: no report about it follows once this returns (its usage still counts). */
        void cancel(String id);

        /** The caller heard only the first {@code heard} of reply {@code id}: the model forgets the rest. */
        void truncate(String id, Duration heard);

        /** Ends the session; no callback follows. */
        @Override
        void close();
    }

    /**
     * What a session reports. Replies end with exactly one of {@code done} or {@code failed}, unless
     * cancelled first; a reply asked of a session that has failed fails at once.
     */
    interface Listener {

        /** The caller started or stopped speaking (the provider's voice activity detection). */
        void voiceActivity(boolean speaking);

        /** A partial transcript of what the caller is saying; may change. */
        void interim(String text);

        /** The settled transcript of a stretch of the caller's speech. */
        void finalText(String text);

        /** The caller stopped and everything they said is transcribed. */
        void endOfUtterance();

        /** Audio of reply {@code id}: μ-law 8 kHz mono; {@code ulaw} is the listener's to keep. */
        void audio(String id, byte[] ulaw);

        /** More of the words of reply {@code id} (the model's transcript of its own audio). */
        void transcript(String id, String text);

        /** Reply {@code id} calls a tool; {@code argumentsJson} is a JSON object as text. */
        void toolCall(String id, String toolCallId, String name, String argumentsJson);

        void done(String id);

        void failed(String id, Exception error);

        /** Tokens a reply spent, for every reply the provider finished (cancelled ones too). */
        void usage(Usage spent);

        /**
         * The session broke (refused, dropped, or failed beyond repair): reported once, before the replies in
         * flight fail; nothing of the caller is heard any more. Not reported after {@link Session#close()}.
         */
        void closed(Exception error);
    }

    /** Tokens spent by one reply: totals, and the audio part of each. */
    record Usage(long inputTokens, long outputTokens, long inputAudioTokens, long outputAudioTokens) {}
}
