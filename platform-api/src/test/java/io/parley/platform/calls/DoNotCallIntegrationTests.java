package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.runtime.RuntimeEvent;
import io.parley.platform.calls.runtime.RuntimeEventWriter;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The do-not-call list: kept through the API, checked when a call is created and when it is dialled, filled by opt-outs. */
class DoNotCallIntegrationTests extends IntegrationTest {

    private static final String NUMBER = "+442071838750";

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private RuntimeEventWriter runtimeEvents;
    @Autowired
    private CallCredentials credentials;

    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void tenantAndPersona() {
        tenant = newTenant();
        persona = createPersona(tenant, "Coach").get("id").asString();
    }

    @Test
    void aListedNumberCannotBeCalledUntilItIsRemoved() {
        ApiClient.Response added = add(tenant, "+44 20 7183 8750", "asked by letter");
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("phoneNumber").asString()).as("kept in E.164").isEqualTo(NUMBER);
        assertThat(added.json().get("source").asString()).isEqualTo("api");
        assertThat(added.json().get("reason").asString()).isEqualTo("asked by letter");

        ApiClient.Response again = add(tenant, NUMBER, "another reason");
        assertThat(again.status()).as("adding it again changes nothing").isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(added.json().get("id").asString());
        assertThat(again.json().get("reason").asString()).isEqualTo("asked by letter");

