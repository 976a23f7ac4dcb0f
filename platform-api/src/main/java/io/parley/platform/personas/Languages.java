package io.parley.platform.personas;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The languages a persona may speak, by primary subtag, with the providers that hear and speak each, as the providers
 * document them: Deepgram's nova-2 recogniser, ElevenLabs' multilingual voices and OpenAI's voices take all of them;
 * the offline speech takes English only.
 */
public final class Languages {

    /** A language and who hears ({@code speechToText}) and speaks ({@code textToSpeech}) it. */
    public record Language(String tag, String name, List<String> speechToText, List<String> textToSpeech) {}

    private static final List<String> TAGS = List.of("en", "es", "fr", "de", "it", "pt", "nl", "pl", "sv", "da", "fi", "ro", "cs", "sk",
            "bg", "el", "tr", "ru", "uk", "hi", "ja", "ko", "zh", "id", "ms");

    private static final List<Language> ALL = TAGS.stream().map(tag -> new Language(tag,
            Locale.forLanguageTag(tag).getDisplayLanguage(Locale.ENGLISH),
            tag.equals("en") ? List.of("deepgram", "offline") : List.of("deepgram"),
            tag.equals("en") ? List.of("elevenlabs", "openai", "offline") : List.of("elevenlabs", "openai"))).toList();

    private Languages() {}

    public static List<Language> all() {
        return ALL;
    }

    /** The language of a BCP-47 tag (its primary subtag), if personas may speak it. */
    public static Optional<Language> of(String tag) {
        String primary = tag == null ? "" : tag.split("[-_]", 2)[0].toLowerCase(Locale.ROOT);
        return ALL.stream().filter(l -> l.tag().equals(primary)).findFirst();
    }
}
