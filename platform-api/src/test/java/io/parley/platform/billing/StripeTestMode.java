package io.parley.platform.billing;

import static io.parley.platform.billing.StripeEvents.event;
import static io.parley.platform.billing.StripeEvents.object;
import static io.parley.platform.billing.StripeEvents.signature;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.support.TestSmtp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Platform-api with Stripe in test mode against Stripe's fixtures on loopback ({@link StripeStub}), and SMTP (GreenMail):
 * one application context for every test class that extends it, so the stub and the SMTP server live as long as the
 * test JVM.
 */
abstract class StripeTestMode extends IntegrationTest {

    static final StripeStub STRIPE = start();
    static GreenMail smtp;

    static StripeStub start() {
        try {
            return new StripeStub();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void stripeInTestMode(DynamicPropertyRegistry registry) {
        registry.add("parley.billing.stripe.test.secret-key", () -> "sk_test_loopback");
        registry.add("parley.billing.stripe.test.api-base", STRIPE::url);
        registry.add("parley.billing.plans.starter.stripe-price", () -> "price_starter_monthly");
        registry.add("parley.billing.plans.starter.stripe-metered-price", () -> "price_starter_minutes");
        registry.add("parley.billing.plans.growth.stripe-price", () -> "price_missing");
        if (smtp == null) smtp = TestSmtp.start();
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> smtp.getSmtp().getPort());
    }

    /** Subscribes the tenant to Starter through Checkout and Stripe's signed webhook; answers its customer. */
    String subscribe(TestTenant tenant) {
        ApiClient.Response checkout = tenant.api().post("/v1/billing/checkout-session", ApiClient.json(Map.of("plan", "starter",
                "successUrl", "https://app.example.com/done", "cancelUrl", "https://app.example.com/billing")));
        assertThat(checkout.status()).as(checkout.body()).isEqualTo(201);
        String customer = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/checkout/sessions")
                && tenant.id().toString().equals(r.form().get("client_reference_id"))).findFirst().orElseThrow().form().get("customer");
        deliver(event("checkout.session.completed", object("checkout.session", Map.of("client_reference_id", tenant.id().toString(),
                "customer", customer, "subscription", "sub_" + tenant.id(), "mode", "subscription", "payment_status", "paid",
                "metadata", Map.of("plan", "starter"))), Instant.now().getEpochSecond() - 5, false));
        return customer;
    }

    @org.springframework.beans.factory.annotation.Autowired
    io.parley.platform.calls.runtime.RuntimeEventWriter runtimeEvents;

    /**
     * A call of the tenant's persona that was dialled, reported {@code legs} of usage ({@code call.usage} data, one per
     * runtime instance that carried it) and ended ten minutes ago, as the carrier reported.
     */
    UUID endedCall(TestTenant tenant, String persona, String... legs) throws Exception {
        UUID call = UUID.fromString(createCall(tenant, persona).get("id").asString());
        dialByHand(call, "sandbox", "SB" + UUID.randomUUID().toString().replace("-", ""), Instant.now());
        for (String leg : legs) {
            runtimeEvents.write(new io.parley.platform.calls.runtime.RuntimeEvent(io.parley.platform.tenancy.Ids.next(), "call.usage",
                    new io.parley.platform.tenancy.TenantId(tenant.id()), call, Instant.now(), null, leg));
        }
        try (java.sql.Connection owner = TestServices.ownerConnection();
             java.sql.PreparedStatement ended = owner.prepareStatement(
                     "update calls set status = 'completed', updated_at = now() - interval '10 minutes' where tenant_id = ? and id = ?")) {
            ended.setObject(1, tenant.id());
            ended.setObject(2, call);
            assertThat(ended.executeUpdate()).isEqualTo(1);
        }
        return call;
    }

    /** Delivers a Stripe event, signed with the test-mode secret; it must be taken. */
    void deliver(String payload) {
        ApiClient.Response response = anonymous().withHeader("Stripe-Signature",
                signature(payload, TestServices.STRIPE_TEST_WEBHOOK_SECRET, Instant.now().getEpochSecond()))
                .send("POST", "/webhooks/stripe", payload, "application/json");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
    }
}
