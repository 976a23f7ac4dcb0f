package io.parley.runtime.call;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.moderation.Moderation;
import io.parley.runtime.speech.SpeechToSpeech;
import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.TextToSpeech;
import io.parley.runtime.tools.PlatformTools;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The providers this instance has, by the id personas name them with, and the platform tools calls may use. */
public final class Providers {

    private final Map<String, SpeechToText> stt;
    private final Map<String, TextToSpeech> tts;
    private final Map<String, LanguageModel> llm;
    private final Map<String, SpeechToSpeech> speechToSpeech;
    private final PlatformTools tools;
    private final Moderation moderation;

    public Providers(List<SpeechToText> stt, List<TextToSpeech> tts, List<LanguageModel> llm, List<SpeechToSpeech> speechToSpeech,
                     PlatformTools tools) {
        this(stt, tts, llm, speechToSpeech, tools, null);
    }

    /** @param moderation the moderation provider every sentence passes before it is spoken, or null for none */
    public Providers(List<SpeechToText> stt, List<TextToSpeech> tts, List<LanguageModel> llm, List<SpeechToSpeech> speechToSpeech,
                     PlatformTools tools, Moderation moderation) {
        this.tools = tools;
        this.moderation = moderation;
        this.stt = stt.stream().collect(Collectors.toMap(SpeechToText::id, Function.identity()));
        this.tts = tts.stream().collect(Collectors.toMap(TextToSpeech::id, Function.identity()));
        this.llm = llm.stream().collect(Collectors.toMap(LanguageModel::id, Function.identity()));
        this.speechToSpeech = speechToSpeech.stream().collect(Collectors.toMap(SpeechToSpeech::id, Function.identity()));
    }

    /** The named speech-to-text, else the offline one (test mode and the embedded default always have it). */
    public SpeechToText stt(String id) {
        return pick(stt, id, "speech-to-text");
    }

    public TextToSpeech tts(String id) {
        return pick(tts, id, "text-to-speech");
    }

    /** A language model, or null for scripted personas (and unknown ids: the scripted brain takes over). */
    public LanguageModel llm(String id) {
        return id == null ? null : llm.get(id);
    }

    /** The tools that act on the platform as the call (none when this instance does not know platform-api). */
    public PlatformTools tools() {
        return tools;
    }

    /** The moderation provider, or null: the output guard in code alone decides what is said. */
    public Moderation moderation() {
        return moderation;
    }

    /**
     * A speech-to-speech model named by a persona's {@code llm.provider} (it replaces the recogniser, the model and
     * the voice), or null: the persona then runs on a language model, or the scripted brain, as usual.
     */
    public SpeechToSpeech speechToSpeech(String id) {
        return id == null ? null : speechToSpeech.get(id);
    }

    private static <T> T pick(Map<String, T> providers, String id, String what) {
        T chosen = id == null ? null : providers.get(id);
        if (chosen == null) {
            chosen = providers.get("offline");
        }
        if (chosen == null) {
            throw new IllegalStateException("No " + what + " provider '" + id + "' and no offline one on this instance");
        }
        return chosen;
    }
}
