package io.parley.platform.callees;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Callees: who a tenant calls, their consent and opt-out, favourites, and what personas with memory remember of them. */
class CalleesIntegrationTests extends IntegrationTest {

    private static final String NUMBER = "+442071838750";

    @Autowired
    private Callees callees;
    @Autowired
    private TenantTransactions transactions;
    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private RuntimeHandoff handoff;

    private TestTenant tenant;

    @BeforeEach
    void tenant() {
        tenant = newTenant();
    }

    private JsonNode create(Map<String, Object> body) {
        ApiClient.Response made = tenant.api().post("/v1/callees", ApiClient.json(body));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        return made.json();
    }

    @Test
    void aCalleeIsKeptChangedAndListedByNumber() {
        JsonNode siobhan = create(Map.of("phoneNumber", "+44 20 7183 8750", "name", "Siobhan", "pronunciation", "shi-VAWN", "timeZone", "Europe/London"));
        assertThat(siobhan.get("phoneNumber").asString()).isEqualTo(NUMBER);
        assertThat(siobhan.get("consent").asString()).isEqualTo("unknown");
        assertThat(siobhan.has("consentChangedAt")).isFalse();
        assertThat(siobhan.get("optedOut").asBoolean()).isFalse();
        String id = siobhan.get("id").asString();

        ApiClient.Response twice = tenant.api().post("/v1/callees", ApiClient.json(Map.of("phoneNumber", NUMBER, "name", "Someone")));
        assertThat(twice.status()).isEqualTo(409);
        assertThat(tenant.api().get("/v1/callees?phoneNumber=%2B442071838750").json().get("data")).hasSize(1);

        JsonNode granted = tenant.api().patch("/v1/callees/" + id, ApiClient.json(Map.of("consent", "granted", "name", "Siobhan O'Brien"))).json();
        assertThat(granted.get("consent").asString()).isEqualTo("granted");
        assertThat(granted.get("consentChangedAt").asString()).isNotBlank();
        assertThat(granted.get("pronunciation").asString()).as("left as it was").isEqualTo("shi-VAWN");
        assertThat(granted.get("name").asString()).isEqualTo("Siobhan O'Brien");
    }

