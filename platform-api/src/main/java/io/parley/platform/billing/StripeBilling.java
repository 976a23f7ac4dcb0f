package io.parley.platform.billing;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The tenant's side of Stripe, through stripe-java: its customer (one per tenant and mode, made once, with an
 * idempotency key so that a retry or a race never makes two), a Checkout Session to subscribe or change plan (promotion
 * codes allowed), and a customer-portal session. The subscription itself is learnt from Stripe's webhooks
 * ({@link StripeWebhooks}), never from the browser's return.
 */
@Component
public class StripeBilling {

    private static final Logger log = LoggerFactory.getLogger(StripeBilling.class);

    /** A session to send the tenant's browser to. */
    public record Session(String id, String url) {}

    private final BillingProperties settings;
    private final BillingAccounts accounts;
    private final TenantTransactions transactions;
    private final Clock clock;
    private final Map<Mode, StripeClient> clients = new ConcurrentHashMap<>();

    public StripeBilling(BillingProperties settings, BillingAccounts accounts, TenantTransactions transactions, Clock clock) {
        this.settings = settings;
        this.accounts = accounts;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** A Checkout Session subscribing the tenant to {@code planKey} (its monthly Price, and its minutes' metered Price). */
    public Session checkout(TenantId tenant, Mode mode, String tenantName, String planKey, String successUrl, String cancelUrl) {
        BillingProperties.Plan plan = settings.plans().get(planKey);
        if (plan == null || BillingProperties.LOCAL_PLAN.equals(planKey)) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "No plan '" + planKey + "' to subscribe to",
                    List.of(new ApiProblemException.FieldError("plan", "one of " + subscribable())));
        }
        StripeClient stripe = client(mode);   // first: without Stripe in this mode, no plan can be bought
        if (plan.stripePrice() == null || plan.stripePrice().isBlank()) {
            throw new ApiProblemException(ProblemType.BILLING_NOT_CONFIGURED, "The plan '" + planKey + "' has no Stripe Price on this deployment"
                    + " (PARLEY_STRIPE_PRICE_" + planKey.toUpperCase(java.util.Locale.ROOT) + ")");
        }
        SessionCreateParams.Builder params = checkoutFor(stripe, tenant, mode, tenantName, SessionCreateParams.Mode.SUBSCRIPTION, successUrl, cancelUrl)
                .setAllowPromotionCodes(true)
                .putMetadata("plan", planKey)
                .setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                        .putMetadata("tenant_id", tenant.value().toString()).putMetadata("plan", planKey).build())
                .addLineItem(SessionCreateParams.LineItem.builder().setPrice(plan.stripePrice()).setQuantity(1L).build());
        if (plan.stripeMeteredPrice() != null && !plan.stripeMeteredPrice().isBlank()) {
            params.addLineItem(SessionCreateParams.LineItem.builder().setPrice(plan.stripeMeteredPrice()).build());
        }
        return create(stripe, params, "create a Checkout Session");
    }

    /**
     * A Checkout Session paying {@code amountCents} once for prepaid credits (in the currency of the tenant's plan); the
     * credits are granted when Stripe's webhook says it was paid ({@link PrepaidCredits}).
     */
    public Session creditsCheckout(TenantId tenant, Mode mode, String tenantName, long amountCents, String currency, String successUrl,
                                   String cancelUrl) {
        StripeClient stripe = client(mode);
        SessionCreateParams.Builder params = checkoutFor(stripe, tenant, mode, tenantName, SessionCreateParams.Mode.PAYMENT, successUrl, cancelUrl)
                .putMetadata("purpose", "credits")
                .putMetadata("tenant_id", tenant.value().toString())
                .addLineItem(SessionCreateParams.LineItem.builder().setQuantity(1L)
                        .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                                .setCurrency(currency).setUnitAmount(amountCents)
                                .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder().setName("Parley prepaid call minutes").build())
                                .build())
                        .build());
        return create(stripe, params, "create a Checkout Session for credits");
    }

    /** A Checkout Session of the tenant's customer (made the first time), coming back to {@code successUrl} or {@code cancelUrl}. */
    private SessionCreateParams.Builder checkoutFor(StripeClient stripe, TenantId tenant, Mode mode, String tenantName, SessionCreateParams.Mode kind,
                                                    String successUrl, String cancelUrl) {
        return SessionCreateParams.builder()
                .setMode(kind)
                .setCustomer(customer(stripe, tenant, mode, tenantName))
                .setClientReferenceId(tenant.value().toString())
                .setSuccessUrl(successUrl)
                .setCancelUrl(cancelUrl);
    }

    private static Session create(StripeClient stripe, SessionCreateParams.Builder params, String what) {
        try {
            com.stripe.model.checkout.Session session = stripe.v1().checkout().sessions().create(params.build());
            return new Session(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw failed(what, e);
        }
    }

    /** A customer-portal session, where the tenant updates its card, sees invoices, changes or cancels its plan. */
    public Session portal(TenantId tenant, Mode mode, String tenantName, String returnUrl) {
        StripeClient stripe = client(mode);
        String customer = customer(stripe, tenant, mode, tenantName);
        try {
            com.stripe.model.billingportal.Session session = stripe.v1().billingPortal().sessions().create(
                    com.stripe.param.billingportal.SessionCreateParams.builder().setCustomer(customer).setReturnUrl(returnUrl).build());
            return new Session(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw failed("create a customer-portal session", e);
        }
    }

    /** The tenant's customer in {@code mode}, made the first time (Stripe answers a repeated idempotency key with the same one). */
    String customer(StripeClient stripe, TenantId tenant, Mode mode, String tenantName) {
        String known = transactions.read(tenant, () -> accounts.find(tenant, mode).map(BillingAccounts.Account::customerId).orElse(null));
        if (known != null) return known;
        try {
            Customer customer = stripe.v1().customers().create(CustomerCreateParams.builder().setName(tenantName)
                            .putMetadata("tenant_id", tenant.value().toString()).putMetadata("mode", mode.wire()).build(),
                    RequestOptions.builder().setIdempotencyKey("parley-customer-" + mode.wire() + "-" + tenant.value()).build());
            transactions.write(tenant, () -> accounts.apply(tenant, mode,
                    new BillingAccounts.Change(customer.getId(), null, null, null, null, null, null), clock.instant(), clock.instant()));
            return customer.getId();
        } catch (StripeException e) {
            throw failed("create the tenant's customer", e);
        }
    }

    /** Stripe's client in {@code mode}, when it has a secret key. */
    Optional<StripeClient> client(String mode) {
        return settings.stripe(mode).isEmpty() ? Optional.empty() : Optional.of(client(Mode.fromWire(mode)));
    }

    StripeClient client(Mode mode) {
        BillingProperties.Stripe stripe = settings.stripe(mode.wire()).orElseThrow(() -> new ApiProblemException(ProblemType.BILLING_NOT_CONFIGURED,
                "There is no Stripe in " + mode.wire() + " mode on this deployment: the local free plan applies (GET /v1/billing/subscription)"));
        return clients.computeIfAbsent(mode, m -> StripeClient.builder().setApiKey(stripe.secretKey())
                .setApiBase(stripe.apiBase() == null || stripe.apiBase().isBlank() ? "https://api.stripe.com" : stripe.apiBase())
                .setMaxNetworkRetries(2).setConnectTimeout(5_000).setReadTimeout(20_000).build());
    }

    private String subscribable() {
        return settings.plans().keySet().stream().filter(k -> !BillingProperties.LOCAL_PLAN.equals(k)).sorted().toList().toString();
    }

    /** Stripe refused or could not be reached: a 502 naming what Stripe said (its request id, for its support). */
    static ApiProblemException failed(String what, StripeException e) {
        log.warn("Stripe could not {}: {} (request {})", what, e.getMessage(), e.getRequestId());
        String said = e.getStripeError() != null && e.getStripeError().getMessage() != null ? e.getStripeError().getMessage() : e.getMessage();
        return new ApiProblemException(ProblemType.STRIPE_FAILED, "Stripe could not " + what + ": " + said
                + (e instanceof InvalidRequestException ? " (a configuration problem: check the plan's Stripe Prices)" : ""));
    }
}
