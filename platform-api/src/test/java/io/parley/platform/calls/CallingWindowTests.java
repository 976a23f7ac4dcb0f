package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallingWindowTests {

    private static final CallingWindow DEFAULT = new CallingWindow(true, LocalTime.of(8, 0), LocalTime.of(21, 0));
    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final ZoneId LOS_ANGELES = ZoneId.of("America/Los_Angeles");

    @Test
    void insideTheWindowIsNow() {
        Instant noonInLondon = Instant.parse("2027-01-15T12:00:00Z");
        assertThat(DEFAULT.next(noonInLondon, List.of(LONDON))).isEqualTo(noonInLondon);
        assertThat(DEFAULT.next(Instant.parse("2027-01-15T08:00:00Z"), List.of(LONDON))).as("start is inside").isEqualTo(Instant.parse("2027-01-15T08:00:00Z"));
    }

    @Test
    void beforeTheWindowWaitsForItsOpeningAndAfterItForTomorrows() {
        assertThat(DEFAULT.next(Instant.parse("2027-01-15T06:30:00Z"), List.of(LONDON))).isEqualTo(Instant.parse("2027-01-15T08:00:00Z"));
        assertThat(DEFAULT.next(Instant.parse("2027-01-15T21:00:00Z"), List.of(LONDON))).as("end is outside").isEqualTo(Instant.parse("2027-01-16T08:00:00Z"));
        // 02:00 UTC is 21:00 in New York the evening before: next opening 08:00 EST = 13:00 UTC
        assertThat(DEFAULT.next(Instant.parse("2027-01-15T02:00:00Z"), List.of(NEW_YORK))).isEqualTo(Instant.parse("2027-01-15T13:00:00Z"));
    }

    @Test
    void severalZonesWaitUntilTheWindowHoldsInAll() {
        // 13:00 UTC: 08:00 in New York but 05:00 in Los Angeles, which opens at 16:00 UTC
        assertThat(DEFAULT.next(Instant.parse("2027-01-15T13:00:00Z"), List.of(NEW_YORK, LOS_ANGELES))).isEqualTo(Instant.parse("2027-01-15T16:00:00Z"));
        // London and Los Angeles share no hour of 08:00–21:00 in winter before 21:00 London (16:00 → 21:00 UTC)
        assertThat(DEFAULT.next(Instant.parse("2027-01-15T09:00:00Z"), List.of(LONDON, LOS_ANGELES))).isEqualTo(Instant.parse("2027-01-15T16:00:00Z"));
    }

    @Test
    void offOrWithoutAZoneIsAlwaysNow() {
        Instant night = Instant.parse("2027-01-15T03:00:00Z");
        assertThat(CallingWindow.OFF.next(night, List.of(LONDON))).isEqualTo(night);
        assertThat(DEFAULT.next(night, List.of())).isEqualTo(night);
    }

    @Test
    void premiumRateAndEmergencyNumbersAreNeverDialled() {
        assertThat(DEFAULT.forbidden("+19005551234")).hasValueSatisfying(r -> assertThat(r).contains("premium-rate"));
        assertThat(DEFAULT.forbidden("+44999")).isPresent();
        assertThat(DEFAULT.forbidden("+14155550100")).isEmpty();
        assertThat(CallingWindow.OFF.forbidden("+19005551234")).isEmpty();
    }

    @Test
    void aWindowMustStartBeforeItEnds() {
        assertThatThrownBy(() -> new CallingWindow(true, LocalTime.of(21, 0), LocalTime.of(8, 0))).isInstanceOf(IllegalArgumentException.class);
    }
}
