package io.parley.platform.tenancy.web;

import static io.parley.platform.tenancy.web.ApiKeyAuthIntegrationTests.assertForbidden;
import static io.parley.platform.tenancy.web.ApiKeyAuthIntegrationTests.assertUnauthorized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantId;
import io.parley.sdk.Parley;
import io.parley.sdk.PermissionException;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CreateCallRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Call credentials end to end: what the voice runtime may do with the credential of a running call
 * (place calls to the same callee with the same persona, read its call and the calls it made, cancel
 * those) and everything it may not, each refusal a problem document.
 */
class CallCredentialAuthIntegrationTests extends IntegrationTest {

    static final String CALLEE = "+442071838750";
    static final String OTHER_NUMBER = "+14155550100";

    @Autowired
    CallCredentials credentials;

    TestTenant tenant;
    String personaId;
    String callId;
    String credential;
    ApiClient runtime;

    @BeforeEach
    void aRunningCall() {
        tenant = newTenant();
        personaId = createPersona(tenant, "Receptionist").get("id").asString();
        callId = createCall(tenant, personaId).get("id").asString();
        credential = mint(credentials, tenant.id(), callId, personaId);
        runtime = as(credential);
    }

    static String mint(CallCredentials credentials, UUID tenant, String callId, String personaId) {
        return credentials.mint(new TenantId(tenant), Mode.TEST, new CallGrant(UUID.fromString(callId), UUID.fromString(personaId), CALLEE),
                Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(30)).value();
    }

