package io.parley.platform.billing;

import static io.parley.platform.billing.StripeEvents.event;
import static io.parley.platform.billing.StripeEvents.object;
import static io.parley.platform.billing.StripeEvents.signature;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Stripe's webhooks at {@code /webhooks/stripe} with Stripe's signing scheme and fixture objects, and what the
 * subscription they tell of lets a tenant do.
 */
class BillingIntegrationTests extends IntegrationTest {

    private static final String SECRET = TestServices.STRIPE_TEST_WEBHOOK_SECRET;

    // ---------------------------------------------------------------- signatures

    @Test
    void aValidSignatureIsAcceptedAndTheEventApplied() {
        TestTenant tenant = newTenant();
        String payload = checkoutCompleted(tenant, now());
        ApiClient.Response response = deliver(payload, signature(payload, SECRET, now()));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("received").asString()).isEqualTo("applied");
        assertThat(subscription(tenant).get("status").asString()).isEqualTo("active");
    }

    @Test
    void aStaleSignatureIsRefused() {
        String payload = checkoutCompleted(newTenant(), now());
        long tenMinutesAgo = now() - 600;
        assertRefused(deliver(payload, signature(payload, SECRET, tenMinutesAgo)), "tolerance");
    }

    @Test
    void aFutureDatedSignatureIsRefused() {
        String payload = checkoutCompleted(newTenant(), now());
        long inTenMinutes = now() + 600;
        assertRefused(deliver(payload, signature(payload, SECRET, inTenMinutes)), "future");
    }

    @Test
    void aGarbageHeaderIsRefused() {
        String payload = checkoutCompleted(newTenant(), now());
        assertRefused(deliver(payload, "this is not a signature"), "timestamp");
        assertRefused(deliver(payload, "t=abc,v1=xyz"), "timestamp");
        assertRefused(deliver(payload, null), "no Stripe-Signature");
    }

    @Test
    void onlyAV0SignatureIsRefused() {
        String payload = checkoutCompleted(newTenant(), now());
        long t = now();
        assertRefused(deliver(payload, "t=" + t + ",v0=" + StripeEvents.v1(payload, SECRET, t)), "signature");
    }

    @Test
    void oneGoodAndOneBadV1IsAcceptedAsStripeSpecifies() {
        TestTenant tenant = newTenant();
        String payload = checkoutCompleted(tenant, now());
        long t = now();
        String bad = "0".repeat(64);
        ApiClient.Response response = deliver(payload, "t=" + t + ",v1=" + bad + ",v1=" + StripeEvents.v1(payload, SECRET, t));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertRefused(deliver(payload, "t=" + t + ",v1=" + bad + ",v1=" + bad.replace('0', '1')), "signature");
    }

    @Test
    void aValidSignatureOverInvalidJsonIsABadRequestAndNothingIsRecorded() {
        String payload = "{\"id\": \"evt_broken\", \"type\": ";
        ApiClient.Response response = deliver(payload, signature(payload, SECRET, now()));
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.body()).contains("not JSON").doesNotContain("Exception");
        try (java.sql.Connection owner = TestServices.ownerConnection();
             java.sql.PreparedStatement s = owner.prepareStatement("select count(*) from stripe_events where id = 'evt_broken'");
             java.sql.ResultSet rs = s.executeQuery()) {
            rs.next();
            assertThat(rs.getInt(1)).as("no event recorded").isZero();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theWrongSecretIsRefused() {
        String payload = checkoutCompleted(newTenant(), now());
        assertRefused(deliver(payload, signature(payload, "whsec_not_the_endpoints_secret", now())), "signature");
    }

    @Test
    void aLiveEventSignedWithTheTestSecretIsRefused() {
        TestTenant tenant = newTenant();
        String payload = event("checkout.session.completed", object("checkout.session", Map.of("client_reference_id", tenant.id().toString(),
                "customer", "cus_" + tenant.id(), "payment_status", "paid", "mode", "subscription")), now(), true);
        assertRefused(deliver(payload, signature(payload, SECRET, now())), "livemode");
        assertThat(subscription(tenant).get("local").asBoolean()).as("nothing applied").isTrue();
    }

    // ---------------------------------------------------------------- replays and reordering

    @Test
    void theSameEventsReplayedAndReorderedAreAppliedOnceAndEndInTheRightState() {
        TestTenant tenant = newTenant();
        String customer = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        long t = now() - 3600;
        List<String> history = List.of(
                checkoutCompleted(tenant, customer, t),
                subscriptionEvent("customer.subscription.created", tenant, customer, "active", t + 1),
                event("invoice.payment_failed", object("invoice", Map.of("customer", customer)), t + 100, false),
                subscriptionEvent("customer.subscription.updated", tenant, customer, "past_due", t + 101),
                event("invoice.paid", object("invoice", Map.of("customer", customer, "status", "paid")), t + 200, false),
                subscriptionEvent("customer.subscription.updated", tenant, customer, "active", t + 201),
                subscriptionEvent("customer.subscription.updated", tenant, customer, "past_due", t + 300),
                subscriptionEvent("customer.subscription.deleted", tenant, customer, "canceled", t + 400));
        List<String> deliveries = new ArrayList<>(history);
        deliveries.addAll(history);   // every event twice
        Collections.shuffle(deliveries, new Random(7));
        List<String> outcomes = new ArrayList<>();
        for (String payload : deliveries) {
            ApiClient.Response response = deliver(payload, signature(payload, SECRET, now()));
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            outcomes.add(response.json().get("received").asString());
        }
        assertThat(outcomes.stream().filter("applied"::equals)).as("each event applied once").hasSize(history.size());
        assertThat(outcomes.stream().filter("duplicate"::equals)).hasSize(history.size());

        JsonNode subscription = subscription(tenant);
        assertThat(subscription.get("status").asString()).as("the newest event's word: deleted").isEqualTo("canceled");
        assertThat(subscription.get("plan").get("key").asString()).isEqualTo("starter");
        assertThat(subscription.get("stripeCustomerId").asString()).isEqualTo(customer);
        assertThat(subscription.get("mayPlaceCalls").asBoolean()).isFalse();

        // an older event delivered late (Stripe retries for days) changes nothing
        String late = subscriptionEvent("customer.subscription.updated", tenant, customer, "active", t + 250);
        assertThat(deliver(late, signature(late, SECRET, now())).json().get("received").asString()).isEqualTo("applied");
        assertThat(subscription(tenant).get("status").asString()).isEqualTo("canceled");
    }

    // ---------------------------------------------------------------- entitlements

    @Test
    void theSubscriptionsStatusChangesWhatCreatingACallAnswers() {
        TestTenant tenant = newTenant();
        String persona = createPersona(tenant, "Santa").get("id").asString();
        String customer = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        assertThat(subscription(tenant).get("local").asBoolean()).as("no Stripe key here: the local free plan").isTrue();
        assertThat(createCallStatus(tenant, persona)).isEqualTo(201);

        long t = now() - Duration.ofDays(40).toSeconds();
        apply(checkoutCompleted(tenant, customer, t));
        apply(subscriptionEvent("customer.subscription.created", tenant, customer, "trialing", t + 1));
        assertThat(subscription(tenant).get("status").asString()).isEqualTo("trialing");
        assertThat(createCallStatus(tenant, persona)).as("trialing").isEqualTo(201);

        apply(subscriptionEvent("customer.subscription.updated", tenant, customer, "active", now() - Duration.ofDays(30).toSeconds()));
        assertThat(createCallStatus(tenant, persona)).as("active").isEqualTo(201);

        apply(event("invoice.payment_failed", object("invoice", Map.of("customer", customer)), now() - Duration.ofDays(2).toSeconds(), false));
        JsonNode pastDue = subscription(tenant);
        assertThat(pastDue.get("status").asString()).isEqualTo("past_due");
        assertThat(Instant.parse(pastDue.get("graceEndsAt").asString())).isAfter(Instant.now().plus(Duration.ofDays(4)));
        assertThat(createCallStatus(tenant, persona)).as("past due, within the grace period").isEqualTo(201);

        apply(subscriptionEvent("customer.subscription.deleted", tenant, customer, "canceled", now() - 60));
        ApiClient.Response canceled = tenant.api().post("/v1/calls", callBody(persona));
        assertThat(canceled.status()).as(canceled.body()).isEqualTo(402);
        assertThat(canceled.json().get("type").asString()).endsWith("/subscription-inactive");
        assertThat(canceled.json().get("detail").asString()).contains("canceled").contains("POST /v1/billing/checkout-session");

        // the SDK sees the same
        io.parley.sdk.Parley sdk = io.parley.sdk.Parley.builder().apiKey(tenant.apiKey()).baseUrl(baseUrl()).build();
        io.parley.sdk.model.Subscription seen = sdk.billing().subscription();
        assertThat(seen.getStatus()).isEqualTo("canceled");
        assertThat(seen.getMayPlaceCalls()).isFalse();
        assertThat(seen.getPlan().getKey()).isEqualTo("starter");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sdk.calls().create(new io.parley.sdk.model.CreateCallRequest()
                        .personaId(UUID.fromString(persona)).to("+442071838750").putVariablesItem("child_name", "Ella")))
                .isInstanceOf(io.parley.sdk.PaymentRequiredException.class).hasMessageContaining("canceled");

        // another tenant whose payment failed more than the grace period (7 days) ago
        TestTenant late = newTenant();
        String lateCustomer = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        apply(checkoutCompleted(late, lateCustomer, t));
        apply(subscriptionEvent("customer.subscription.created", late, lateCustomer, "active", t + 1));
        apply(event("invoice.payment_failed", object("invoice", Map.of("customer", lateCustomer)), now() - Duration.ofDays(8).toSeconds(), false));
        ApiClient.Response graceOver = late.api().post("/v1/calls", callBody(createPersona(late, "Santa").get("id").asString()));
        assertThat(graceOver.status()).as(graceOver.body()).isEqualTo(402);
        assertThat(graceOver.json().get("detail").asString()).contains("grace period ended").contains("POST /v1/billing/portal-session");
        assertThat(subscription(late).get("reason").asString()).contains("grace period ended");
    }

    @Test
    void withoutStripeCheckoutAndThePortalAreAClearConflictAndBadRequestsAClearProblem() {
        TestTenant tenant = newTenant();
        ApiClient.Response checkout = tenant.api().post("/v1/billing/checkout-session", ApiClient.json(Map.of("plan", "starter",
                "successUrl", "https://app.example.com/done", "cancelUrl", "https://app.example.com/billing")));
        assertThat(checkout.status()).as(checkout.body()).isEqualTo(409);
        assertThat(checkout.json().get("type").asString()).endsWith("/billing-not-configured");
        assertThat(checkout.json().get("detail").asString()).contains("local free plan");
        ApiClient.Response portal = tenant.api().post("/v1/billing/portal-session", ApiClient.json(Map.of("returnUrl", "https://app.example.com")));
        assertThat(portal.status()).as(portal.body()).isEqualTo(409);
        ApiClient.Response credits = tenant.api().post("/v1/billing/credits/checkout-session", ApiClient.json(Map.of("amountCents", 5000,
                "successUrl", "https://app.example.com/done", "cancelUrl", "https://app.example.com/billing")));
        assertThat(credits.status()).as(credits.body()).isEqualTo(409);
        assertThat(credits.json().get("type").asString()).endsWith("/billing-not-configured");

        for (String body : List.of("{}", "{\"plan\": \"starter\", \"successUrl\": \"ftp://x\", \"cancelUrl\": \"https://a.b\"}", "not json")) {
            ApiClient.Response bad = tenant.api().post("/v1/billing/checkout-session", body);
            assertThat(bad.status()).as(body + " -> " + bad.body()).isIn(400, 422);
            assertThat(bad.header("Content-Type")).startsWith("application/problem+json");
        }
        ApiClient.Response notJsonEvent = deliver("{}", signature("{}", SECRET, now()));
        assertThat(notJsonEvent.status()).as("JSON, but not an event").isEqualTo(400);
        assertThat(notJsonEvent.json().get("detail").asString()).contains("not a Stripe event");
    }

    // ---------------------------------------------------------------- spend controls and notices

    @org.springframework.beans.factory.annotation.Autowired
    private io.parley.platform.calls.runtime.RuntimeEventWriter runtimeEvents;

    @Test
    void onTheLocalPlanTheCapHoldsTheProvidersCostAndBadControlsAreClearProblemsThatChangeNothing() throws Exception {
        TestTenant tenant = newTenant();
        String persona = createPersona(tenant, "Santa").get("id").asString();
        ApiClient.Response set = putControls(tenant, ApiClient.json(Map.of("capCents", 5, "alertEmail", "ops@example.com")));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("capReached").asBoolean()).isFalse();

        for (String bad : List.of("{\"capCents\": 0}", "{\"capCents\": -5}", "{\"capCents\": \"lots\"}", "{\"alertThresholds\": [0]}",
                "{\"alertThresholds\": [101]}", "{\"alertThresholds\": [50, null]}", "{\"capCents\": 100, \"alertThresholds\": null, \"alertEmail\": null, \"bogus\": 1, \"capCents\": null}", "{\"alertThresholds\": [1,2,3,4,5,6,7,8,9,10,11]}", "{\"alertEmail\": \"not an address\"}",
                "not json", "")) {
            ApiClient.Response refused = putControls(tenant, bad);
            assertThat(refused.status()).as(bad + " -> " + refused.body()).isIn(400, 422);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        JsonNode unchanged = tenant.api().get("/v1/billing/spend-controls").json();
        assertThat(unchanged.get("capCents").asLong()).isEqualTo(5);
        assertThat(unchanged.get("alertEmail").asString()).isEqualTo("ops@example.com");

        // a call recognised for 1,000 s by Deepgram (72 millionths of a dollar a second): 7.2 cents, rounded up
        UUID call = UUID.fromString(createCall(tenant, persona).get("id").asString());
        runtimeEvents.write(new io.parley.platform.calls.runtime.RuntimeEvent(io.parley.platform.tenancy.Ids.next(), "call.usage",
                new io.parley.platform.tenancy.TenantId(tenant.id()), call, Instant.now(), null,
                "{\"callSeconds\": 1000, \"stt\": {\"provider\": \"deepgram\", \"seconds\": 1000}}"));
        JsonNode reached = tenant.api().get("/v1/billing/spend-controls").json();
        assertThat(reached.get("spendCents").asLong()).isEqualTo(8);
        assertThat(reached.get("capReached").asBoolean()).isTrue();
        ApiClient.Response refused = tenant.api().post("/v1/calls", callBody(persona));
        assertThat(refused.status()).as(refused.body()).isEqualTo(402);
        assertThat(refused.json().get("type").asString()).endsWith("/spend-cap-reached");
        assertThat(subscription(tenant).get("mayPlaceCalls").asBoolean()).isFalse();
    }

    @Test
    void aTrialThatWillEndTellsTheTenantsWebhooks() throws Exception {
        TestTenant tenant = newTenant();
        assertThat(tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/billing",
                "eventTypes", List.of("billing.trial_will_end")))).status()).isEqualTo(201);
        String customer = "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14);
        apply(checkoutCompleted(tenant, customer, now() - 60));
        long trialEnd = now() + Duration.ofDays(3).toSeconds();
        apply(event("customer.subscription.trial_will_end", object("subscription", Map.of("id", "sub_" + customer.substring(4),
                "customer", customer, "status", "trialing", "trial_end", trialEnd)), now(), false));

        assertThat(Instant.parse(subscription(tenant).get("trialEnd").asString())).isEqualTo(Instant.ofEpochSecond(trialEnd));
        try (java.sql.Connection owner = TestServices.ownerConnection();
             java.sql.PreparedStatement events = owner.prepareStatement(
                     "select payload->'data'->>'trialEnd', payload->'data'->>'mode' from webhook_events where tenant_id = ? and type = 'billing.trial_will_end'")) {
            events.setObject(1, tenant.id());
            try (java.sql.ResultSet rs = events.executeQuery()) {
                assertThat(rs.next()).as("billing.trial_will_end sent").isTrue();
                assertThat(Instant.parse(rs.getString(1))).isEqualTo(Instant.ofEpochSecond(trialEnd));
                assertThat(rs.getString(2)).isEqualTo("test");
                assertThat(rs.next()).isFalse();
            }
        }
    }

    private static ApiClient.Response putControls(TestTenant tenant, String body) {
        return tenant.api().send("PUT", "/v1/billing/spend-controls", body, "application/json");
    }

    // ---------------------------------------------------------------- helpers

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private ApiClient.Response deliver(String payload, String signature) {
        ApiClient client = signature == null ? anonymous() : anonymous().withHeader("Stripe-Signature", signature);
        return client.send("POST", "/webhooks/stripe", payload, "application/json; charset=utf-8");
    }

    private void apply(String payload) {
        ApiClient.Response response = deliver(payload, signature(payload, SECRET, now()));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.json().get("received").asString()).isEqualTo("applied");
    }

    private static void assertRefused(ApiClient.Response response, String why) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("type").asString()).endsWith("/webhook-signature-invalid");
        assertThat(response.json().get("detail").asString()).containsIgnoringCase(why);
    }

    private static JsonNode subscription(TestTenant tenant) {
        ApiClient.Response response = tenant.api().get("/v1/billing/subscription");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private int createCallStatus(TestTenant tenant, String persona) {
        return tenant.api().post("/v1/calls", callBody(persona)).status();
    }

    private static String checkoutCompleted(TestTenant tenant, long created) {
        return checkoutCompleted(tenant, "cus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 14), created);
    }

    private static String checkoutCompleted(TestTenant tenant, String customer, long created) {
        return event("checkout.session.completed", object("checkout.session", Map.of("client_reference_id", tenant.id().toString(),
                "customer", customer, "subscription", "sub_" + customer.substring(4), "mode", "subscription", "status", "complete",
                "payment_status", "paid", "metadata", Map.of("plan", "starter"))), created, false);
    }

    private static String subscriptionEvent(String type, TestTenant tenant, String customer, String status, long created) {
        return event(type, object("subscription", Map.of("id", "sub_" + customer.substring(4), "customer", customer, "status", status,
                "metadata", Map.of("tenant_id", tenant.id().toString(), "plan", "starter"))), created, false);
    }
}
