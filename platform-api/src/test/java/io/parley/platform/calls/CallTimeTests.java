package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The documented rule for local times across daylight-saving changes, and zones from numbers. */
class CallTimeTests {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    @Test
    void anOrdinaryLocalTimeIsThatTimeInItsZone() {
        assertThat(CallTime.resolve(LocalDateTime.parse("2026-12-24T18:00"), ZoneId.of("Europe/London")))
                .isEqualTo(Instant.parse("2026-12-24T18:00:00Z"));
        assertThat(CallTime.resolve(LocalDateTime.parse("2026-12-24T18:00"), NEW_YORK))
                .isEqualTo(Instant.parse("2026-12-24T23:00:00Z"));
    }

    @Test
    void aTimeInTheSpringForwardGapMovesLaterByTheGap() {
        // 2027-03-14: New York's clocks go from 02:00 EST to 03:00 EDT; 02:30 does not exist
        assertThat(CallTime.resolve(LocalDateTime.parse("2027-03-14T02:30"), NEW_YORK))
                .isEqualTo(Instant.parse("2027-03-14T07:30:00Z"))   // 03:30 EDT
                .isEqualTo(CallTime.resolve(LocalDateTime.parse("2027-03-14T03:30"), NEW_YORK));
    }

    @Test
    void aTimeThatHappensTwiceIsItsFirstOccurrence() {
        // 2027-11-07: New York's clocks go back from 02:00 EDT to 01:00 EST; 01:30 happens twice
        assertThat(CallTime.resolve(LocalDateTime.parse("2027-11-07T01:30"), NEW_YORK))
                .isEqualTo(Instant.parse("2027-11-07T05:30:00Z"));  // 01:30 EDT, not 06:30Z (EST)
    }

    @Test
    void zonesComeFromTheNumbersPrefix() {
        assertThat(CallTime.zonesOf("+12124567890")).containsExactly(NEW_YORK);
        assertThat(CallTime.zonesOf("+14155552671")).containsExactly(ZoneId.of("America/Los_Angeles"));
        assertThat(CallTime.zonesOf("+442071838750")).containsExactly(ZoneId.of("Europe/London"));
        assertThat(CallTime.zonesOf("not a number")).isEmpty();
    }
}