    static String callBack(String personaId, String to) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("personaId", personaId);
        body.put("to", to);
        body.put("scheduledAt", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).withNano(0).toString());
        body.put("timeZone", "Europe/London");
        body.put("variables", Map.of("child_name", "Ella"));
        return ApiClient.json(body);
    }

    // --- what it may do ----------------------------------------------------------------------------

    @Test
    void placesACallToItsCalleeWithItsPersonaAsItsCall() {
        ApiClient.Response created = runtime.post("/v1/calls", callBack(personaId, CALLEE));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("to").asString()).isEqualTo(CALLEE);
        assertThat(created.json().get("personaId").asString()).isEqualTo(personaId);
        assertThat(created.json().get("mode").asString()).isEqualTo("test");
        String newCall = created.json().get("id").asString();
        // the tenant sees it, made by the call
        JsonNode events = tenant.api().get("/v1/calls/" + newCall + "/events").json().get("data");
        assertThat(events.get(0).get("type").asString()).isEqualTo("call.created");
        assertThat(events.get(0).get("actor").asString()).isEqualTo("call:" + callId);
    }

    @Test
    void readsItsOwnCallAndTheCallsItMadeAndNoOtherOfItsTenant() {
        String made = runtime.post("/v1/calls", callBack(personaId, CALLEE)).json().get("id").asString();
        String someoneElses = createCall(tenant, personaId).get("id").asString(); // same tenant, same persona and number

        assertThat(runtime.get("/v1/calls/" + callId).status()).isEqualTo(200);
        assertThat(runtime.get("/v1/calls/" + made).status()).isEqualTo(200);
        assertThat(runtime.get("/v1/calls/" + callId + "/events").status()).isEqualTo(200);
        assertNotFound(runtime.get("/v1/calls/" + someoneElses));
        assertNotFound(runtime.get("/v1/calls/" + someoneElses + "/events"));

        ApiClient.Response list = runtime.get("/v1/calls");
        assertThat(list.status()).isEqualTo(200);
        List<String> listed = new ArrayList<>();
        list.json().get("data").forEach(c -> listed.add(c.get("id").asString()));
        assertThat(listed).containsExactly(made, callId); // newest first, and nothing else
        assertThat(tenant.api().get("/v1/calls").json().get("data")).hasSize(3);
    }

    @Test
    void cancelsTheCallsItMadeButNotItsOwnCallNorAnyOther() {
        String made = runtime.post("/v1/calls", callBack(personaId, CALLEE)).json().get("id").asString();
        String someoneElses = createCall(tenant, personaId).get("id").asString();

        ApiClient.Response canceled = runtime.post("/v1/calls/" + made + "/cancel", ApiClient.json(Map.of("reason", "caller changed their mind")));
        assertThat(canceled.status()).as(canceled.body()).isEqualTo(200);
        assertThat(canceled.json().get("status").asString()).isEqualTo("canceled");

        assertForbidden(runtime.post("/v1/calls/" + callId + "/cancel", null));
        assertNotFound(runtime.post("/v1/calls/" + someoneElses + "/cancel", null));
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).isEqualTo("scheduled");
        assertThat(tenant.api().get("/v1/calls/" + someoneElses).json().get("status").asString()).isEqualTo("scheduled");
    }

    @Test
    void theSdkBuiltOnTheCredentialPlacesTheCallBackAndIsRefusedAnotherNumber() {
        Parley parley = Parley.builder().apiKey(credential).baseUrl(baseUrl()).build();
        CreateCallRequest request = new CreateCallRequest().personaId(UUID.fromString(personaId)).to(CALLEE)
                .scheduledAt(OffsetDateTime.now(ZoneOffset.UTC).plusHours(20)).timeZone("Europe/London");

        Call call = parley.calls().create(request);
        assertThat(call.getTo()).isEqualTo(CALLEE);
        assertThat(parley.calls().get(call.getId()).getId()).isEqualTo(call.getId());

        assertThatThrownBy(() -> parley.calls().create(request.to(OTHER_NUMBER)))
                .isInstanceOfSatisfying(PermissionException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.problemType()).endsWith("/forbidden");
                    assertThat(e.requestId()).isNotBlank();
                });
    }

    // --- what it may not ---------------------------------------------------------------------------

    @Test
    void anotherNumberOrAnotherPersonaAnswers403AndWritesNothing() {
        String otherPersona = createPersona(tenant, "Santa").get("id").asString();
        long calls = ownerCount("calls");

        ApiClient.Response otherNumber = runtime.post("/v1/calls", callBack(personaId, OTHER_NUMBER));
        assertForbidden(otherNumber);
        assertThat(otherNumber.json().get("detail").asString()).contains("number");
        ApiClient.Response wrongPersona = runtime.post("/v1/calls", callBack(otherPersona, CALLEE));
        assertForbidden(wrongPersona);
        assertThat(wrongPersona.json().get("detail").asString()).contains("persona");

        assertThat(ownerCount("calls")).isEqualTo(calls);
    }

    @Test
    void anotherTenantsCallsAnswer404AndItsPersonas403() {
        TestTenant other = newTenant();
        String theirPersona = createPersona(other, "Theirs").get("id").asString();
        String theirCall = createCall(other, theirPersona).get("id").asString();

        assertNotFound(runtime.get("/v1/calls/" + theirCall));
        assertNotFound(runtime.get("/v1/calls/" + theirCall + "/events"));
        assertNotFound(runtime.post("/v1/calls/" + theirCall + "/cancel", null));
        assertForbidden(runtime.post("/v1/calls", callBack(theirPersona, CALLEE)));
        assertThat(other.api().get("/v1/calls/" + theirCall).json().get("status").asString()).isEqualTo("scheduled");
    }

    @Test
    void reachesNothingButCalls() {
        assertForbidden(runtime.get("/v1/personas"));
        assertForbidden(runtime.get("/v1/personas/" + personaId));
        assertForbidden(runtime.post("/v1/personas", personaBody("not allowed")));
        assertForbidden(runtime.patch("/v1/personas/" + personaId, ApiClient.json(Map.of("name", "renamed"))));
        assertForbidden(runtime.delete("/v1/personas/" + personaId));
        assertForbidden(runtime.get("/v1/api-keys"));
        assertForbidden(runtime.post("/v1/api-keys", ApiClient.json(Map.of("name", "escalation"))));
        assertForbidden(runtime.post("/v1/tenants", ApiClient.json(Map.of("name", "Sneaky Ltd"))));

        assertThat(tenant.api().get("/v1/personas/" + personaId).json().get("name").asString()).isEqualTo("Receptionist");
        assertThat(tenant.api().get("/v1/api-keys").json().get("data")).hasSize(1);
    }

    @Test
    void itsIdempotencyKeysAreItsOwnSoItIsNeverAnsweredAnotherCredentialsCall() {
        String key = "shared-key-" + UUID.randomUUID();
        String body = callBack(personaId, OTHER_NUMBER);
        ApiClient.Response byApiKey = tenant.api().withHeader("Idempotency-Key", key).post("/v1/calls", body);
        assertThat(byApiKey.status()).as(byApiKey.body()).isEqualTo(201);
        String theirCall = byApiKey.json().get("id").asString();

        ApiClient.Response sameKeySameBody = runtime.withHeader("Idempotency-Key", key).post("/v1/calls", body);
        assertThat(sameKeySameBody.status()).as(sameKeySameBody.body()).isEqualTo(422);
        assertThat(sameKeySameBody.json().get("type").asString()).endsWith("/idempotency-key-reused");
        assertThat(sameKeySameBody.body()).doesNotContain(theirCall);
        assertThat(sameKeySameBody.header("Idempotent-Replayed")).isNull();

        // its own retries are replayed as anyone's
        String own = "own-key-" + UUID.randomUUID();
        String callBack = callBack(personaId, CALLEE);
        ApiClient.Response first = runtime.withHeader("Idempotency-Key", own).post("/v1/calls", callBack);
        ApiClient.Response again = runtime.withHeader("Idempotency-Key", own).post("/v1/calls", callBack);
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    }

    @Test
    void anExpiredForgedOrAlteredCredentialAnswers401() {
        ParleyProperties.CallCredentials settings = new ParleyProperties.CallCredentials(TestServices.CALL_CREDENTIAL_SECRET, null, Duration.ofMinutes(1));
        CallCredentials twoHoursAgo = new CallCredentials(settings, Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC));
        assertUnauthorized(as(mint(twoHoursAgo, tenant.id(), callId, personaId)).get("/v1/calls/" + callId));

        CallCredentials otherKey = new CallCredentials(new ParleyProperties.CallCredentials("not-platform-apis-key-0123456789abcdefgh", null, null),
                Clock.systemUTC());
        assertUnauthorized(as(mint(otherKey, tenant.id(), callId, personaId)).get("/v1/calls/" + callId));

        String[] parts = credential.substring("cc_test_".length()).split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String toOtherNumber = Base64.getUrlEncoder().withoutPadding().encodeToString(claims.replace(CALLEE, OTHER_NUMBER).getBytes(StandardCharsets.UTF_8));
        ApiClient altered = as("cc_test_" + parts[0] + "." + toOtherNumber + "." + parts[2]);
        assertUnauthorized(altered.post("/v1/calls", callBack(personaId, OTHER_NUMBER)));
        assertUnauthorized(as("cc_live_" + credential.substring("cc_test_".length())).get("/v1/calls/" + callId));
        assertUnauthorized(as("cc_test_garbage").get("/v1/calls/" + callId));

        assertThat(runtime.get("/v1/calls/" + callId).status()).as("the real one still works").isEqualTo(200);
    }

    @Test
    void aCredentialForATenantThatDoesNotExistAnswers401() {
        assertUnauthorized(as(mint(credentials, UUID.randomUUID(), callId, personaId)).get("/v1/calls"));
    }

    static void assertNotFound(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).endsWith("/not-found");
    }
}
