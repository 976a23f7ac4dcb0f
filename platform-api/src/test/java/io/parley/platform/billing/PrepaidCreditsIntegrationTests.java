package io.parley.platform.billing;

import static io.parley.platform.billing.StripeEvents.event;
import static io.parley.platform.billing.StripeEvents.object;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.sdk.Parley;
import io.parley.sdk.model.BillingSession;
import io.parley.sdk.model.CreateCreditsCheckoutSessionRequest;
import io.parley.sdk.model.SpendControls;
import io.parley.sdk.model.SpendControlsUpdate;
import io.parley.sdk.model.Subscription;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Prepaid credits bought through Checkout (Stripe's fixtures on loopback), from the SDK: granted in Stripe as Billing
 * Credits for the metered minutes once the payment is made, once however often Stripe says so; usage draws on them
 * before it is spend, and the balance follows what invoices take from it.
 */
class PrepaidCreditsIntegrationTests extends StripeTestMode {

    @Autowired
    private PrepaidCredits credits;

    @Test
    void paidCreditsAreGrantedOnceAndUsageDrawsOnThemBeforeItCountsAsSpend() throws Exception {
        TestTenant tenant = newTenant();
        String customer = subscribe(tenant);
        Parley parley = Parley.builder().apiKey(tenant.apiKey()).baseUrl(baseUrl()).build();

        BillingSession checkout = parley.billing().creditsCheckoutSession(new CreateCreditsCheckoutSessionRequest().amountCents(1_000L)
                .successUrl("https://app.example.com/credits/done").cancelUrl("https://app.example.com/billing"));
        StripeStub.Request asked = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/checkout/sessions")
                && "credits".equals(r.form().get("metadata[purpose]")) && tenant.id().toString().equals(r.form().get("client_reference_id")))
                .findFirst().orElseThrow();
        assertThat(asked.form()).containsEntry("mode", "payment").containsEntry("customer", customer)
                .containsEntry("line_items[0][price_data][unit_amount]", "1000").containsEntry("line_items[0][price_data][currency]", "usd")
                .containsEntry("line_items[0][quantity]", "1");

        // Checkout completed, but not paid yet: nothing is granted
        deliver(settled(tenant, checkout.getId(), customer, "checkout.session.completed", "unpaid"));
        credits.grant();
        assertThat(grants(customer)).isEmpty();

        // the payment settled later, and Stripe says so twice
        deliver(settled(tenant, checkout.getId(), customer, "checkout.session.async_payment_succeeded", "paid"));
        deliver(settled(tenant, checkout.getId(), customer, "checkout.session.completed", "paid"));
        credits.grant();
        credits.grant();
        List<Map<String, String>> granted = grants(customer);
        assertThat(granted).as("one grant per paid session").hasSize(1);
        assertThat(granted.getFirst()).containsEntry("amount[type]", "monetary").containsEntry("amount[monetary][value]", "1000")
                .containsEntry("amount[monetary][currency]", "usd").containsEntry("category", "paid")
                .containsEntry("applicability_config[scope][price_type]", "metered");
        assertThat(STRIPE.requests.stream().filter(r -> r.path().equals("/v1/billing/credit_grants") && customer.equals(r.form().get("customer"))))
                .allSatisfy(r -> assertThat(r.idempotencyKey()).isEqualTo("parley-credit-grant-test-" + checkout.getId()));

        Subscription subscription = parley.billing().subscription();
        assertThat(subscription.getCreditBalanceCents()).isEqualTo(1_000L);
        assertThat(subscription.getStatus()).as("buying credits leaves the subscription as it is").isEqualTo("active");
        assertThat(subscription.getPlan().getKey()).isEqualTo("starter");

        // 10 minutes beyond the included 300: 150 cents, all drawn from the credits
        parley.billing().updateSpendControls(new SpendControlsUpdate().capCents(100L));
        endedCall(tenant, createPersona(tenant, "Santa").get("id").asString(), "{\"callSeconds\": 18600}");
        SpendControls covered = parley.billing().spendControls();
        assertThat(covered.getCreditBalanceCents()).isEqualTo(1_000L);
        assertThat(covered.getSpendCents()).isZero();
        assertThat(covered.getCapReached()).isFalse();

        // an invoice took 900 of the credits: Stripe's balance is read again
        STRIPE.creditsApplied.put(customer, 900L);
        deliver(event("invoice.paid", object("invoice", Map.of("customer", customer)), Instant.now().getEpochSecond(), false));
        credits.grant();
        SpendControls drawn = parley.billing().spendControls();
        assertThat(drawn.getCreditBalanceCents()).isEqualTo(100L);
        assertThat(drawn.getSpendCents()).as("150 used, 100 of it from the credits").isEqualTo(50);
    }

    @Test
    void badCreditsRequestsAreClearProblemsThatReachNoStripe() {
        TestTenant tenant = newTenant();
        subscribe(tenant);
        long sessions = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/checkout/sessions")).count();
        for (String bad : List.of("{\"amountCents\": 10, \"successUrl\": \"https://a.example/ok\", \"cancelUrl\": \"https://a.example/no\"}",
                "{\"amountCents\": 100000001, \"successUrl\": \"https://a.example/ok\", \"cancelUrl\": \"https://a.example/no\"}",
                "{\"amountCents\": 5000, \"successUrl\": \"javascript:alert(1)\", \"cancelUrl\": \"https://a.example/no\"}",
                "{\"amountCents\": 5000}", "{\"amountCents\": \"lots\", \"successUrl\": \"https://a.example/ok\", \"cancelUrl\": \"https://a.example/no\"}",
                "{\"amountCents\": null, \"successUrl\": \"https://a.example/ok\", \"cancelUrl\": null}", "not json")) {
            ApiClient.Response refused = tenant.api().post("/v1/billing/credits/checkout-session", bad);
            assertThat(refused.status()).as(bad + " -> " + refused.body()).isIn(400, 422);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(STRIPE.requests.stream().filter(r -> r.path().equals("/v1/checkout/sessions")).count()).as("nothing asked of Stripe").isEqualTo(sessions);
    }

    private static String settled(TestTenant tenant, String session, String customer, String type, String paymentStatus) {
        return event(type, object("checkout.session", Map.of("id", session, "client_reference_id", tenant.id().toString(),
                "customer", customer, "mode", "payment", "payment_status", paymentStatus, "amount_total", 1_000, "currency", "usd",
                "metadata", Map.of("purpose", "credits", "tenant_id", tenant.id().toString()))), Instant.now().getEpochSecond(), false);
    }

    private static List<Map<String, String>> grants(String customer) {
        return STRIPE.creditGrants.values().stream().filter(g -> customer.equals(g.get("customer"))).toList();
    }
}
