package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantId;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A tenant's own calling window and default retry policy: kept through the API, used when calls are made and dialled. */
class TenantSettingsIntegrationTests extends IntegrationTest {

    private static final CallingWindow PLATFORM = new CallingWindow(true, LocalTime.of(8, 0), LocalTime.of(21, 0));

    @Autowired
    private DispatchLedger ledger;
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
    void aNewTenantHasThePlatformsDefaults() {
        JsonNode settings = tenant.api().get("/v1/settings").json();
        assertThat(settings.get("callingWindowSource").asString()).isEqualTo("platform");
        assertThat(settings.get("callingWindow").get("enabled").asBoolean()).isTrue();
        assertThat(settings.get("callingWindow").get("start").asString()).isEqualTo("08:00");
        assertThat(settings.get("callingWindow").get("end").asString()).isEqualTo("21:00");
        assertThat(settings.get("retrySource").asString()).isEqualTo("platform");
        assertThat(settings.get("retry").get("maxAttempts").asInt()).isEqualTo(3);
    }

    @Test
    void theTenantsRetryPolicyIsTheDefaultOfItsNewCalls() {
        ApiClient.Response put = put(Map.of("retry", Map.of("outcomes", List.of("busy", "voicemail"), "maxAttempts", 2)));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().get("retrySource").asString()).isEqualTo("tenant");
        assertThat(put.json().get("retry").get("backoffSeconds").asInt()).as("left out: the platform's").isEqualTo(300);
        assertThat(put.json().get("callingWindowSource").asString()).isEqualTo("platform");

