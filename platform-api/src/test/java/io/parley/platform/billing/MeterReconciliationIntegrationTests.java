package io.parley.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.TestServices;
import io.parley.sdk.Parley;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The daily reconciliation against Stripe's meter event summaries (Stripe's fixtures on loopback): a day that matches
 * is ok; an event Stripe lost is repaired by one correction, sent once however often the reconciliation runs; minutes
 * at Stripe that Parley never sent are reported, not taken back.
 */
class MeterReconciliationIntegrationTests extends StripeTestMode {

    @Autowired
    private MeterReporter reporter;
    @Autowired
    private MeterReconciliation reconciliation;

    @Test
    void aDayThatMatchesIsOkALostEventIsRepairedOnceAndMinutesParleyNeverSentAreReported() throws Exception {
        TestTenant tenant = newTenant();
        String customer = subscribe(tenant);
        String persona = createPersona(tenant, "Santa").get("id").asString();
        UUID first = endedCall(tenant, persona, "{\"callSeconds\": 150}");   // 3 minutes
        endedCall(tenant, persona, "{\"callSeconds\": 59}");                  // 1 minute
        reporter.report(Instant.now(), report -> { });
        LocalDate today = LocalDate.now(ZoneOffset.UTC);

        MeterReconciliation.Result matched = ours(tenant, reconciliation.reconcile(today));
        assertThat(matched.outcome()).isEqualTo("ok");
        assertThat(matched.ours()).isEqualTo(4);
        assertThat(matched.stripe()).isEqualTo(4L);
        assertThat(matched.customerId()).isEqualTo(customer);

        // Stripe lost the first call's event; two instances reconcile the day at once, and one repairs it
        assertThat(STRIPE.meterEvents.remove("parley-call-" + first)).isNotNull();
        List<MeterReconciliation.Result> both = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            java.util.concurrent.Callable<MeterReconciliation.Result> run = () -> ours(tenant, reconciliation.reconcile(today));
            for (var done : pool.invokeAll(List.of(run, run))) {
                both.add(done.get());
            }
        }
        assertThat(both).extracting(MeterReconciliation.Result::outcome).containsExactlyInAnyOrder("repaired", "ok");
        MeterReconciliation.Result repaired = both.stream().filter(r -> r.outcome().equals("repaired")).findFirst().orElseThrow();
        assertThat(repaired.stripe()).isEqualTo(1L);
        assertThat(repaired.corrected()).isEqualTo(3);
        String identifier = "parley-reconcile-" + tenant.id() + "-test-" + today + "-1";
        assertThat(STRIPE.meterEvents.get(identifier)).containsEntry("payload[value]", "3").containsEntry("payload[stripe_customer_id]", customer)
                .containsEntry("event_name", "parley_minutes");

        MeterReconciliation.Result again = ours(tenant, reconciliation.reconcile(today));
        assertThat(again.outcome()).as("the correction counts at Stripe now").isEqualTo("ok");
        assertThat(STRIPE.meterEvents.keySet().stream().filter(k -> k.startsWith("parley-reconcile-" + tenant.id()))).as("one correction").hasSize(1);

        // an event for the customer that Parley never sent
        STRIPE.meterEvents.put("stray-" + UUID.randomUUID(), Map.of("event_name", "parley_minutes", "payload[stripe_customer_id]", customer,
                "payload[value]", "5", "timestamp", Long.toString(Instant.now().getEpochSecond())));
        MeterReconciliation.Result excess = ours(tenant, reconciliation.reconcile(today));
        assertThat(excess.outcome()).isEqualTo("excess");
        assertThat(excess.stripe()).isEqualTo(9L);
        assertThat(STRIPE.meterEvents.keySet().stream().filter(k -> k.startsWith("parley-reconcile-" + tenant.id()))).as("not taken back").hasSize(1);

