package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.runtime.RuntimeEvent;
import io.parley.platform.calls.runtime.RuntimeEventWriter;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.telephony.SandboxTelephony;
import io.parley.platform.telephony.Telephony;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The crisis protocol's transfer: a persona's {@code crisisTransferTo}, and the runtime's {@code call.transfer_requested}
 * (sent once the caller heard the crisis line) putting the call through on its carrier, once, with the call's log telling.
 */
class CrisisTransferIntegrationTests extends IntegrationTest {

    @Autowired
    private RuntimeEventWriter runtimeEvents;

    @Autowired
    private Telephony sandbox;

    @Autowired
    private io.parley.platform.calls.runtime.RuntimeHandoff handoff;

    @Test
    void aCallerInCrisisIsPutThroughToThePersonasNumberOnceHowEverOftenTheRequestIsDelivered() throws Exception {
        TestTenant tenant = newTenant();
        JsonNode friend = friend(tenant, "+18002738255");
        assertThat(friend.get("crisisTransferTo").asString()).isEqualTo("+18002738255");
        String callId = call(tenant, friend);
        String sid = "SB" + UUID.randomUUID().toString().replace("-", "");
        io.parley.platform.calls.DispatchLedger.Begun begun = dialByHand(callId, "sandbox", sid, Instant.now());
        @SuppressWarnings("unchecked")
        Map<String, Object> persona = (Map<String, Object>) handoff.bootstrap(begun).get("persona");
        assertThat(persona.get("crisisTransfer")).as("the runtime knows to ask, not where to").isEqualTo(true);
        assertThat(handoff.bootstrap(begun).toString()).doesNotContain("8002738255");

        RuntimeEvent requested = transferRequested(tenant, callId);
        assertThat(runtimeEvents.write(requested)).isEqualTo(RuntimeEventWriter.Outcome.APPLIED);
        assertThat(runtimeEvents.write(requested)).as("a redelivery").isEqualTo(RuntimeEventWriter.Outcome.DUPLICATE);

        assertThat(((SandboxTelephony) sandbox).transferredTo(sid)).contains("+18002738255");
        JsonNode transferred = tenant.api().get("/v1/calls/" + callId + "/events?type=call.transferred").json().get("data");
        assertThat(transferred).hasSize(1);
        assertThat(transferred.get(0).get("data").get("to").asString()).isEqualTo("+18002738255");
        assertThat(transferred.get(0).get("data").get("reason").asString()).isEqualTo("crisis");
        assertThat(transferred.get(0).get("actor").asString()).isEqualTo("system");
    }

    @Test
    void aPersonaWithoutACrisisNumberIsNotTransferredAndTheLogSaysWhy() throws Exception {
        TestTenant tenant = newTenant();
        String callId = call(tenant, friend(tenant, null));
        String sid = "SB" + UUID.randomUUID().toString().replace("-", "");
        dialByHand(callId, "sandbox", sid, Instant.now());

        runtimeEvents.write(transferRequested(tenant, callId));

        assertThat(((SandboxTelephony) sandbox).transferredTo(sid)).isEmpty();
        JsonNode failed = tenant.api().get("/v1/calls/" + callId + "/events?type=call.transfer_failed").json().get("data");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("reason").asString()).contains("no crisisTransferTo");
    }

    @Test
    void aCrisisNumberMustBeE164() {
        TestTenant tenant = newTenant();
        ApiClient.Response bad = tenant.api().post("/v1/personas", ApiClient.json(Map.of("name", "Friend", "template", "friend",
                "crisisTransferTo", "988")));
        assertThat(bad.status()).as(bad.body()).isEqualTo(422);
        assertThat(bad.json().toString()).contains("crisisTransferTo");
    }

    private JsonNode friend(TestTenant tenant, String crisisNumber) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("name", "Friend", "template", "friend"));
        if (crisisNumber != null) body.put("crisisTransferTo", crisisNumber);
        ApiClient.Response created = tenant.api().post("/v1/personas", ApiClient.json(body));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private static String call(TestTenant tenant, JsonNode persona) {
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona.get("id").asString(),
                "to", "+442071838750", "timeZone", "Europe/London", "variables", Map.of("caller_name", "Sam"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private static RuntimeEvent transferRequested(TestTenant tenant, String callId) {
        return new RuntimeEvent(Ids.next(), "call.transfer_requested", new TenantId(tenant.id()), UUID.fromString(callId), Instant.now(), null,
                "{\"reason\":\"crisis\"}");
    }
}
