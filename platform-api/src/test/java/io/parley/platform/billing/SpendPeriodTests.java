package io.parley.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The billing period a spend is counted in. */
class SpendPeriodTests {

    private static final Instant NOW = Instant.parse("2026-12-04T21:00:00Z");

    @Test
    void withoutASubscriptionsPeriodItIsTheCalendarMonthInUtc() {
        assertThat(Spend.period(null, NOW)).isEqualTo(new Spend.Period(Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z")));
        assertThat(Spend.period(account(null, null), Instant.parse("2026-12-31T23:59:59Z")).end()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    }

    @Test
    void itIsTheSubscriptionsCurrentPeriodAsStripeGaveIt() {
        Instant start = Instant.parse("2026-11-15T09:30:00Z");
        Instant end = Instant.parse("2026-12-15T09:30:00Z");
        assertThat(Spend.period(account(start, end), NOW)).isEqualTo(new Spend.Period(start, end));
        assertThat(Spend.period(account(start, end), start)).as("the start is in it").isEqualTo(new Spend.Period(start, end));
    }

    @Test
    void aPeriodWhoseRenewalHasNotBeenHeardOfIsCarriedForwardAMonthAtATime() {
        Instant start = Instant.parse("2026-09-15T09:30:00Z");
        Instant end = Instant.parse("2026-10-15T09:30:00Z");
        assertThat(Spend.period(account(start, end), NOW))
                .isEqualTo(new Spend.Period(Instant.parse("2026-11-15T09:30:00Z"), Instant.parse("2026-12-15T09:30:00Z")));
        assertThat(Spend.period(account(start, end), end)).as("the end is the next one's start")
                .isEqualTo(new Spend.Period(end, Instant.parse("2026-11-15T09:30:00Z")));
    }

    @Test
    void aPeriodThatMakesNoSenseIsLeftForTheCalendarMonth() {
        Instant start = Instant.parse("2026-12-15T00:00:00Z");
        assertThat(Spend.period(account(start, Instant.parse("2026-11-15T00:00:00Z")), NOW).start()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(Spend.period(account(start, Instant.parse("2027-01-15T00:00:00Z")), NOW).start()).as("not begun yet")
                .isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void aPositionReachesAThresholdAtItsExactShareOfTheCap() {
        Spend.Period period = Spend.period(null, NOW);
        assertThat(new Spend.Position(period, 79, 100L).reached(80)).isFalse();
        assertThat(new Spend.Position(period, 80, 100L).reached(80)).isTrue();
        assertThat(new Spend.Position(period, 99, 100L).capReached()).isFalse();
        assertThat(new Spend.Position(period, 100, 100L).capReached()).isTrue();
        assertThat(new Spend.Position(period, 1_000, null).capReached()).as("no cap").isFalse();
        assertThat(new Spend.Position(period, 33, 67L).reached(50)).as("33 of 67 is under half").isFalse();
    }

    private static BillingAccounts.Account account(Instant start, Instant end) {
        return new BillingAccounts.Account(new TenantId(UUID.randomUUID()), Mode.TEST, "cus_1", "sub_1", "starter", "active", null, start, end, null, null,
                100L, List.of(50, 80, 100), null, 0);
    }
}