        Map<String, Object> kept = new HashMap<>();
        try (Connection owner = TestServices.ownerConnection();
             PreparedStatement row = owner.prepareStatement("""
                     select outcome, ours, stripe, corrections, corrected_at is not null, detail from meter_reconciliations
                      where tenant_id = ? and day = ?""")) {
            row.setObject(1, tenant.id());
            row.setObject(2, today);
            try (ResultSet rs = row.executeQuery()) {
                assertThat(rs.next()).isTrue();
                kept.put("outcome", rs.getString(1));
                kept.put("ours", rs.getLong(2));
                kept.put("stripe", rs.getLong(3));
                kept.put("corrections", rs.getInt(4));
                kept.put("sent", rs.getBoolean(5));
                assertThat(rs.getString(6)).contains("Stripe holds 9 minutes, Parley sent 4");
            }
        }
        assertThat(kept).containsEntry("outcome", "excess").containsEntry("ours", 4L).containsEntry("stripe", 9L).containsEntry("corrections", 1)
                .containsEntry("sent", true);
    }

    @Test
    void theOperatorSeesADaysOutcomesAndRunsADayAgainWhileTenantsMayNot() throws Exception {
        TestTenant tenant = newTenant();
        String customer = subscribe(tenant);
        UUID call = endedCall(tenant, createPersona(tenant, "Santa").get("id").asString(), "{\"callSeconds\": 100}");   // 2 minutes
        reporter.report(Instant.now(), report -> { });
        assertThat(STRIPE.meterEvents.remove("parley-call-" + call)).isNotNull();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Parley operator = Parley.builder().apiKey(TestServices.OPERATOR_TOKEN).baseUrl(baseUrl()).build();

        var ran = mine(tenant, operator.meterReconciliations().reconcile(today).getData());
        assertThat(ran.getOutcome()).isEqualTo(io.parley.sdk.model.MeterReconciliation.OutcomeEnum.REPAIRED);
        assertThat(ran.getCustomerId()).isEqualTo(customer);
        assertThat(ran.getOurs()).isEqualTo(2L);
        assertThat(ran.getStripe()).isZero();
        assertThat(ran.getCorrectionMinutes()).isEqualTo(2L);
        assertThat(ran.getCorrectedAt()).isNotNull();
        var listed = mine(tenant, operator.meterReconciliations().list(today).getData());
        assertThat(listed.getOutcome()).isEqualTo(io.parley.sdk.model.MeterReconciliation.OutcomeEnum.REPAIRED);
        assertThat(mine(tenant, operator.meterReconciliations().reconcile(today).getData()).getOutcome()).as("run again: nothing to correct")
                .isEqualTo(io.parley.sdk.model.MeterReconciliation.OutcomeEnum.OK);
        assertThat(mine(tenant, operator.meterReconciliations().list(today).getData()).getCorrections()).isEqualTo(1);

        assertThat(operator().post("/v1/operator/meter-reconciliations", "{\"day\": \"" + today.plusDays(1) + "\"}").status()).isEqualTo(422);
        assertThat(operator().post("/v1/operator/meter-reconciliations", "{\"day\": \"" + today.minusDays(40) + "\"}").status()).isEqualTo(422);
        assertThat(operator().post("/v1/operator/meter-reconciliations", "{\"day\": \"yesterday\"}").status()).isIn(400, 422);
        assertThat(operator().get("/v1/operator/meter-reconciliations").status()).as("no day").isEqualTo(400);
        assertThat(operator().post("/v1/operator/meter-reconciliations", "{\"day\": null}").status()).isIn(400, 422);
        assertThat(operator().post("/v1/operator/meter-reconciliations", "{}").status()).isIn(400, 422);
        assertThat(tenant.api().get("/v1/operator/meter-reconciliations?day=" + today).status()).isEqualTo(403);
        assertThat(tenant.api().post("/v1/operator/meter-reconciliations", "{\"day\": \"" + today + "\"}").status()).isEqualTo(403);
    }

    private static io.parley.sdk.model.MeterReconciliation mine(TestTenant tenant, List<io.parley.sdk.model.MeterReconciliation> outcomes) {
        return outcomes.stream().filter(r -> r.getTenantId().equals(tenant.id())).findFirst().orElseThrow();
    }

    private static MeterReconciliation.Result ours(TestTenant tenant, List<MeterReconciliation.Result> results) {
        return results.stream().filter(r -> r.tenant().value().equals(tenant.id())).findFirst().orElseThrow();
    }
}
