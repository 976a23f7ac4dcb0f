package io.parley.runtime.speech.offline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsgfGrammarTests {

    private final PronunciationDictionary dictionary = PronunciationDictionary.of(
            "yes", "no", "a", "red", "bicycle", "my", "name", "is", "ella", "don't", "know", "seven", "zero", "four", "two");

    @Test
    void phrasesAreAlternatives() {
        JsgfGrammar grammar = JsgfGrammar.of(List.of("yes", "no", "a red bicycle"), dictionary);

        assertThat(grammar.jsgf()).isEqualTo("""
                #JSGF V1.0;
                grammar parley;
                public <utt> = yes | no | a red bicycle ;
                """);
        assertThat(grammar.phrases()).containsExactly("yes", "no", "a red bicycle");
    }

    @Test
    void numberWordsMayFollowOneAnother() {
        JsgfGrammar grammar = JsgfGrammar.of(List.of("seven", "zero", "no"), dictionary);

        assertThat(grammar.jsgf()).isEqualTo("""
                #JSGF V1.0;
                grammar parley;
                public <utt> = no | <numbers> ;
                <numbers> = <number> <number>* ;
                <number> = seven | zero ;
                """);
    }

    @Test
    void phrasesAreLowerCasedStrippedOfPunctuationAndDeduplicated() {
        JsgfGrammar grammar = JsgfGrammar.of(List.of("Yes!", "  My name is ELLA.  ", "yes", "'I don't know'", "Is-it?"), dictionary);

        assertThat(grammar.phrases()).containsExactly("yes", "my name is ella", "don't know", "is");
        assertThat(grammar.dropped()).containsExactlyInAnyOrder("i", "it");
    }

    @Test
    void digitsAreSpelledOut() {
        assertThat(JsgfGrammar.of(List.of("7024"), dictionary).phrases()).containsExactly("seven zero two four");
    }

    @Test
    void wordsTheDictionaryLacksAreDroppedAndSoAreEmptiedPhrases() {
        JsgfGrammar grammar = JsgfGrammar.of(List.of("my name is zorblax", "qwxz", "yes"), dictionary);

        assertThat(grammar.phrases()).containsExactly("my name is", "yes");
        assertThat(grammar.dropped()).containsExactlyInAnyOrder("zorblax", "qwxz");
    }

    @Test
    void noUsablePhraseMeansTheDefaultVocabulary() {
        PronunciationDictionary everyWord = PronunciationDictionary.of(JsgfGrammar.DEFAULT_VOCABULARY.stream()
                .flatMap(phrase -> Arrays.stream(phrase.split(" "))).toArray(String[]::new));

        for (List<String> nothing : Arrays.asList(List.<String>of(), Arrays.asList("", null, "?!"), null)) {
            JsgfGrammar grammar = JsgfGrammar.of(nothing, everyWord);
            assertThat(grammar.phrases()).containsExactlyElementsOf(JsgfGrammar.DEFAULT_VOCABULARY);
            assertThat(grammar.jsgf()).isEqualTo(JsgfGrammar.fallback()).contains("goodbye", "yes", "no", "<number> = zero | oh | one");
        }
    }

    @Test
    void theDebianDictionaryHasEveryWordOfTheDefaultVocabulary() {
        PronunciationDictionary debian = PronunciationDictionary.load(PocketSphinxProperties.DEBIAN_DICTIONARY);

        assertThat(debian.size()).isGreaterThan(100_000);
        assertThat(JsgfGrammar.of(JsgfGrammar.DEFAULT_VOCABULARY, debian).dropped()).isEmpty();
        assertThat(debian.contains("read")).as("alternates such as read(2) fold into their word").isTrue();
        assertThat(debian.contains("read(2)")).isFalse();
    }

    @Test
    void everyGrammarAlsoHearsTheSpokenSignsOfSelfHarmWholeOrNotAtAll() {
        PronunciationDictionary debian = PronunciationDictionary.load(PocketSphinxProperties.DEBIAN_DICTIONARY);

        assertThat(JsgfGrammar.of(List.of("a red bicycle", "a puppy"), debian).phrases())
                .startsWith("a red bicycle", "a puppy").contains("i want to end my life", "i want to kill myself", "i don't want to live");
        assertThat(JsgfGrammar.of(List.of(), debian).phrases()).containsAll(JsgfGrammar.DEFAULT_VOCABULARY).contains("i want to end my life");
        assertThat(JsgfGrammar.of(List.of("yes", "no"), dictionary).phrases()).as("no fragments ('my') of a sign").containsExactly("yes", "no");
    }
}