    @Test
    void anOptedOutOrRevokedCalleeIsNotCalledAndACallTakesTheCalleesTimeZone() {
        String persona = createPersona(tenant, "Coach").get("id").asString();
        String id = create(Map.of("phoneNumber", NUMBER, "name", "Ken", "timeZone", "Asia/Tokyo", "consent", "granted")).get("id").asString();

        java.time.LocalDateTime nineInTokyo = java.time.LocalDate.now(java.time.ZoneId.of("Asia/Tokyo")).plusDays(2).atTime(9, 0);
        ApiClient.Response call = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", NUMBER,
                "localTime", nineInTokyo.toString())));
        assertThat(call.status()).as(call.body()).isEqualTo(201);
        assertThat(call.json().get("timeZone").asString()).as("the callee's zone").isEqualTo("Asia/Tokyo");
        assertThat(Instant.parse(call.json().get("scheduledAt").asString())).isEqualTo(nineInTokyo.atZone(java.time.ZoneId.of("Asia/Tokyo")).toInstant());

        // opted out: on the do-not-call list, and calls are refused
        JsonNode out = tenant.api().patch("/v1/callees/" + id, ApiClient.json(Map.of("optedOut", true))).json();
        assertThat(out.get("optedOut").asBoolean()).isTrue();
        assertThat(tenant.api().get("/v1/do-not-call?phoneNumber=%2B442071838750").json().get("data")).hasSize(1);
        assertThat(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", NUMBER))).status()).isBetween(400, 499);
        assertThat(tenant.api().patch("/v1/callees/" + id, ApiClient.json(Map.of("optedOut", false))).json().get("optedOut").asBoolean()).isFalse();

        // consent revoked: refused, and nothing kept
        int calls = tenant.api().get("/v1/calls?limit=100").json().get("data").size();
        tenant.api().patch("/v1/callees/" + id, ApiClient.json(Map.of("consent", "revoked")));
        ApiClient.Response refused = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", NUMBER)));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("to");
        assertThat(tenant.api().get("/v1/calls?limit=100").json().get("data").size()).isEqualTo(calls);
    }

    @Test
    void favouritesAreTheTenantsOwnPersonasOnceEach() {
        String persona = createPersona(tenant, "Coach").get("id").asString();
        String id = create(Map.of("phoneNumber", NUMBER, "name", "Ken")).get("id").asString();
        assertThat(tenant.api().send("PUT", "/v1/callees/" + id + "/favourites/" + persona, null, null).json().get("favouritePersonaIds").toString())
                .isEqualTo("[\"" + persona + "\"]");
        assertThat(tenant.api().send("PUT", "/v1/callees/" + id + "/favourites/" + persona, null, null).json().get("favouritePersonaIds")).hasSize(1);
        String others = createPersona(newTenant(), "Theirs").get("id").asString();
        assertThat(tenant.api().send("PUT", "/v1/callees/" + id + "/favourites/" + others, null, null).status()).isEqualTo(404);
        assertThat(tenant.api().delete("/v1/callees/" + id + "/favourites/" + persona).json().get("favouritePersonaIds")).isEmpty();
    }

    @Test
    void badCalleesAreRefusedAndNothingIsKept() {
        for (Map<String, Object> body : List.<Map<String, Object>>of(
                Map.of("phoneNumber", "not a number", "name", "Ken"),
                Map.of("phoneNumber", NUMBER, "name", " "),
                Map.of("phoneNumber", NUMBER, "name", "Ken", "timeZone", "Mars/Olympus"),
                Map.of("phoneNumber", NUMBER, "name", "Ken", "consent", "maybe"),
                Map.of("phoneNumber", NUMBER, "name", "K".repeat(101)),
                Map.of("name", "Ken"))) {
            ApiClient.Response refused = tenant.api().post("/v1/callees", ApiClient.json(body));
            assertThat(refused.status()).as("%s: %s", body, refused.body()).isIn(400, 422);
            assertThat(refused.json().get("errors")).isNotEmpty();
        }
        assertThat(tenant.api().get("/v1/callees").json().get("data")).isEmpty();
    }

    @Test
    void aPersonaWithMemoryRecallsItsLastCallsWithTheNumberAndForgetsThemWhenAsked() throws Exception {
        String coach = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach", "memory", true))).json().get("id").asString();
        String plain = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "friend"))).json().get("id").asString();
        String id = create(Map.of("phoneNumber", NUMBER, "name", "Ken")).get("id").asString();
        TenantId t = new TenantId(tenant.id());
        Instant week = Instant.parse("2026-11-20T18:00:00Z");
        for (int i = 0; i < 4; i++) {
            String summary = "Week " + (i + 1) + ": Ken wanted to run 5 km.";
            UUID call = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", i < 3 ? coach : plain, "to", NUMBER)))
                    .json().get("id").asString());
            Instant at = week.plus(Duration.ofDays(i));
            transactions.write(t, () -> {
                callees.remember(t, call, summary, at);
                return null;
            });
        }
        JsonNode memory = tenant.api().get("/v1/callees/" + id + "/memory").json();
        assertThat(memory.get("entries")).as("the friend keeps no memory").hasSize(3);
        assertThat(memory.get("entries").get(0).get("summary").asString()).isEqualTo("Week 3: Ken wanted to run 5 km.");

        Map<String, Object> bootstrap = bootstrapOfNextCall(coach);
        assertThat(bootstrap.get("memory")).isEqualTo(List.of("2026-11-20: Week 1: Ken wanted to run 5 km.",
                "2026-11-21: Week 2: Ken wanted to run 5 km.", "2026-11-22: Week 3: Ken wanted to run 5 km."));
        assertThat(bootstrapOfNextCall(plain)).doesNotContainKey("memory");

        assertThat(tenant.api().delete("/v1/callees/" + id + "/memory").status()).isEqualTo(204);
        assertThat(tenant.api().get("/v1/callees/" + id + "/memory").json().get("entries")).isEmpty();
        assertThat(bootstrapOfNextCall(coach)).as("forgotten").doesNotContainKey("memory");
        assertThat(newTenant().api().get("/v1/callees/" + id + "/memory").status()).isEqualTo(404);
    }

    private Map<String, Object> bootstrapOfNextCall(String persona) {
        UUID call = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", NUMBER))).json().get("id").asString());
        return handoff.bootstrap(io.parley.platform.support.Dispatching.beginNow(ledger, call, "memory"));
    }
}
