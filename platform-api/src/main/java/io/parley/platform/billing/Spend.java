package io.parley.platform.billing;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What usage adds to a tenant's bill in the current billing period, in cents: the spend its cap limits.
 *
 * <p>On a paid plan, the period's billable minutes beyond the plan's included minutes at its price per minute (the
 * monthly fee is not spend: it is the same whatever is used), less the prepaid credits left, which those minutes draw
 * on first. On the local plan (no Stripe in the mode), the
 * providers' estimated cost of the period's calls ({@code parley.billing.provider-costs}), as there is no bill.
 * Both rounded up to the next cent.
 *
 * <p>The period is the subscription's current one as Stripe last told it, carried forward a month at a time when the
 * renewal's event has not arrived yet; without a subscription, the calendar month (UTC).
 */
@Component
public class Spend {

    /** A billing period, {@code start} included, {@code end} not. */
    public record Period(Instant start, Instant end) {}

    /** Where a tenant's spend stands in a period against its cap (null: none). */
    public record Position(Period period, long spendCents, Long capCents) {
        public boolean capReached() {
            return capCents != null && spendCents >= capCents;
        }

        /** Whether {@code percent} of the cap is spent. */
        public boolean reached(int percent) {
            return capCents != null && BigDecimal.valueOf(spendCents).multiply(BigDecimal.valueOf(100))
                    .compareTo(BigDecimal.valueOf(capCents).multiply(BigDecimal.valueOf(percent))) >= 0;
        }
    }

    private final JdbcTemplate jdbc;

    public Spend(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The billing period {@code now} falls in, for {@code account} (which may be absent). */
    public static Period period(BillingAccounts.Account account, Instant now) {
        if (account != null && account.currentPeriodStart() != null && account.currentPeriodEnd() != null
                && account.currentPeriodStart().isBefore(account.currentPeriodEnd()) && !now.isBefore(account.currentPeriodStart())) {
            Instant start = account.currentPeriodStart();
            Instant end = account.currentPeriodEnd();
            ZonedDateTime anchor = end.atZone(ZoneOffset.UTC);
            for (int months = 1; !now.isBefore(end); months++) {   // the renewal's event has not come yet
                start = end;
                end = anchor.plusMonths(months).toInstant();
            }
            return new Period(start, end);
        }
        ZonedDateTime month = now.atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate().atStartOfDay(ZoneOffset.UTC);
        return new Period(month.toInstant(), month.plusMonths(1).toInstant());
    }

    /** The tenant's spend in {@code mode} this period, on {@code plan} ({@code local}: the local plan); inside its transaction. */
    public Position position(TenantId tenant, Mode mode, BillingAccounts.Account account, BillingProperties.Plan plan, boolean local, Instant now) {
        Period period = period(account, now);
        Long cap = account == null ? null : account.spendCapCents();
        long spend = spendCents(tenant, mode, period, plan, local);
        long credits = account == null || local ? 0 : account.creditBalanceCents();
        return new Position(period, Math.max(0, spend - credits), cap);
    }

    long spendCents(TenantId tenant, Mode mode, Period period, BillingProperties.Plan plan, boolean local) {
        record Totals(long minutes, long costMicros) {}
        Totals totals = jdbc.queryForObject("""
                select coalesce(sum(ceil(seconds / 60.0)), 0)::bigint, coalesce(sum(cost), 0)::bigint
                  from (select coalesce(sum(quantity) filter (where meter = 'call_seconds'), 0) as seconds, sum(cost_estimate_micros) as cost
                          from usage_ledger where tenant_id = ? and mode = ? and occurred_at >= ? and occurred_at < ?
                         group by call_id) per_call""",
                (rs, i) -> new Totals(rs.getLong(1), rs.getLong(2)), tenant.value(), mode.wire(),
                OffsetDateTime.ofInstant(period.start(), ZoneOffset.UTC), OffsetDateTime.ofInstant(period.end(), ZoneOffset.UTC));
        if (local || plan == null) {
            return BigDecimal.valueOf(totals.costMicros()).divide(BigDecimal.valueOf(10_000), 0, RoundingMode.CEILING).longValueExact();
        }
        long overage = Math.max(0, totals.minutes() - plan.includedMinutes());
        return plan.perMinuteCents().multiply(BigDecimal.valueOf(overage)).setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
