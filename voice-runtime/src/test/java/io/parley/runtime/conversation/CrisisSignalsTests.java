package io.parley.runtime.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrisisSignalsTests {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Sometimes I just want to kill myself.        | kill myself",
            "I don't want to live anymore                 | don't want to live",
            "i dont want to live any more                 | dont want to live",
            "I don’t want to be alive                     | don't want to be alive",
            "I've been cutting myself again               | cutting myself",
            "I think about suicide a lot                  | suicide",
            "Everyone would be better off without me      | better off without me",
            "I just want to end it all                    | end it all",
            "I can't go on like this                      | can't go on",
            "thinking about self-harm                     | self harm",
            "I took an overdose                           | overdose",
    })
    void signsOfSelfHarmAreFound(String said, String phrase) {
        assertThat(CrisisSignals.in(said)).contains(phrase);
    }

    @ParameterizedTest
    @ValueSource(strings = {"This traffic is killing me", "I'd kill for a coffee", "My phone died this morning", "I could die laughing",
            "Book me in for a cut and dye", "I want to end the call now", "My life is busy", "I hurt my knee playing football", ""})
    void everydayWordsAreNot(String said) {
        assertThat(CrisisSignals.in(said)).isEmpty();
    }
}
