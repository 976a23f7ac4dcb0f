package io.parley.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.runtime.RuntimeEvent;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.Dispatching;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.sdk.Parley;
import io.parley.sdk.PaymentRequiredException;
import io.parley.sdk.model.CreateCallRequest;
import io.parley.sdk.model.SpendControls;
import io.parley.sdk.model.SpendControlsUpdate;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A test-mode tenant on Starter (300 minutes included, 15 cents a minute beyond) with a spend cap: it places calls until
 * the cap, is alerted at each threshold once (webhook and email), and places none once the cap is reached, neither new
 * ones nor ones booked before, until the cap is raised; all from the SDK.
 */
class SpendCapIntegrationTests extends StripeTestMode {

    @Autowired
    private DispatchLedger ledger;

    @Test
    void aTenantCallsUntilItsCapIsAlertedAtEachThresholdOnceAndIsBlockedThereUntilItRaisesIt() throws Exception {
        TestTenant tenant = newTenant();
        subscribe(tenant);
        Parley parley = Parley.builder().apiKey(tenant.apiKey()).baseUrl(baseUrl()).build();
        assertThat(tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/billing",
                "eventTypes", List.of("billing.threshold_reached")))).status()).isEqualTo(201);
        String email = "billing-" + tenant.id() + "@example.com";
        SpendControls set = parley.billing().updateSpendControls(new SpendControlsUpdate().capCents(150L).alertEmail(email));
        assertThat(set.getCapCents()).isEqualTo(150L);
        assertThat(set.getAlertThresholds()).containsExactly(50, 80, 100);
        assertThat(set.getSpendCents()).isZero();
        assertThat(set.getCapReached()).isFalse();

        String persona = createPersona(tenant, "Santa").get("id").asString();
        CreateCallRequest now = new CreateCallRequest().personaId(UUID.fromString(persona)).to("+442071838750").putVariablesItem("child_name", "Ella");
        UUID booked = parley.calls().create(new CreateCallRequest().personaId(UUID.fromString(persona)).to("+442071838751")
                .putVariablesItem("child_name", "Tom").scheduledAt(OffsetDateTime.now().plusHours(1))).getId();

        used(tenant, book(tenant, persona), 18_300);   // 305 minutes: 5 beyond the included 300, 75 cents, half the cap
        assertThat(thresholds(tenant)).containsExactly(50);
        used(tenant, book(tenant, persona), 150);      // 3 minutes more: 120 cents, 80 %
        assertThat(thresholds(tenant)).containsExactly(50, 80);
        assertThat(parley.calls().create(now).getId()).as("below the cap, calls are placed").isNotNull();
        UUID underWay = book(tenant, persona);
        used(tenant, book(tenant, persona), 120);      // 2 minutes more: 150 cents, the cap
        used(tenant, underWay, 1);                     // a call under way when it was reached ends: spend may pass the cap by it
        assertThat(thresholds(tenant)).as("each threshold once").containsExactly(50, 80, 100);

        SpendControls reached = parley.billing().spendControls();
        assertThat(reached.getSpendCents()).isEqualTo(165);
        assertThat(reached.getCapReached()).isTrue();
        assertThat(reached.getCurrency()).isEqualTo("usd");
        io.parley.sdk.model.Usage usage = parley.billing().usage(null, null);   // this month, as the spend's period is without Stripe's
        assertThat(usage.getBillableMinutes()).isEqualTo(311);
        assertThat(usage.getOverageMinutes()).isEqualTo(11);
        assertThat(usage.getOverageCents()).isEqualByComparingTo("165");
        assertThatThrownBy(() -> parley.calls().create(now)).isInstanceOf(PaymentRequiredException.class)
                .hasMessageContaining("spend cap of 150 cents").hasMessageContaining("PUT /v1/billing/spend-controls");
        ApiClient.Response refused = tenant.api().post("/v1/calls", callBody(persona));
        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.json().get("type").asString()).endsWith("/spend-cap-reached");

        // a call booked before the cap was reached is not dialled
        try (Connection owner = TestServices.ownerConnection();
             PreparedStatement due = owner.prepareStatement("update calls set scheduled_at = now() where id = ?")) {
            due.setObject(1, booked);
            due.executeUpdate();
        }
        assertThatThrownBy(() -> Dispatching.beginNow(ledger, booked, "billing")).hasMessageContaining("not begun");
        assertThat(tenant.api().get("/v1/calls/" + booked + "/events?type=call.blocked").json().get("data").get(0).get("reason").asString())
                .contains("spend cap");

        // the alerts' emails, once each
        List<String> subjects = new ArrayList<>();
        for (MimeMessage message : smtp.getReceivedMessagesForDomain(email)) {
            subjects.add(message.getSubject());
        }
        assertThat(subjects).containsExactlyInAnyOrder("Parley: 50% of your test spend cap is used", "Parley: 80% of your test spend cap is used",
                "Parley: 100% of your test spend cap is used");

        // raising the cap lifts the block; thresholds already sent this period are not sent again
        assertThat(parley.billing().updateSpendControls(new SpendControlsUpdate().capCents(1_000L).alertThresholds(Set.of(90))).getCapReached())
                .isFalse();
        assertThat(parley.calls().create(now).getId()).isNotNull();
        assertThat(thresholds(tenant)).containsExactly(50, 80, 100);
    }

    @Test
    void loweringTheCapBelowTheSpendAlertsAtOnceAndRemovingItLiftsIt() throws Exception {
        TestTenant tenant = newTenant();
        subscribe(tenant);
        assertThat(tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/billing"))).status()).isEqualTo(201);
        used(tenant, book(tenant, createPersona(tenant, "Santa").get("id").asString()), 18_600);   // 10 minutes beyond: 150 cents

        ApiClient.Response lowered = tenant.api().send("PUT", "/v1/billing/spend-controls", ApiClient.json(Map.of("capCents", 100,
                "alertThresholds", List.of(100, 75))), "application/json");
        assertThat(lowered.status()).as(lowered.body()).isEqualTo(200);
        assertThat(lowered.json().get("capReached").asBoolean()).isTrue();
        assertThat(lowered.json().get("alertThresholds").toString()).isEqualTo("[75,100]");
        assertThat(thresholds(tenant)).containsExactly(75, 100);

        ApiClient.Response removed = tenant.api().send("PUT", "/v1/billing/spend-controls", "{}", "application/json");
        assertThat(removed.status()).as(removed.body()).isEqualTo(200);
        assertThat(removed.json().path("capCents").isNumber()).as("no cap").isFalse();
        assertThat(removed.json().get("capReached").asBoolean()).isFalse();
        assertThat(removed.json().get("spendCents").asLong()).isEqualTo(150);
    }

    @Autowired
    private io.parley.platform.tenancy.TenantTransactions transactions;

    @Test
    void usageRecordedWhileAnotherCallsIsUncommittedIsCheckedAfterItSoNoThresholdIsMissed() throws Exception {
        TestTenant tenant = newTenant();
        subscribe(tenant);
        assertThat(tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/billing"))).status()).isEqualTo(201);
        String persona = createPersona(tenant, "Santa").get("id").asString();
        used(tenant, book(tenant, persona), 18_000);   // the included 300 minutes
        assertThat(tenant.api().send("PUT", "/v1/billing/spend-controls", "{\"capCents\": 150}", "application/json").status()).isEqualTo(200);
        UUID first = book(tenant, persona);
        UUID second = book(tenant, persona);

        // the first call's 6 minutes beyond (90 cents, 60 %) are recorded in a transaction kept open while the second's are
        java.util.concurrent.CountDownLatch recorded = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondDone = new java.util.concurrent.CountDownLatch(1);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            var open = pool.submit(() -> transactions.write(new TenantId(tenant.id()), () -> {
                try {
                    used(tenant, first, 360);
                    recorded.countDown();
                    secondDone.await(2, java.util.concurrent.TimeUnit.SECONDS);   // the second waits for this commit, or is done
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return null;
            }));
            var later = pool.submit(() -> {
                recorded.await();
                used(tenant, second, 360);
                secondDone.countDown();
                return null;
            });
            open.get();
            later.get();
        }
        assertThat(thresholds(tenant)).as("50 by the first; 80 and 100 by the second, which saw the first's 90 cents").containsExactly(50, 80, 100);
    }

    /** A call of the persona's, booked for later. */
    private static UUID book(TestTenant tenant, String persona) {
        ApiClient.Response call = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838752",
                "scheduledAt", Instant.now().plusSeconds(7200).toString(), "variables", Map.of("child_name", "Ella"))));
        assertThat(call.status()).as(call.body()).isEqualTo(201);
        return UUID.fromString(call.json().get("id").asString());
    }

    /** The call used {@code seconds} on the line, as the voice runtime reports it. */
    private void used(TestTenant tenant, UUID call, double seconds) throws Exception {
        runtimeEvents.write(new RuntimeEvent(Ids.next(), "call.usage", new TenantId(tenant.id()), call, Instant.now(), null,
                "{\"callSeconds\": " + seconds + "}"));
    }

    /** The thresholds {@code billing.threshold_reached} was sent for, in order. */
    private static List<Integer> thresholds(TestTenant tenant) {
        List<Integer> sent = new ArrayList<>();
        try (Connection owner = TestServices.ownerConnection();
             PreparedStatement events = owner.prepareStatement("""
                     select (payload->'data'->>'thresholdPercent')::int from webhook_events
                      where tenant_id = ? and type = 'billing.threshold_reached' order by created_at, 1""")) {
            events.setObject(1, tenant.id());
            try (ResultSet rs = events.executeQuery()) {
                while (rs.next()) sent.add(rs.getInt(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return sent;
    }
}
