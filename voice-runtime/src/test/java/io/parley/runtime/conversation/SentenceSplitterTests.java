package io.parley.runtime.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSplitterTests {

    /** Feeds the text token by token (one character at a time is the harshest streaming) and flushes. */
    private static List<String> stream(String text) {
        SentenceSplitter splitter = new SentenceSplitter();
        List<String> out = new ArrayList<>();
        for (char c : text.toCharArray()) out.addAll(splitter.append(String.valueOf(c)));
        out.addAll(splitter.flush());
        return out;
    }

    @Test
    void releasesASentenceOnceTheNextOneStarts() {
        SentenceSplitter splitter = new SentenceSplitter();

        assertThat(splitter.append("Hello there! How are")).containsExactly("Hello there!");
        assertThat(splitter.append(" you?")).isEmpty(); // the next character decides
        assertThat(splitter.append(" I'm fine.")).containsExactly("How are you?");
        assertThat(splitter.flush()).containsExactly("I'm fine.");
    }

    @Test
    void doesNotSplitDecimalsEvenWhenTheyArriveInPieces() {
        SentenceSplitter splitter = new SentenceSplitter();

        assertThat(splitter.append("It is 3.")).isEmpty();
        assertThat(splitter.append("5 degrees at the North Pole. Brr")).containsExactly("It is 3.5 degrees at the North Pole.");
        assertThat(stream("Pi is 3.14159 roughly. It costs $4.99 today.")).containsExactly("Pi is 3.14159 roughly.", "It costs $4.99 today.");
    }

    @Test
    void doesNotSplitAfterAbbreviationsInitialsOrDottedWords() {
        assertThat(stream("Mr. Smith and Dr. Jones live on Baker St. near the park. They are nice."))
                .containsExactly("Mr. Smith and Dr. Jones live on Baker St. near the park.", "They are nice.");
        assertThat(stream("I met Dr. Who. He was late.")).containsExactly("I met Dr. Who.", "He was late.");
        assertThat(stream("J. R. R. Tolkien wrote it. Read it.")).containsExactly("J. R. R. Tolkien wrote it.", "Read it.");
        assertThat(stream("Bring snacks, e.g. cookies. Come at 5 p.m. Thanks!"))
                .containsExactly("Bring snacks, e.g. cookies.", "Come at 5 p.m. Thanks!");
    }

    @Test
    void splitsAtAnEllipsisOnlyWhenASentenceFollows() {
        assertThat(stream("Well... I think so. Hmm... let me see."))
                .containsExactly("Well...", "I think so.", "Hmm... let me see.");
        assertThat(stream("Wait…What? Oh… okay.")).containsExactly("Wait…What?", "Oh… okay.");
    }

    @Test
    void keepsRunsOfPunctuationAndClosingQuotesTogether() {
        assertThat(stream("Really?! Yes. He said \"Stop!\" Then he left.")).containsExactly(
                "Really?!", "Yes.", "He said \"Stop!\"", "Then he left.");
    }

    @Test
    void splitsOnNewlinesEvenWithoutPunctuation() {
        assertThat(stream("First line\nSecond line\n\n- third item")).containsExactly("First line", "Second line", "- third item");
    }

    @Test
    void textWithoutPunctuationComesOutOnFlushOnly() {
        SentenceSplitter splitter = new SentenceSplitter();

        assertThat(splitter.append("hello there how are you")).isEmpty();
        assertThat(splitter.flush()).containsExactly("hello there how are you");
        assertThat(splitter.flush()).isEmpty();
    }

    @Test
    void dropsPiecesWithoutWords() {
        assertThat(stream("... !! \n  \n")).isEmpty();
        assertThat(stream("Okay. ... Right.")).containsExactly("Okay.", "Right.");
    }

    @Test
    void resumesFromPendingText() {
        SentenceSplitter splitter = new SentenceSplitter("Ho ho ho. ");

        assertThat(splitter.append("Merry")).containsExactly("Ho ho ho.");
        assertThat(splitter.pending()).isEqualTo("Merry");
    }
}
