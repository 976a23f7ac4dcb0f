package io.parley.runtime.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TurnDetectorTests {

    private final TurnDetector turns = new TurnDetector(ConversationSettings.defaults("Hi"));

    @ParameterizedTest
    @ValueSource(strings = {
            "my number is 0 7 7 0 0", "my number is 07700 900123.", "five five", "it's double seven",
            "on the twenty", "the twenty-", "the twenty-one", "born on the 21st", "S M I", "s-m-i", "S. M. I.",
            "my name is Smith, S", "my name is smith and", "I'd like um", "I was thinking, uh", "I'd like a table,",
            "it's for the"})
    void unfinishedTextWaitsTheExtendedSilence(String text) {
        assertThat(turns.isIncomplete(text)).as(text).isTrue();
        assertThat(turns.silenceThreshold(text)).isEqualTo(Duration.ofMillis(1_500));
    }

    @ParameterizedTest
    @ValueSource(strings = {"I would like a table", "what time is it?", "that's what I", "Thank you!", "My name is Tim.", ""})
    void finishedTextWaitsTheNormalSilence(String text) {
        assertThat(turns.isIncomplete(text)).as(text).isFalse();
        assertThat(turns.silenceThreshold(text)).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void countsOnlyWordsThatAreNotBackchannels() {
        assertThat(turns.nonBackchannelWordCount("uh-huh")).isZero();
        assertThat(turns.nonBackchannelWordCount("Uh huh.")).isZero();
        assertThat(turns.nonBackchannelWordCount("Mm-hmm, right. I see. Okay yeah sure")).isZero();
        assertThat(turns.nonBackchannelWordCount("wait stop")).isEqualTo(2);
        assertThat(turns.nonBackchannelWordCount("yeah but what")).isEqualTo(2);
        assertThat(turns.nonBackchannelWordCount("I see it")).isEqualTo(1);
        assertThat(turns.isBackchannelOnly("OK.")).isTrue();
        assertThat(turns.isBackchannelOnly("")).isFalse();
        assertThat(turns.isBackchannelOnly("okay stop")).isFalse();
    }

    @Test
    void recognisesAWholeUtteranceGoodbyeOnly() {
        assertThat(turns.isEndCallPhrase("Bye!")).isTrue();
        assertThat(turns.isEndCallPhrase("Okay, bye-bye.")).isTrue();
        assertThat(turns.isEndCallPhrase("Yeah. Talk to you later.")).isTrue();
        assertThat(turns.isEndCallPhrase("Goodbye Santa, and bring me a bike")).isFalse();
        assertThat(turns.isEndCallPhrase("bye for now but first tell me a story")).isFalse();
        assertThat(turns.isEndCallPhrase("okay")).isFalse();
    }
}
