package io.parley.platform.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KnowledgeTextTests {

    @Test
    void passagesAreWholeSentencesWithinAParagraphAndNeverTooLong() {
        String sentence = "The clinic offers check-ups, cleaning and whitening for the whole family. ";
        String paragraph = sentence.repeat(20).strip();   // about 1,500 characters
        List<String> passages = KnowledgeText.passages("Services\n\n" + paragraph + "\n\nFees\n\nA check-up costs 60 pounds.");
        assertThat(passages).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(KnowledgeText.PASSAGE_CHARS));
        assertThat(passages.getFirst()).startsWith("Services The clinic offers");
        assertThat(passages.subList(0, passages.size() - 1)).allSatisfy(p -> assertThat(p).endsWith("family."));
        assertThat(passages.getLast()).isEqualTo("Fees A check-up costs 60 pounds.");
        assertThat(String.join(" ", passages)).isEqualTo("Services " + paragraph + " Fees A check-up costs 60 pounds.");
    }

    @Test
    void aSentenceLongerThanAPassageIsCutBetweenWordsAndAWordWithoutSpacesWhereItMust() {
        String words = "word ".repeat(400).strip();
        assertThat(KnowledgeText.passages(words)).hasSize(3).allSatisfy(p -> assertThat(p).startsWith("word").endsWith("word"));
        assertThat(KnowledgeText.passages("x".repeat(1500))).extracting(String::length).containsExactly(700, 700, 100);
    }

    @Test
    void markdownIsReadAsPlainText() {
        assertThat(KnowledgeText.plainMarkdown("""
                # Title
                Some **bold**, _em_ and `code`, a [link](https://x.example) and ![a logo](logo.png).
                - one
                > quoted
                | a | b |
                |---|---|
                """).strip()).isEqualTo("""
                Title
                Some bold, em and code, a link and a logo.
                one
                quoted
                  a   b \s
                """.strip());
    }

    @Test
    void eachLanguageSearchesWithItsOwnStemming() {
        assertThat(KnowledgeText.config("en-GB")).isEqualTo("english");
        assertThat(KnowledgeText.config("de")).isEqualTo("german");
        assertThat(KnowledgeText.config("pt-BR")).isEqualTo("portuguese");
        assertThat(KnowledgeText.config("ja-JP")).as("no stemmer: words as they are").isEqualTo("simple");
        assertThat(KnowledgeText.config(null)).isEqualTo("simple");
    }
}
