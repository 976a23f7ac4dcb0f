package io.parley.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.calls.runtime.RuntimeEvent;
import io.parley.platform.calls.runtime.RuntimeEventWriter;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The usage ledger from the runtime's call.usage events, and GET /v1/billing/usage. */
class UsageLedgerIntegrationTests extends IntegrationTest {

    @Autowired
    private RuntimeEventWriter runtimeEvents;

    private static final String LEG_ONE = """
            {"callSeconds": 61.2, "stt": {"provider": "deepgram", "seconds": 30}, "llm": {"provider": "openai", "inputTokens": 1000,
             "outputTokens": 200}, "tts": {"provider": "elevenlabs", "characters": 400}}""";
    private static final String LEG_TWO = """
            {"callSeconds": 20, "stt": {"provider": "offline", "seconds": 12.5}, "llm": {"provider": "scripted", "inputTokens": 0,
             "outputTokens": 0}, "tts": {"provider": "offline", "characters": 80}}""";

    @Test
    void aCallsLegsBecomeLedgerRowsOncePerEventAndItsMinutesAreRoundedUpOverTheWholeCall() throws Exception {
        TestTenant tenant = newTenant();
        String persona = createPersona(tenant, "Santa").get("id").asString();
        UUID call = UUID.fromString(createCall(tenant, persona).get("id").asString());
        dialByHand(call, "twilio", "CA" + UUID.randomUUID().toString().replace("-", ""), Instant.now());

        RuntimeEvent first = usage(tenant, call, LEG_ONE);
        assertThat(runtimeEvents.write(first)).isEqualTo(RuntimeEventWriter.Outcome.APPLIED);
        assertThat(runtimeEvents.write(first)).as("delivered again").isEqualTo(RuntimeEventWriter.Outcome.DUPLICATE);
        assertThat(rows(tenant, call)).as("one row per meter: call, stt, llm in and out, tts").isEqualTo(5);
        assertThat(runtimeEvents.write(usage(tenant, call, LEG_TWO))).isEqualTo(RuntimeEventWriter.Outcome.APPLIED);   // resumed elsewhere
        assertThat(rows(tenant, call)).isEqualTo(10);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        ApiClient.Response response = tenant.api().get("/v1/billing/usage?from=" + today + "&to=" + today);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode usage = response.json();
        assertThat(usage.get("billableMinutes").asLong()).as("61.2 s + 20 s = 81.2 s: two minutes").isEqualTo(2);
        assertThat(usage.get("plan").asString()).isEqualTo("free");
        assertThat(usage.get("overageMinutes").asLong()).isZero();
        // list prices per unit in millionths of a dollar: twilio 233/s, deepgram 72/s, openai 0.15 and 0.6 per token, elevenlabs 100/char
        long expected = Math.round(61.2 * 233) + 20 * 233 + 30 * 72 + 150 + 120 + 400 * 100;
        assertThat(usage.get("providerCostMicros").asLong()).isEqualTo(expected);
        JsonNode day = usage.get("days").get(0);
        assertThat(day.get("date").asString()).isEqualTo(today.toString());
        assertThat(day.get("personaId").asString()).isEqualTo(persona);
        assertThat(day.get("calls").asLong()).isEqualTo(1);
        assertThat(day.get("callSeconds").decimalValue()).isEqualByComparingTo("81.2");

        io.parley.sdk.model.Usage seen = io.parley.sdk.Parley.builder().apiKey(tenant.apiKey()).baseUrl(baseUrl()).build()
                .billing().usage(today, today);
        assertThat(seen.getBillableMinutes()).as("through the SDK").isEqualTo(2);
        assertThat(seen.getDays()).singleElement().satisfies(d -> assertThat(d.getPersonaId()).hasToString(persona));

        assertThat(tenant.api().get("/v1/billing/usage?from=" + today.minusDays(3) + "&to=" + today.minusDays(1)).json()
                .get("billableMinutes").asLong()).as("another range").isZero();
        assertThat(newTenant().api().get("/v1/billing/usage").json().get("days")).as("another tenant sees none").isEmpty();
    }

    @Test
    void theLedgerIsAppendOnlyForTheApplication() throws Exception {
        TestTenant tenant = newTenant();
        UUID call = UUID.fromString(createCall(tenant, createPersona(tenant, "Santa").get("id").asString()).get("id").asString());
        runtimeEvents.write(usage(tenant, call, LEG_TWO));
        try (Connection app = TestServices.appConnection()) {
            app.setAutoCommit(false);
            try (PreparedStatement bind = app.prepareStatement("select set_config('app.tenant_id', ?, true)")) {
                bind.setString(1, tenant.id().toString());
                bind.execute();
            }
            assertThatThrownBy(() -> app.createStatement().executeUpdate("update usage_ledger set quantity = 0"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            app.rollback();
            assertThatThrownBy(() -> app.createStatement().executeUpdate("delete from usage_ledger"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
            app.rollback();
        }
    }

    @Test
    void aBadRangeIsAClearProblem() {
        TestTenant tenant = newTenant();
        ApiClient.Response backwards = tenant.api().get("/v1/billing/usage?from=2026-12-10&to=2026-12-01");
        assertThat(backwards.status()).as(backwards.body()).isEqualTo(422);
        assertThat(backwards.body()).contains("\"field\":\"to\"");
        assertThat(tenant.api().get("/v1/billing/usage?from=2025-01-01&to=2026-12-01").status()).as("over 366 days").isEqualTo(422);
        ApiClient.Response garbage = tenant.api().get("/v1/billing/usage?from=yesterday");
        assertThat(garbage.status()).as(garbage.body()).isEqualTo(400);
    }

    private static RuntimeEvent usage(TestTenant tenant, UUID call, String data) {
        return new RuntimeEvent(Ids.next(), "call.usage", new TenantId(tenant.id()), call, Instant.now(), null, data);
    }

    private static int rows(TestTenant tenant, UUID call) throws SQLException {
        try (Connection owner = TestServices.ownerConnection();
             PreparedStatement s = owner.prepareStatement("select count(*) from usage_ledger where tenant_id = ? and call_id = ?")) {
            s.setObject(1, tenant.id());
            s.setObject(2, call);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
