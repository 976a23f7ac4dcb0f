package io.parley.runtime.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SpokenTimeTests {

    /** A Friday. */
    private static final LocalDate TODAY = LocalDate.of(2026, 12, 4);

    @ParameterizedTest(name = "\"{0}\" is {1} {2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // what the offline recogniser writes
            "tomorrow at ten                  | 2026-12-05 | 10:00",
            "tomorrow at ten thirty           | 2026-12-05 | 10:30",
            "monday at two forty five         | 2026-12-07 | 14:45",
            "friday at nine                   | 2026-12-11 | 09:00",
            "today at three fifteen           | 2026-12-04 | 15:15",
            "ten                              | -          | 10:00",
            "two thirty                       | -          | 14:30",
            "one oh five                      | -          | 13:05",
            "tomorrow                         | 2026-12-05 | -",
            "wednesday                        | 2026-12-09 | -",
            // what a cloud recogniser writes
            "Tomorrow at 10:30am.             | 2026-12-05 | 10:30",
            "Could I come in on Monday at 2pm? | 2026-12-07 | 14:00",
            "at 9 a.m. on Tuesday, please     | 2026-12-08 | 09:00",
            "7 p.m. today                     | 2026-12-04 | 19:00",
            "7 in the morning                 | -          | 07:00",
            "around 11 o'clock                | -          | 11:00",
            "at 14:30 tomorrow                | 2026-12-05 | 14:30",
            "half past nine on Thursday       | 2026-12-10 | 09:30",
            "quarter to one tomorrow          | 2026-12-05 | 12:45",
            "quarter past four                | -          | 16:15",
            "noon on Saturday                 | 2026-12-05 | 12:00",
            "the day after tomorrow at 11     | 2026-12-06 | 11:00",
            "December 7th at 10               | 2026-12-07 | 10:00",
            "the 8th of December at 3:30      | 2026-12-08 | 15:30",
            "the twenty first of December     | 2026-12-21 | -",
            "January 5 at nine                | 2027-01-05 | 09:00",
            "2026-12-09 at 16:00              | 2026-12-09 | 16:00",
            "I am free at two                 | -          | 14:00",
            "two people at ten                | -          | 10:00",
            "Mondays at 12                    | 2026-12-07 | 12:00",
    })
    void readsADayAndATime(String said, LocalDate date, LocalTime time) {
        assertThat(SpokenTime.parse(said, TODAY)).contains(new SpokenTime.Heard(date, time));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"I would like to book an appointment", "yes please", "may I ask something", "thirty two", "at 25:00", "February 30"})
    void hearsNoTimeWhereThereIsNone(String said) {
        assertThat(SpokenTime.parse(said, TODAY)).isEmpty();
    }

    @Test
    void aTimeWithoutADayIsTheNextOneToCome() {
        LocalDateTime morning = LocalDateTime.of(2026, 12, 4, 9, 0);
        assertThat(SpokenTime.dayFor(LocalTime.of(10, 0), morning)).isEqualTo(TODAY);
        assertThat(SpokenTime.dayFor(LocalTime.of(9, 0), morning)).isEqualTo(TODAY.plusDays(1));
        assertThat(SpokenTime.dayFor(LocalTime.of(8, 0), morning)).isEqualTo(TODAY.plusDays(1));
    }

    @Test
    void saysDaysAndTimesAsAPersonWould() {
        assertThat(SpokenTime.say(LocalDateTime.of(2026, 12, 5, 10, 0))).isEqualTo("Saturday 5 December at 10 a.m.");
        assertThat(SpokenTime.sayTime(LocalTime.of(14, 30))).isEqualTo("2:30 p.m.");
        assertThat(SpokenTime.sayTime(LocalTime.of(12, 0))).isEqualTo("12 noon");
        assertThat(SpokenTime.sayTime(LocalTime.of(0, 15))).isEqualTo("12:15 a.m.");
        assertThat(SpokenTime.sayTimes(List.of(LocalTime.of(9, 0), LocalTime.of(9, 30), LocalTime.of(13, 0))))
                .isEqualTo("9 a.m., 9:30 a.m. and 1 p.m.");
    }

    @Test
    void everyPhraseARecogniserIsToldOfReadsAsADayOrATime() {
        List<String> phrases = SpokenTime.phrases();
        assertThat(phrases).contains("tomorrow at ten thirty", "monday", "two forty five").doesNotHaveDuplicates();
        assertThat(phrases).allSatisfy(p -> assertThat(SpokenTime.parse(p, TODAY)).as(p).isPresent());
        assertThat(SpokenTime.parse("sunday at twelve forty five", TODAY)).contains(new SpokenTime.Heard(LocalDate.of(2026, 12, 6), LocalTime.of(12, 45)));
    }
}
