package io.parley.platform.billing;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Tenants' subscriptions as Parley last learnt them from Stripe, one per tenant and mode. Called inside the tenant's
 * transaction (row-level security), except {@link #tenantOfCustomer}, which finds it.
 */
@Component
public class BillingAccounts {

    /**
     * A tenant's subscription in one mode, and its spend controls; {@code status} {@code none} until Stripe tells of one.
     *
     * @param spendCapCents   the hard cap on what usage adds to the bill in a billing period; null: none
     * @param alertThresholds the percentages of the cap that alert the tenant
     * @param alertEmail      where alerts are emailed (when SMTP is configured); null: webhooks only
     * @param creditBalanceCents prepaid credits left for metered prices, as Stripe last said
     */
    public record Account(TenantId tenant, Mode mode, String customerId, String subscriptionId, String plan, String status,
                          Instant pastDueSince, Instant currentPeriodStart, Instant currentPeriodEnd, Instant trialEnd, Instant stateAt,
                          Long spendCapCents, List<Integer> alertThresholds, String alertEmail, long creditBalanceCents) {}

    /** The spend controls a tenant sets for one mode. */
    public record Controls(Long spendCapCents, List<Integer> alertThresholds, String alertEmail) {}

    /**
     * What a Stripe event says of a subscription; null fields leave the account's as they are.
     *
     * @param status the subscription's status; null: unchanged
     */
    public record Change(String customerId, String subscriptionId, String plan, String status, Instant currentPeriodStart, Instant currentPeriodEnd,
                         Instant trialEnd) {}

    private final JdbcTemplate jdbc;

    public BillingAccounts(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Account> find(TenantId tenant, Mode mode) {
        return jdbc.query("""
                select stripe_customer_id, stripe_subscription_id, plan, status, past_due_since, current_period_start, current_period_end,
                       trial_end, state_at, spend_cap_cents, alert_thresholds, alert_email, credit_balance_cents
                  from billing_accounts where tenant_id = ? and mode = ?""",
                (rs, i) -> new Account(tenant, mode, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5),
                        instant(rs, 6), instant(rs, 7), instant(rs, 8), instant(rs, 9), rs.getObject(10, Long.class), thresholds(rs.getArray(11)),
                        rs.getString(12), rs.getLong(13)), tenant.value(), mode.wire()).stream().findFirst();
    }

    /** Replaces the tenant's spend controls in {@code mode} (an account without a subscription yet is made, as {@code none}). */
    public void setControls(TenantId tenant, Mode mode, Controls controls, Instant now) {
        jdbc.update("""
                insert into billing_accounts (tenant_id, mode, status, spend_cap_cents, alert_thresholds, alert_email, created_at, updated_at)
                values (?, ?, 'none', ?, ?::smallint[], ?, ?, ?)
                on conflict (tenant_id, mode) do update set spend_cap_cents = excluded.spend_cap_cents, alert_thresholds = excluded.alert_thresholds,
                  alert_email = excluded.alert_email, updated_at = excluded.updated_at""",
                tenant.value(), mode.wire(), controls.spendCapCents(), pgArray(controls.alertThresholds()), controls.alertEmail(), ts(now), ts(now));
    }

    private static String pgArray(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",", "{", "}"));
    }

    private static List<Integer> thresholds(java.sql.Array array) throws SQLException {
        if (array == null) return List.of();
        List<Integer> values = new ArrayList<>();
        for (Object value : (Object[]) array.getArray()) {
            values.add(((Number) value).intValue());
        }
        return List.copyOf(values);
    }

    /** The tenant whose Stripe customer this is, in that mode (outside any tenant's transaction). */
    public Optional<TenantId> tenantOfCustomer(Mode mode, String customerId) {
        if (customerId == null) return Optional.empty();
        return jdbc.query("select parley_stripe_customer_tenant(?, ?)", (rs, i) -> rs.getObject(1, UUID.class), mode.wire(), customerId)
                .stream().filter(java.util.Objects::nonNull).findFirst().map(TenantId::new);
    }

    /**
     * Applies {@code change} as of {@code at} (the Stripe event's {@code created}), unless the account already holds a
     * newer state: events arrive in any order, and the newest one's word on the status stands. A change without a status
     * (which customer, subscription or plan) always applies and leaves the state's moment alone. A status of
     * {@code past_due} keeps the moment it began; any other clears it. Answers whether it was applied.
     */
    public boolean apply(TenantId tenant, Mode mode, Change change, Instant at, Instant now) {
        return jdbc.update("""
                insert into billing_accounts (tenant_id, mode, stripe_customer_id, stripe_subscription_id, plan, status, past_due_since,
                                              current_period_start, current_period_end, trial_end, state_at, created_at, updated_at)
                values (?, ?, ?, ?, ?, coalesce(?, 'none'), case when ? = 'past_due' then ?::timestamptz end, ?, ?, ?,
                        case when ?::text is null then null else ?::timestamptz end, ?, ?)
                on conflict (tenant_id, mode) do update set
                  stripe_customer_id = coalesce(excluded.stripe_customer_id, billing_accounts.stripe_customer_id),
                  stripe_subscription_id = coalesce(excluded.stripe_subscription_id, billing_accounts.stripe_subscription_id),
                  plan = coalesce(excluded.plan, billing_accounts.plan),
                  status = case when ?::text is null then billing_accounts.status else excluded.status end,
                  past_due_since = case when (case when ?::text is null then billing_accounts.status else excluded.status end) = 'past_due'
                                        then coalesce(billing_accounts.past_due_since, excluded.past_due_since) end,
                  current_period_start = coalesce(excluded.current_period_start, billing_accounts.current_period_start),
                  current_period_end = coalesce(excluded.current_period_end, billing_accounts.current_period_end),
                  trial_end = coalesce(excluded.trial_end, billing_accounts.trial_end),
                  state_at = case when ?::text is null then billing_accounts.state_at else excluded.state_at end,
                  updated_at = excluded.updated_at
                where ?::text is null or billing_accounts.state_at is null or billing_accounts.state_at <= excluded.state_at""",
                tenant.value(), mode.wire(), change.customerId(), change.subscriptionId(), change.plan(), change.status(), change.status(), ts(at),
                ts(change.currentPeriodStart()), ts(change.currentPeriodEnd()), ts(change.trialEnd()), change.status(), ts(at), ts(now), ts(now),
                change.status(), change.status(), change.status(), change.status()) == 1;
    }

    private static OffsetDateTime ts(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
