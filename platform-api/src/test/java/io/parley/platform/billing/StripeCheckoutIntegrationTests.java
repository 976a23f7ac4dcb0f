package io.parley.platform.billing;

import static io.parley.platform.billing.StripeEvents.event;
import static io.parley.platform.billing.StripeEvents.object;
import static io.parley.platform.billing.StripeEvents.signature;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.TestServices;
import io.parley.sdk.Parley;
import io.parley.sdk.PaymentRequiredException;
import io.parley.sdk.model.BillingSession;
import io.parley.sdk.model.CreateCallRequest;
import io.parley.sdk.model.CreateCheckoutSessionRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Stripe in test mode, against Stripe's fixtures on loopback ({@link StripeStub}): a test-mode tenant subscribes through
 * a Checkout Session completed by a signed webhook, calls, and is refused once its subscription lapses, all through the
 * SDK; Stripe's refusals are a 502 saying what Stripe said; no Stripe customer is made twice.
 */
class StripeCheckoutIntegrationTests extends StripeTestMode {

    @Test
    void aTestModeTenantSubscribesThroughCheckoutCallsAndIsRefusedWhenItLapses() {
        TestTenant tenant = newTenant();
        Parley parley = Parley.builder().apiKey(tenant.apiKey()).baseUrl(baseUrl()).build();
        String persona = createPersona(tenant, "Santa").get("id").asString();
        CreateCallRequest call = new CreateCallRequest().personaId(UUID.fromString(persona)).to("+442071838750").putVariablesItem("child_name", "Ella");

        assertThat(parley.billing().subscription().getMayPlaceCalls()).as("Stripe in test mode, no subscription yet").isFalse();
        assertThatThrownBy(() -> parley.calls().create(call)).isInstanceOf(PaymentRequiredException.class)
                .hasMessageContaining("POST /v1/billing/checkout-session");

        BillingSession checkout = parley.billing().checkoutSession(new CreateCheckoutSessionRequest().plan("starter")
                .successUrl("https://app.example.com/billing/done").cancelUrl("https://app.example.com/billing"));
        assertThat(checkout.getId()).startsWith("cs_test_");
        assertThat(checkout.getUrl().toString()).startsWith("https://checkout.stripe.com/");
        StripeStub.Request customer = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/customers")
                && tenant.id().toString().equals(r.form().get("metadata[tenant_id]"))).findFirst().orElseThrow();
        assertThat(customer.authorization()).isEqualTo("Bearer sk_test_loopback");
        assertThat(customer.idempotencyKey()).isEqualTo("parley-customer-test-" + tenant.id());
        StripeStub.Request session = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/checkout/sessions")
                && tenant.id().toString().equals(r.form().get("client_reference_id"))).findFirst().orElseThrow();
        assertThat(session.form()).containsEntry("mode", "subscription").containsEntry("allow_promotion_codes", "true")
                .containsEntry("line_items[0][price]", "price_starter_monthly").containsEntry("line_items[1][price]", "price_starter_minutes")
                .containsEntry("subscription_data[metadata][tenant_id]", tenant.id().toString()).containsEntry("metadata[plan]", "starter");
        String customerId = session.form().get("customer");
        assertThat(customerId).startsWith("cus_stub");

        // a second session (the tenant came back) uses the same customer
        parley.billing().checkoutSession(new CreateCheckoutSessionRequest().plan("starter")
                .successUrl("https://app.example.com/success?session={CHECKOUT_SESSION_ID}").cancelUrl("https://app.example.com/billing"));
        assertThat(STRIPE.requests.stream().filter(r -> r.path().equals("/v1/customers")
                && tenant.id().toString().equals(r.form().get("metadata[tenant_id]")))).as("one customer per tenant and mode").hasSize(1);

        // Stripe: the Checkout is paid
        long now = Instant.now().getEpochSecond();
        deliver(event("checkout.session.completed", object("checkout.session", Map.of("id", checkout.getId(), "client_reference_id",
                tenant.id().toString(), "customer", customerId, "subscription", "sub_stub_" + tenant.id(), "mode", "subscription",
                "status", "complete", "payment_status", "paid", "metadata", Map.of("plan", "starter"))), now - 5, false));
        assertThat(parley.billing().subscription().getStatus()).isEqualTo("active");
        assertThat(parley.calls().create(call).getId()).isNotNull();

        assertThat(parley.billing().portalSession(new io.parley.sdk.model.CreatePortalSessionRequest()
                .returnUrl("https://app.example.com/billing")).getUrl().toString()).startsWith("https://billing.stripe.com/");

        // Stripe: the subscription is canceled (the customer portal, or unpaid invoices)
        deliver(event("customer.subscription.deleted", object("subscription", Map.of("id", "sub_stub_" + tenant.id(), "customer", customerId,
                "status", "canceled")), now, false));
        assertThatThrownBy(() -> parley.calls().create(call)).isInstanceOf(PaymentRequiredException.class).hasMessageContaining("canceled");
    }

    @org.springframework.beans.factory.annotation.Autowired
    private MeterReporter reporter;

    @Test
    void aCompletedCallIsOneMeterEventEvenWhenTheReporterIsKilledAfterSendingAndRunsAgain() throws Exception {
        TestTenant tenant = newTenant();
        String customer = subscribe(tenant);
        // a call resumed on a second instance: two legs
        UUID call = endedCall(tenant, createPersona(tenant, "Santa").get("id").asString(), "{\"callSeconds\": 61.2}", "{\"callSeconds\": 20}");
        String identifier = "parley-call-" + call;

        assertThatThrownBy(() -> reporter.report(Instant.now(), report -> {
            if (report.callId().equals(call)) throw new IllegalStateException("killed between sending and noting it");
        })).hasMessageContaining("killed");
        assertThat(STRIPE.meterEvents).containsKey(identifier);
        reporter.report(Instant.now(), report -> { });   // the next run sends it again, under the same identifier
        reporter.report(Instant.now(), report -> { });   // and the one after finds nothing to do

        assertThat(STRIPE.requests.stream().filter(r -> r.path().equals("/v1/billing/meter_events") && identifier.equals(r.form().get("identifier"))))
                .as("sent twice: once before the kill, once after").hasSize(2);
        assertThat(STRIPE.meterEvents.get(identifier)).as("Stripe keeps one: 81.2 s are two minutes")
                .containsEntry("event_name", "parley_minutes").containsEntry("payload[value]", "2").containsEntry("payload[stripe_customer_id]", customer);
        try (java.sql.Connection owner = TestServices.ownerConnection();
             java.sql.PreparedStatement sent = owner.prepareStatement("select sent_at is not null, minutes from meter_reports where call_id = ?")) {
            sent.setObject(1, call);
            try (java.sql.ResultSet rs = sent.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("noted as sent").isTrue();
                assertThat(rs.getLong(2)).isEqualTo(2);
            }
        }
    }

    @org.springframework.beans.factory.annotation.Autowired
    private io.parley.platform.calls.DispatchLedger ledger;

    @Test
    void aCallBookedWhileSubscribedIsNotDialledOnceTheSubscriptionLapsed() {
        TestTenant tenant = newTenant();
        String customer = subscribe(tenant);
        String call = createCall(tenant, createPersona(tenant, "Santa").get("id").asString()).get("id").asString();
        deliver(event("customer.subscription.deleted", object("subscription", Map.of("id", "sub_" + tenant.id(), "customer", customer,
                "status", "canceled")), Instant.now().getEpochSecond(), false));

        assertThatThrownBy(() -> io.parley.platform.support.Dispatching.beginNow(ledger, UUID.fromString(call), "billing"))
                .hasMessageContaining("not begun");
        JsonNode now = tenant.api().get("/v1/calls/" + call).json();
        assertThat(now.get("status").asString()).isEqualTo("blocked");
        assertThat(eventTypes(tenant, call)).contains("call.blocked");
        assertThat(tenant.api().get("/v1/calls/" + call + "/events?type=call.blocked").json().get("data").get(0).get("reason").asString())
                .contains("calls are not allowed").contains("canceled");
    }

    @Test
    void aCallDueNowBeyondThePlansConcurrentCallsIsRefusedSayingWhichLimitAndOneForLaterIsTaken() {
        TestTenant tenant = newTenant();
        subscribe(tenant);
        String persona = createPersona(tenant, "Santa").get("id").asString();
        for (int i = 0; i < 2; i++) {   // the Starter plan's two concurrent calls, under way
            String call = createCall(tenant, persona).get("id").asString();
            dialByHand(call, "sandbox", "SB" + UUID.randomUUID().toString().replace("-", ""), Instant.now());
        }
        ApiClient.Response third = tenant.api().post("/v1/calls", callBody(persona));
        assertThat(third.status()).as(third.body()).isEqualTo(402);
        assertThat(third.json().get("type").asString()).endsWith("/plan-limit-reached");
        assertThat(third.json().get("detail").asString()).contains("Concurrent calls: 2").contains("Starter").contains("Schedule the call for later");

        ApiClient.Response later = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750",
                "scheduledAt", Instant.now().plusSeconds(3600).toString(), "variables", Map.of("child_name", "Ella"))));
        assertThat(later.status()).as(later.body()).isEqualTo(201);
    }

    @Test
    void thePlansPersonaLimitHoldsEvenForTwoCreatedAtOnceAndDeletingOneFreesItsPlace() throws Exception {
        TestTenant tenant = newTenant();
        subscribe(tenant);   // Starter: five personas
        List<String> made = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            made.add(createPersona(tenant, "Helper " + i).get("id").asString());
        }
        // the fifth and a sixth at once: one is made, the other refused
        List<java.util.concurrent.Future<ApiClient.Response>> both;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            both = pool.invokeAll(List.of(() -> tenant.api().post("/v1/personas", personaBody("Fifth")),
                    () -> tenant.api().post("/v1/personas", personaBody("Sixth"))));
        }
        List<Integer> statuses = new java.util.ArrayList<>();
        for (var answer : both) statuses.add(answer.get().status());
        assertThat(statuses).containsExactlyInAnyOrder(201, 402);
        ApiClient.Response refused = tenant.api().post("/v1/personas", personaBody("Seventh"));
        assertThat(refused.status()).as(refused.body()).isEqualTo(402);
        assertThat(refused.json().get("type").asString()).endsWith("/plan-limit-reached");
        assertThat(refused.json().get("detail").asString()).contains("Personas: the tenant has 5").contains("Starter")
                .contains("POST /v1/billing/checkout-session");

        assertThat(tenant.api().delete("/v1/personas/" + made.get(0)).status()).isEqualTo(204);
        assertThat(tenant.api().post("/v1/personas", personaBody("Seventh")).status()).as("a deleted persona frees its place").isEqualTo(201);
    }

    @Test
    void stripesRefusalIsABadGatewaySayingWhatStripeSaidAndAnUnknownPlanIsAValidationError() {
        TestTenant tenant = newTenant();
        ApiClient.Response refused = tenant.api().post("/v1/billing/checkout-session", ApiClient.json(Map.of("plan", "growth",
                "successUrl", "https://app.example.com/done", "cancelUrl", "https://app.example.com/billing")));
        assertThat(refused.status()).as(refused.body()).isEqualTo(502);
        assertThat(refused.json().get("type").asString()).endsWith("/stripe-failed");
        assertThat(refused.json().get("detail").asString()).contains("No such price: 'price_missing'");

        ApiClient.Response unknown = tenant.api().post("/v1/billing/checkout-session", ApiClient.json(Map.of("plan", "platinum",
                "successUrl", "https://app.example.com/done", "cancelUrl", "https://app.example.com/billing")));
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(422);
        assertThat(unknown.body()).contains("\"field\":\"plan\"").contains("growth");

        ApiClient.Response noPrice = tenant.api().post("/v1/billing/checkout-session", ApiClient.json(Map.of("plan", "scale",
                "successUrl", "https://app.example.com/done", "cancelUrl", "https://app.example.com/billing")));
        assertThat(noPrice.status()).as(noPrice.body()).isEqualTo(409);
        assertThat(noPrice.json().get("type").asString()).endsWith("/billing-not-configured");

        ApiClient.Response badUrl = tenant.api().post("/v1/billing/checkout-session", ApiClient.json(Map.of("plan", "starter",
                "successUrl", "javascript:alert(1)", "cancelUrl", "https://app.example.com/billing")));
        assertThat(badUrl.status()).as(badUrl.body()).isIn(400, 422);
    }
}