        JsonNode plain = createCall(tenant, persona).get("retry");
        assertThat(plain.get("outcomes").toString()).isEqualTo("[\"busy\",\"voicemail\"]");
        assertThat(plain.get("maxAttempts").asInt()).isEqualTo(2);
        JsonNode partial = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750",
                "retry", Map.of("backoffSeconds", 60)))).json().get("retry");
        assertThat(partial.get("outcomes").toString()).isEqualTo("[\"busy\",\"voicemail\"]");
        assertThat(partial.get("maxAttempts").asInt()).isEqualTo(2);
        assertThat(partial.get("backoffSeconds").asInt()).isEqualTo(60);

        TestTenant other = newTenant();
        String otherPersona = createPersona(other, "Coach").get("id").asString();
        assertThat(createCall(other, otherPersona).get("retry").get("maxAttempts").asInt()).as("another tenant's are its own").isEqualTo(3);
        assertThat(other.api().get("/v1/settings").json().get("retrySource").asString()).isEqualTo("platform");
    }

    @Test
    void aPersonasRetryDefaultsSitBetweenTheCallsAndTheTenants() {
        assertThat(put(Map.of("retry", Map.of("outcomes", List.of("busy"), "maxAttempts", 2, "backoffSeconds", 600))).status()).isEqualTo(200);
        ApiClient.Response coach = tenant.api().post("/v1/personas", ApiClient.json(Map.of("name", "Coach", "kind", "companion",
                "systemPrompt", "You coach.", "firstMessage", "Hi!", "retry", Map.of("maxAttempts", 4))));
        assertThat(coach.status()).as(coach.body()).isEqualTo(201);
        assertThat(coach.json().get("retry").toString()).as("only what it sets").isEqualTo("{\"maxAttempts\":4}");
        String id = coach.json().get("id").asString();

        JsonNode plain = createCall(tenant, id).get("retry");
        assertThat(plain.get("outcomes").toString()).as("the tenant's").isEqualTo("[\"busy\"]");
        assertThat(plain.get("maxAttempts").asInt()).as("the persona's").isEqualTo(4);
        assertThat(plain.get("backoffSeconds").asInt()).as("the tenant's").isEqualTo(600);
        JsonNode own = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", id, "to", "+442071838750",
                "retry", Map.of("maxAttempts", 1)))).json().get("retry");
        assertThat(own.get("maxAttempts").asInt()).as("the call's").isEqualTo(1);

        ApiClient.Response cleared = tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("retry", Map.of())));
        assertThat(cleared.json().has("retry")).isFalse();
        assertThat(createCall(tenant, id).get("retry").get("maxAttempts").asInt()).as("the tenant's again").isEqualTo(2);
    }

    @Test
    void theTenantsWindowDecidesWhenItsCallsAreDialled() {
        int hour = Instant.now().atZone(ZoneId.of("Europe/London")).getHour();
        LocalTime start = LocalTime.of((hour + 2) % 24, 0);
        LocalTime end = start.getHour() == 23 ? LocalTime.of(23, 59) : start.plusHours(1);
        assertThat(put(Map.of("callingWindow", Map.of("start", hhmm(start), "end", hhmm(end)))).status()).isEqualTo(200);

        String deferred = dueCall("+442071838750");
        assertThat(begin(deferred, PLATFORM)).isEqualTo(DispatchLedger.NotBegun.OUTSIDE_WINDOW);
        JsonNode event = tenant.api().get("/v1/calls/" + deferred + "/events?type=call.deferred").json().get("data").get(0);
        assertThat(event.get("reason").asString()).contains(start + "–" + end);

        // turned off, the window no longer defers, even where the platform's would; premium-rate numbers stay blocked
        assertThat(put(Map.of("callingWindow", Map.of("enabled", false))).status()).isEqualTo(200);
        LocalTime londonNow = LocalTime.now(ZoneId.of("Europe/London"));
        LocalTime closedStart = LocalTime.of((londonNow.getHour() + 2) % 24, 0);
        CallingWindow closedNow = new CallingWindow(true, closedStart, closedStart.getHour() == 23 ? LocalTime.of(23, 59) : closedStart.plusHours(1));
        assertThat(begin(dueCall("+442071838751"), closedNow)).isNull();
        assertThat(begin(dueCall("+19005551234"), closedNow)).isEqualTo(DispatchLedger.NotBegun.BLOCKED);
    }

    @Test
    void badSettingsAreAProblemAndChangeNothing() {
        assertThat(put(Map.of("retry", Map.of("maxAttempts", 5))).status()).isEqualTo(200);
        JsonNode before = tenant.api().get("/v1/settings").json();
        for (Map<String, Object> bad : List.of(
                Map.<String, Object>of("callingWindow", Map.of("start", "09:00")),
                Map.<String, Object>of("callingWindow", Map.of("start", "20:00", "end", "09:00")),
                Map.<String, Object>of("callingWindow", Map.of("start", "25:00", "end", "26:00")),
                Map.<String, Object>of("retry", Map.of("maxAttempts", 0)),
                Map.<String, Object>of("retry", Map.of("outcomes", List.of("exploded"))),
                Map.<String, Object>of("colour", "blue"))) {
            ApiClient.Response response = put(bad);
            assertThat(response.status()).as(bad + ": " + response.body()).isIn(400, 422);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        assertThat(tenant.api().get("/v1/settings").json()).isEqualTo(before);
    }

    @Test
    void aCallCredentialCannotReachTheSettings() {
        String callId = createCall(tenant, persona).get("id").asString();
        String credential = credentials.mint(new TenantId(tenant.id()), Mode.TEST,
                new CallGrant(UUID.fromString(callId), UUID.fromString(persona), "+442071838750"), Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(5)).value();
        assertThat(as(credential).get("/v1/settings").status()).isEqualTo(403);
        assertThat(as(credential).send("PUT", "/v1/settings", "{}", "application/json").status()).isEqualTo(403);
    }

    private ApiClient.Response put(Map<String, Object> body) {
        return tenant.api().send("PUT", "/v1/settings", ApiClient.json(body), "application/json");
    }

    private String dueCall(String to) {
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", to,
                "scheduledAt", Instant.now().toString(), "timeZone", "Europe/London")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private DispatchLedger.NotBegun begin(String callId, CallingWindow platform) {
        Instant at = Instant.now().plusSeconds(1);
        DispatchLedger.Claim claim = ledger.claim("settings-test", 10_000, Duration.ofSeconds(1), at).stream()
                .filter(c -> c.callId().toString().equals(callId)).findFirst().orElseThrow();
        return ledger.begin(claim, "settings-test", "none", "+14155550199", 10, Duration.ofSeconds(1), platform, at).notBegun();
    }

    private static String hhmm(LocalTime t) {
        return String.format("%02d:%02d", t.getHour(), t.getMinute());
    }
}