        long callsBefore = ownerCount("calls");
        ApiClient.Response refused = tenant.api().post("/v1/calls", callBody(persona));
        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("type").asString()).isEqualTo("https://parley.dev/problems/do-not-call");
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("to");
        assertThat(ownerCount("calls")).as("nothing written").isEqualTo(callsBefore);

        JsonNode page = tenant.api().get("/v1/do-not-call?phoneNumber=%2B442071838750").json();
        assertThat(page.get("data")).hasSize(1);

        assertThat(tenant.api().delete("/v1/do-not-call/%2B442071838750").status()).isEqualTo(204);
        assertThat(tenant.api().delete("/v1/do-not-call/%2B442071838750").status()).as("gone").isEqualTo(404);
        assertThat(tenant.api().get("/v1/do-not-call").json().get("data")).isEmpty();
        createCall(tenant, persona);
    }

    @Test
    void eachTenantHasItsOwnList() {
        assertThat(add(tenant, NUMBER, null).status()).isEqualTo(201);
        TestTenant other = newTenant();
        String otherPersona = createPersona(other, "Coach").get("id").asString();

        assertThat(other.api().get("/v1/do-not-call").json().get("data")).isEmpty();
        assertThat(other.api().delete("/v1/do-not-call/%2B442071838750").status()).isEqualTo(404);
        createCall(other, otherPersona);
        assertThat(tenant.api().get("/v1/do-not-call").json().get("data")).hasSize(1);
    }

    @Test
    void badInputIsAProblemAndWritesNothing() {
        long before = ownerCount("do_not_call");
        ApiClient.Response notANumber = add(tenant, "call me maybe", null);
        assertThat(notANumber.status()).isEqualTo(422);
        assertThat(notANumber.json().get("errors").get(0).get("field").asString()).isEqualTo("phoneNumber");
        ApiClient.Response missing = tenant.api().post("/v1/do-not-call", "{}");
        assertThat(missing.status()).isEqualTo(422);
        ApiClient.Response tooLong = add(tenant, NUMBER, "x".repeat(501));
        assertThat(tooLong.status()).isEqualTo(422);
        ApiClient.Response badFilter = tenant.api().get("/v1/do-not-call?phoneNumber=nope");
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(ownerCount("do_not_call")).isEqualTo(before);
    }

    @Test
    void aCallCredentialCannotReachTheList() {
        String callId = createCall(tenant, persona).get("id").asString();
        String credential = credentials.mint(new TenantId(tenant.id()), Mode.TEST,
                new CallGrant(UUID.fromString(callId), UUID.fromString(persona), NUMBER), Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(5)).value();

        assertThat(as(credential).get("/v1/do-not-call").status()).isEqualTo(403);
        assertThat(as(credential).post("/v1/do-not-call", ApiClient.json(Map.of("phoneNumber", "+14155550100"))).status()).isEqualTo(403);
        assertThat(as(credential).delete("/v1/do-not-call/%2B442071838750").status()).isEqualTo(403);
    }

    @Test
    void aScheduledCallToANumberListedSinceIsBlockedWhenItIsDialled() {
        String callId = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", NUMBER,
                "scheduledAt", Instant.now().toString(), "timeZone", "Europe/London"))).json().get("id").asString();
        assertThat(add(tenant, NUMBER, null).status()).isEqualTo(201);

        DispatchLedger.Claim claim = ledger.claim("dnc-test", 10_000, Duration.ofSeconds(1), Instant.now().plusSeconds(1)).stream()
                .filter(c -> c.callId().toString().equals(callId)).findFirst().orElseThrow();
        DispatchLedger.Result result = ledger.begin(claim, "dnc-test", "none", "+14155550199", 10, Duration.ofSeconds(1), CallingWindow.OFF,
                Instant.now().plusSeconds(1));

        assertThat(result.notBegun()).isEqualTo(DispatchLedger.NotBegun.BLOCKED);
        JsonNode call = tenant.api().get("/v1/calls/" + callId).json();
        assertThat(call.get("status").asString()).isEqualTo("blocked");
        assertThat(call.get("finalReason").asString()).contains("do-not-call");
        assertThat(call.get("attempts").asInt()).as("never dialled").isZero();
        JsonNode blocked = tenant.api().get("/v1/calls/" + callId + "/events?type=call.blocked").json().get("data");
        assertThat(blocked).hasSize(1);
    }

    @Test
    void aCalleeWhoOptsOutIsListedOnceAndNotCalledAgain() throws Exception {
        String callId = createCall(tenant, persona).get("id").asString();
        RuntimeEvent ended = new RuntimeEvent(Ids.next(), "call.ended", new TenantId(tenant.id()), UUID.fromString(callId), Instant.now(),
                DoNotCallList.OPT_OUT_REASON, "{\"reason\":\"opt_out\"}");

        assertThat(runtimeEvents.write(ended)).isEqualTo(RuntimeEventWriter.Outcome.APPLIED);
        assertThat(runtimeEvents.write(ended)).isEqualTo(RuntimeEventWriter.Outcome.DUPLICATE);

        JsonNode entries = tenant.api().get("/v1/do-not-call").json().get("data");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("phoneNumber").asString()).isEqualTo(NUMBER);
        assertThat(entries.get(0).get("source").asString()).isEqualTo("opt_out");
        assertThat(entries.get(0).get("callId").asString()).isEqualTo(callId);
        assertThat(tenant.api().post("/v1/calls", callBody(persona)).status()).isEqualTo(422);

        // another call of the same number ending for another reason adds nothing
        RuntimeEvent hungUp = new RuntimeEvent(Ids.next(), "call.ended", new TenantId(tenant.id()), UUID.fromString(callId), Instant.now(),
                "caller_hung_up", "{\"reason\":\"caller_hung_up\"}");
        runtimeEvents.write(hungUp);
        assertThat(tenant.api().get("/v1/do-not-call").json().get("data")).hasSize(1);
    }

    @Test
    void aCallEndingForAnotherReasonListsNothing() throws Exception {
        String callId = createCall(tenant, persona).get("id").asString();
        runtimeEvents.write(new RuntimeEvent(Ids.next(), "call.ended", new TenantId(tenant.id()), UUID.fromString(callId), Instant.now(),
                "caller_goodbye", "{\"reason\":\"caller_goodbye\"}"));
        assertThat(tenant.api().get("/v1/do-not-call").json().get("data")).isEmpty();
    }

    private static ApiClient.Response add(TestTenant tenant, String number, String reason) {
        return tenant.api().post("/v1/do-not-call", ApiClient.json(reason == null ? Map.of("phoneNumber", number)
                : Map.of("phoneNumber", number, "reason", reason)));
    }
}
