package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A tenant's numbers through the API, in test mode (the sandbox's): one tenant per number, bad input refused whole. */
class PhoneNumbersIntegrationTests extends IntegrationTest {

    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void tenantAndPersona() {
        tenant = newTenant();
        persona = createPersona(tenant, "Receptionist").get("id").asString();
    }

    private static String number() {
        return "+1415555" + String.format("%04d", (int) (Math.random() * 10_000));
    }

    private ApiClient.Response register(TestTenant who, String number, String personaId) {
        return who.api().post("/v1/phone-numbers", ApiClient.json(Map.of("phoneNumber", number, "personaId", personaId)));
    }

    @Test
    void aNumberIsRegisteredReadMovedToAnotherPersonaAndRemoved() {
        String number = number();
        ApiClient.Response created = register(tenant, number.substring(0, 5) + " " + number.substring(5), persona);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode line = created.json();
        assertThat(line.get("phoneNumber").asString()).as("kept in E.164").isEqualTo(number);
        assertThat(line.get("carrier").asString()).as("test mode never leaves the sandbox").isEqualTo("sandbox");
        assertThat(line.get("mode").asString()).isEqualTo("test");
        String id = line.get("id").asString();

        assertThat(tenant.api().get("/v1/phone-numbers/" + id).json().get("personaId").asString()).isEqualTo(persona);
        assertThat(tenant.api().get("/v1/phone-numbers").json().get("data")).hasSize(1);

        String other = createPersona(tenant, "Night receptionist").get("id").asString();
        ApiClient.Response moved = tenant.api().patch("/v1/phone-numbers/" + id, ApiClient.json(Map.of("personaId", other)));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(moved.json().get("personaId").asString()).isEqualTo(other);

        assertThat(tenant.api().delete("/v1/phone-numbers/" + id).status()).isEqualTo(204);
        assertThat(tenant.api().get("/v1/phone-numbers/" + id).status()).isEqualTo(404);
        assertThat(register(tenant, number, persona).status()).as("free again").isEqualTo(201);
    }

    @Test
    void aNumberRingsAtOneTenantOnlyAndIsInvisibleToOthers() {
        String number = number();
        String id = register(tenant, number, persona).json().get("id").asString();
        TestTenant other = newTenant();
        String otherPersona = createPersona(other, "Receptionist").get("id").asString();

        ApiClient.Response taken = register(other, number, otherPersona);
        assertThat(taken.status()).as(taken.body()).isEqualTo(409);
        assertThat(taken.contentType()).startsWith("application/problem+json");
        assertThat(other.api().get("/v1/phone-numbers/" + id).status()).isEqualTo(404);
        assertThat(other.api().patch("/v1/phone-numbers/" + id, ApiClient.json(Map.of("personaId", otherPersona))).status()).isEqualTo(404);
        assertThat(other.api().delete("/v1/phone-numbers/" + id).status()).isEqualTo(404);
        assertThat(other.api().get("/v1/phone-numbers").json().get("data")).isEmpty();
        // nor may a tenant answer its number with another tenant's persona
        ApiClient.Response foreignPersona = tenant.api().patch("/v1/phone-numbers/" + id, ApiClient.json(Map.of("personaId", otherPersona)));
        assertThat(foreignPersona.status()).isEqualTo(422);
    }

