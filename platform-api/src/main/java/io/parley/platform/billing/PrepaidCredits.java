package io.parley.platform.billing;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.billing.CreditBalanceSummary;
import com.stripe.model.billing.CreditGrant;
import com.stripe.net.RequestOptions;
import com.stripe.param.billing.CreditBalanceSummaryRetrieveParams;
import com.stripe.param.billing.CreditGrantCreateParams;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Prepaid credits: each Checkout payment for credits (Stripe's webhook says it was paid) is written as a grant in the
 * tenant's transaction, then made in Stripe as Billing Credits on the tenant's customer that its metered prices draw on
 * (category {@code paid}), under the idempotency key {@code parley-credit-grant-<mode>-<session>}: a job killed after
 * Stripe made it makes the same one again, and Stripe answers with the first. The balance is read back from Stripe's
 * credit balance summary after a grant and whenever Stripe says credits moved (an invoice paid with them), and kept on
 * the billing account: the spend cap counts what usage adds beyond it.
 */
@Component
public class PrepaidCredits {

    private static final Logger log = LoggerFactory.getLogger(PrepaidCredits.class);

    private final JdbcTemplate jdbc;
    private final TenantTransactions transactions;
    private final StripeBilling stripe;
    private final Clock clock;

    public PrepaidCredits(JdbcTemplate jdbc, TenantTransactions transactions, StripeBilling stripe, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.stripe = stripe;
        this.clock = clock;
    }

    /** Writes the grant a paid credits Checkout Session bought, once per session; inside the tenant's transaction. */
    void paid(TenantId tenant, Mode mode, String sessionId, String customerId, long amountCents, String currency) {
        jdbc.update("""
                insert into credit_grants (tenant_id, mode, source, customer_id, amount_cents, currency, created_at)
                values (?, ?, ?, ?, ?, ?, ?) on conflict (tenant_id, source) do nothing""",
                tenant.value(), mode.wire(), sessionId, customerId, amountCents, currency, ts(clock.instant()));
    }

    /** Notes that Stripe's credit balance moved (credits applied to an invoice); inside the tenant's transaction. */
    void balanceMoved(TenantId tenant, Mode mode) {
        jdbc.update("update billing_accounts set credit_balance_stale = true where tenant_id = ? and mode = ?", tenant.value(), mode.wire());
    }

    @Scheduled(fixedDelayString = "${parley.billing.report-every:PT1M}", initialDelayString = "${parley.billing.report-every:PT1M}")
    void grantDue() {
        if (stripe.client(Mode.TEST.wire()).isEmpty() && stripe.client(Mode.LIVE.wire()).isEmpty()) return;
        grant();
    }

    /** Makes the grants written and not yet made, and reads the balances they (or Stripe) changed. Answers how many were made. */
    int grant() {
        List<Object[]> work = jdbc.query("select tenant_id, mode from parley_credit_work(200)",
                (rs, i) -> new Object[] {rs.getObject(1, UUID.class), rs.getString(2)});
        int made = 0;
        for (Object[] w : work) {
            TenantId tenant = new TenantId((UUID) w[0]);
            Mode mode = Mode.fromWire((String) w[1]);
            Optional<StripeClient> client = stripe.client(mode.wire());
            if (client.isEmpty()) continue;
            record Pending(String source, String customer, long amount, String currency) {}
            List<Pending> pending = transactions.read(tenant, () -> jdbc.query("""
                    select source, customer_id, amount_cents, currency from credit_grants
                     where tenant_id = ? and mode = ? and granted_at is null and attempts < 20 order by created_at""",
                    (rs, i) -> new Pending(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)), tenant.value(), mode.wire()));
            for (Pending p : pending) {
                try {
                    CreditGrant grant = client.get().v1().billing().creditGrants().create(CreditGrantCreateParams.builder()
                                    .setCustomer(p.customer())
                                    .setName("Prepaid call minutes")
                                    .setCategory(CreditGrantCreateParams.Category.PAID)
                                    .setAmount(CreditGrantCreateParams.Amount.builder().setType(CreditGrantCreateParams.Amount.Type.MONETARY)
                                            .setMonetary(CreditGrantCreateParams.Amount.Monetary.builder().setValue(p.amount()).setCurrency(p.currency()).build())
                                            .build())
                                    .setApplicabilityConfig(CreditGrantCreateParams.ApplicabilityConfig.builder().setScope(
                                            CreditGrantCreateParams.ApplicabilityConfig.Scope.builder()
                                                    .setPriceType(CreditGrantCreateParams.ApplicabilityConfig.Scope.PriceType.METERED).build()).build())
                                    .putMetadata("tenant_id", tenant.value().toString())
                                    .putMetadata("checkout_session", p.source())
                                    .build(),
                            RequestOptions.builder().setIdempotencyKey("parley-credit-grant-" + mode.wire() + "-" + p.source()).build());
                    transactions.write(tenant, () -> jdbc.update("""
                            update credit_grants set stripe_grant_id = ?, granted_at = ?, attempts = attempts + 1, last_error = null
                             where tenant_id = ? and source = ?""", grant.getId(), ts(clock.instant()), tenant.value(), p.source()));
                    transactions.write(tenant, () -> { balanceMoved(tenant, mode); return null; });
                    made++;
                } catch (StripeException e) {
                    log.warn("Tenant {}'s credits of {} {} were not granted, they will be again: {}", tenant.value(), p.amount(), p.currency(),
                            e.getMessage());
                    String error = String.valueOf(e.getMessage());
                    transactions.write(tenant, () -> jdbc.update("update credit_grants set attempts = attempts + 1, last_error = ? where tenant_id = ? and source = ?",
                            error.length() > 500 ? error.substring(0, 500) : error, tenant.value(), p.source()));
                }
            }
            refresh(client.get(), tenant, mode);
        }
        return made;
    }

    /** Reads the tenant's balance of credits for metered prices back from Stripe, when it is stale. */
    private void refresh(StripeClient client, TenantId tenant, Mode mode) {
        Optional<String> customer = transactions.read(tenant, () -> jdbc.query(
                "select stripe_customer_id from billing_accounts where tenant_id = ? and mode = ? and credit_balance_stale and stripe_customer_id is not null",
                (rs, i) -> rs.getString(1), tenant.value(), mode.wire()).stream().findFirst());
        if (customer.isEmpty()) return;
        try {
            CreditBalanceSummary summary = client.v1().billing().creditBalanceSummary().retrieve(CreditBalanceSummaryRetrieveParams.builder()
                    .setCustomer(customer.get())
                    .setFilter(CreditBalanceSummaryRetrieveParams.Filter.builder().setType(CreditBalanceSummaryRetrieveParams.Filter.Type.APPLICABILITY_SCOPE)
                            .setApplicabilityScope(CreditBalanceSummaryRetrieveParams.Filter.ApplicabilityScope.builder()
                                    .setPriceType(CreditBalanceSummaryRetrieveParams.Filter.ApplicabilityScope.PriceType.METERED).build()).build())
                    .build());
            long available = 0;
            for (CreditBalanceSummary.Balance balance : summary.getBalances()) {
                if (balance.getAvailableBalance() != null && balance.getAvailableBalance().getMonetary() != null) {
                    available += balance.getAvailableBalance().getMonetary().getValue();
                }
            }
            long cents = Math.max(0, available);
            transactions.write(tenant, () -> jdbc.update("""
                    update billing_accounts set credit_balance_cents = ?, credit_balance_at = ?, credit_balance_stale = false
                     where tenant_id = ? and mode = ?""", cents, ts(clock.instant()), tenant.value(), mode.wire()));
        } catch (StripeException e) {
            log.warn("Tenant {}'s credit balance was not read from Stripe, it will be again: {}", tenant.value(), e.getMessage());
        }
    }

    private static OffsetDateTime ts(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