    @Test
    void badInputIsAProblemAndWritesNothing() {
        long before = ownerCount("phone_numbers");
        for (String body : new String[] {
                ApiClient.json(Map.of("phoneNumber", "not a number", "personaId", persona)),
                ApiClient.json(Map.of("phoneNumber", number(), "personaId", UUID.randomUUID().toString())),
                ApiClient.json(Map.of("phoneNumber", number(), "personaId", "not-a-uuid")),
                ApiClient.json(Map.of("phoneNumber", number())),
                ApiClient.json(Map.of("personaId", persona)),
                "{\"phoneNumber\": ",
                "[]"}) {
            ApiClient.Response refused = tenant.api().post("/v1/phone-numbers", body);
            assertThat(refused.status()).as("%s → %s", body, refused.body()).isIn(400, 422);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        assertThat(tenant.api().get("/v1/phone-numbers/not-a-uuid").status()).isEqualTo(400);
        assertThat(ownerCount("phone_numbers")).isEqualTo(before);
    }

    @Test
    void aTenantsCallsShowItsOwnNumberThePersonasLineFirst() {
        String other = createPersona(tenant, "Coach").get("id").asString();
        String general = number();
        String personaLine = number();
        assertThat(register(tenant, general, other).status()).isEqualTo(201);
        assertThat(register(tenant, personaLine, persona).status()).isEqualTo(201);
        TestTenant plain = newTenant();
        String plainPersona = createPersona(plain, "Santa").get("id").asString();

        assertThat(begin(tenant, persona).from()).as("the persona's own line").isEqualTo(personaLine);
        assertThat(begin(tenant, createPersona(tenant, "Third").get("id").asString()).from()).as("the tenant's first number").isEqualTo(general);
        assertThat(begin(plain, plainPersona).from()).as("no number of its own: the carrier's").isEqualTo("+14155550199");
    }

    private DispatchLedger.Begun begin(TestTenant who, String personaId) {
        ApiClient.Response created = who.api().post("/v1/calls", ApiClient.json(Map.of("personaId", personaId, "to", "+442071838750")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return dialByHand(created.json().get("id").asString(), "sandbox", null, null);
    }

    @Test
    void aTestCallRingsASandboxNumberAndIsAnsweredByItsPersona() throws Exception {
        String id = register(tenant, number(), persona).json().get("id").asString();

        ApiClient.Response called = tenant.api().post("/v1/phone-numbers/" + id + "/test-calls", ApiClient.json(Map.of("from", "+442071838751")));

        assertThat(called.status()).as(called.body()).isEqualTo(201);
        JsonNode call = called.json();
        assertThat(call.get("direction").asString()).isEqualTo("inbound");
        assertThat(call.get("to").asString()).as("the caller").isEqualTo("+442071838751");
        assertThat(call.get("personaId").asString()).isEqualTo(persona);
        // no voice runtime runs in these tests: the sandbox caller cannot reach one, and the call fails as a real one
        // would (SandboxCallIT has the runtime answer)
        String callId = call.get("id").asString();
        java.time.Instant until = java.time.Instant.now().plusSeconds(10);
        while ("in_progress".equals(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()) && java.time.Instant.now().isBefore(until)) {
            Thread.sleep(50);
        }
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).isEqualTo("failed");
        assertThat(eventTypes(tenant, callId)).containsExactly("call.received", "call.in_progress", "call.failed");

        assertThat(tenant.api().post("/v1/phone-numbers/" + id + "/test-calls", ApiClient.json(Map.of("from", "nobody"))).status()).isEqualTo(422);
        // what the simulated caller says: at most 10 lines of 1 to 200 characters
        int calls = tenant.api().get("/v1/calls?limit=100").json().get("data").size();
        for (List<String> say : List.of(java.util.Collections.nCopies(11, "yes"), List.of("x".repeat(201)), List.of(""))) {
            ApiClient.Response refused = tenant.api().post("/v1/phone-numbers/" + id + "/test-calls", ApiClient.json(Map.of("say", say)));
            assertThat(refused.status()).as(refused.body()).isBetween(400, 422);
            assertThat(refused.json().get("type").asString()).isNotBlank();
        }
        assertThat(tenant.api().get("/v1/calls?limit=100").json().get("data").size()).as("no call was made").isEqualTo(calls);
        assertThat(tenant.api().post("/v1/phone-numbers/" + id + "/test-calls", ApiClient.json(Map.of("say", List.of("Book an appointment.", "Yes."))))
                .status()).isEqualTo(201);
        assertThat(newTenant().api().post("/v1/phone-numbers/" + id + "/test-calls", "{}").status()).isEqualTo(404);
    }
}
