package io.parley.platform.tenancy.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Secret API keys end to end: what authenticates, what does not, what a key's scopes allow, and
 * that the secret is shown once and stored only as a hash.
 */
class ApiKeyAuthIntegrationTests extends IntegrationTest {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // --- what does not authenticate -------------------------------------------------------------

    @Test
    void noCredentialAnswers401ProblemWithBearerChallenge() {
        ApiClient.Response response = anonymous().get("/v1/personas");

        assertUnauthorized(response);
        assertThat(response.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(response.json().get("status").asInt()).isEqualTo(401);
        assertThat(response.json().get("instance").asString()).isEqualTo("/v1/personas");
    }

    @Test
    void garbageBearerTokenAnswers401() {
        assertUnauthorized(as("not-a-key").get("/v1/personas"));
        assertUnauthorized(as("sk_test_").get("/v1/personas"));
        assertUnauthorized(as("a.b.c").get("/v1/personas"));   // JWT-shaped, but JWTs are not configured here
    }

    @Test
    void basicSchemeIsNotAccepted() {
        TestTenant tenant = newTenant();
        // even a valid key, sent under another scheme, is no credential
        String basic = Base64.getEncoder().encodeToString((tenant.apiKey() + ":").getBytes(StandardCharsets.UTF_8));
        ApiClient.Response response = anonymous().withHeader("Authorization", "Basic " + basic).get("/v1/personas");

        assertUnauthorized(response);
        assertThat(tenant.api().get("/v1/personas").status()).as("the same key as a bearer token").isEqualTo(200);
    }

    @Test
    void wellFormedUnknownKeyAnswers401() {
        StringBuilder key = new StringBuilder("sk_test_");
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 32; i++) {
            key.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        assertUnauthorized(as(key.toString()).get("/v1/personas"));
    }

    @Test
    void liveModePrefixOnATestKeysRandomPartAnswers401() {
        TestTenant tenant = newTenant();
        assertThat(tenant.apiKey()).startsWith("sk_test_");
        String swapped = "sk_live_" + tenant.apiKey().substring("sk_test_".length());

        assertUnauthorized(as(swapped).get("/v1/personas"));
        assertThat(tenant.api().get("/v1/personas").status()).isEqualTo(200);
    }

    // --- creating, listing and storing keys -----------------------------------------------------

    @Test
    void createdKeyShowsItsSecretOnceAndTheListNever() throws Exception {
        TestTenant tenant = newTenant();
        ApiClient.Response created = tenant.api().post("/v1/api-keys", ApiClient.json(Map.of("name", "booking backend")));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode key = created.json();
        String secret = key.get("secret").asString();
        assertThat(secret).startsWith("sk_test_").hasSize("sk_test_".length() + 32);
        assertThat(secret.substring("sk_test_".length())).matches("[0-9A-Za-z]{32}");
        assertThat(key.get("mode").asString()).isEqualTo("test");
        assertThat(key.get("name").asString()).isEqualTo("booking backend");
        assertThat(key.get("prefix").asString()).isEqualTo(secret.substring(0, "sk_test_".length() + 4));
        assertThat(key.get("last4").asString()).isEqualTo(secret.substring(secret.length() - 4));
        assertThat(key.has("revokedAt")).isFalse();
        // no scopes listed: every scope
        List<String> scopes = new ArrayList<>();
        key.get("scopes").forEach(s -> scopes.add(s.asString()));
        assertThat(scopes).isEmpty();
        String id = key.get("id").asString();

        // the new key works at once
        assertThat(as(secret).get("/v1/api-keys").status()).isEqualTo(200);

        // the list and the single read show prefix and last4, never the secret (nor the first key's)
        ApiClient.Response list = tenant.api().get("/v1/api-keys");
        assertThat(list.status()).isEqualTo(200);
        String randomPart = secret.substring("sk_test_".length());
        String firstRandomPart = tenant.apiKey().substring("sk_test_".length());
        assertThat(list.body())
                .doesNotContain(randomPart)
                .doesNotContain(firstRandomPart)
                .doesNotContain("\"secret\"");
        assertThat(list.json().get("data")).hasSize(2);
        JsonNode listed = list.json().get("data").get(0);   // newest first
        assertThat(listed.get("id").asString()).isEqualTo(id);
        assertThat(listed.get("prefix").asString()).isEqualTo(key.get("prefix").asString());
        assertThat(listed.get("last4").asString()).isEqualTo(key.get("last4").asString());
        assertThat(listed.has("secret")).isFalse();

        ApiClient.Response single = tenant.api().get("/v1/api-keys/" + id);
        assertThat(single.status()).isEqualTo(200);
        assertThat(single.body()).doesNotContain(randomPart).doesNotContain("\"secret\"");

        // the database holds the SHA-256 of the secret, not the secret
        try (Connection c = TestServices.ownerConnection();
             PreparedStatement s = c.prepareStatement("select secret_hash, prefix, last4, tenant_id from api_keys where id = ?")) {
            s.setObject(1, UUID.fromString(id));
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                byte[] stored = rs.getBytes("secret_hash");
                assertThat(stored).isNotEqualTo(secret.getBytes(StandardCharsets.UTF_8));
                assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(randomPart);
                assertThat(stored).isEqualTo(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
                assertThat(rs.getString("prefix")).isEqualTo(key.get("prefix").asString());
                assertThat(rs.getString("last4")).isEqualTo(key.get("last4").asString());
                assertThat(rs.getObject("tenant_id", UUID.class)).isEqualTo(tenant.id());
            }
        }
    }

    @Test
    void aTestKeyCannotCreateLiveKeys() {
        TestTenant tenant = newTenant();
        long before = ownerCount("api_keys");
        ApiClient.Response refused = tenant.api().post("/v1/api-keys", ApiClient.json(Map.of("name", "live", "mode", "live")));

        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("type").asString()).endsWith("/validation-error");
        assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("mode");
        assertThat(ownerCount("api_keys")).isEqualTo(before);
        // live keys are made by a live key or an admin (JwtAuthIntegrationTests)
    }

    // --- revoking -------------------------------------------------------------------------------

    @Test
    void revokedKeyStopsAtOnceAndRevokingAgainAnswersItUnchanged() {
        TestTenant tenant = newTenant();
        JsonNode created = tenant.api().post("/v1/api-keys", ApiClient.json(Map.of("name", "to revoke"))).json();
        String id = created.get("id").asString();
        ApiClient doomed = as(created.get("secret").asString());
        assertThat(doomed.get("/v1/personas").status()).isEqualTo(200);

        ApiClient.Response revoked = tenant.api().post("/v1/api-keys/" + id + "/revoke", null);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
        String revokedAt = revoked.json().get("revokedAt").asString();
        assertThat(revokedAt).isNotBlank();
        assertThat(revoked.json().has("secret")).isFalse();

        assertUnauthorized(doomed.get("/v1/personas"));
        assertUnauthorized(doomed.post("/v1/personas", personaBody("after revocation")));

        ApiClient.Response again = tenant.api().post("/v1/api-keys/" + id + "/revoke", null);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().get("revokedAt").asString()).isEqualTo(revokedAt);
        assertThat(again.json().get("id").asString()).isEqualTo(id);

        assertThat(tenant.api().get("/v1/api-keys/" + id).json().get("revokedAt").asString()).isEqualTo(revokedAt);
        // revoking one key leaves the others working
        assertThat(tenant.api().get("/v1/personas").status()).isEqualTo(200);
        assertUnauthorized(doomed.get("/v1/personas"));
    }

    // --- scopes ---------------------------------------------------------------------------------

    @Test
    void readScopeReadsButCannotWriteNorReachOtherResources() {
        TestTenant tenant = newTenant();
        String personaId = createPersona(tenant, "Santa").get("id").asString();
        ApiClient reader = keyWithScopes(tenant, "personas:read");

        ApiClient.Response list = reader.get("/v1/personas");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("data")).hasSize(1);
        assertThat(reader.get("/v1/personas/" + personaId).status()).isEqualTo(200);

        long personas = ownerCount("personas");
        assertForbidden(reader.post("/v1/personas", personaBody("not allowed")));
        assertThat(ownerCount("personas")).isEqualTo(personas);
        assertForbidden(reader.patch("/v1/personas/" + personaId, ApiClient.json(Map.of("name", "renamed"))));
        assertForbidden(reader.delete("/v1/personas/" + personaId));
        assertForbidden(reader.get("/v1/calls"));
        assertForbidden(reader.post("/v1/calls", callBody(personaId)));
        assertForbidden(reader.get("/v1/api-keys"));
        assertForbidden(reader.post("/v1/api-keys", ApiClient.json(Map.of("name", "escalation"))));

        assertThat(tenant.api().get("/v1/personas/" + personaId).json().get("name").asString()).isEqualTo("Santa");
    }

    @Test
    void callsWriteImpliesCallsRead() {
        TestTenant tenant = newTenant();
        String personaId = createPersona(tenant, "Santa").get("id").asString();
        ApiClient caller = keyWithScopes(tenant, "calls:write");

        ApiClient.Response call = caller.post("/v1/calls", callBody(personaId));
        assertThat(call.status()).as(call.body()).isEqualTo(201);
        String callId = call.json().get("id").asString();

        ApiClient.Response list = caller.get("/v1/calls");
        assertThat(list.status()).as("calls:write brings calls:read").isEqualTo(200);
        assertThat(list.json().get("data").get(0).get("id").asString()).isEqualTo(callId);
        assertThat(caller.get("/v1/calls/" + callId).status()).isEqualTo(200);
        assertThat(caller.get("/v1/calls/" + callId + "/events").status()).isEqualTo(200);

        // and nothing else
        assertForbidden(caller.get("/v1/personas"));
        assertForbidden(caller.get("/v1/api-keys"));
    }

    @Test
    void listedScopesAreShownOnTheKey() {
        TestTenant tenant = newTenant();
        ApiClient.Response created = tenant.api().post("/v1/api-keys",
                ApiClient.json(Map.of("name", "reader", "scopes", List.of("personas:read", "calls:read"))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        List<String> scopes = new ArrayList<>();
        created.json().get("scopes").forEach(s -> scopes.add(s.asString()));
        assertThat(scopes).containsExactlyInAnyOrder("personas:read", "calls:read");
    }

    // --- the operator and tenant creation -------------------------------------------------------

    @Test
    void tenantKeyCannotCreateTenants() {
        TestTenant tenant = newTenant();
        long tenants = ownerCount("tenants");

        assertForbidden(tenant.api().post("/v1/tenants", ApiClient.json(Map.of("name", "Sneaky Ltd"))));
        assertThat(ownerCount("tenants")).isEqualTo(tenants);
    }

    @Test
    void operatorTokenReachesNoTenantEndpoint() {
        assertForbidden(operator().get("/v1/personas"));
        assertForbidden(operator().get("/v1/calls"));
        assertForbidden(operator().get("/v1/api-keys"));
        assertForbidden(operator().post("/v1/personas", personaBody("operator's")));
    }

    @Test
    void tenantCreationNeedsTheRightOperatorToken() {
        long tenants = ownerCount("tenants");
        String body = ApiClient.json(Map.of("name", "Nobody Ltd"));

        ApiClient.Response missing = anonymous().post("/v1/tenants", body);
        assertUnauthorized(missing);
        assertThat(missing.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertUnauthorized(as("wrong-" + TestServices.OPERATOR_TOKEN).post("/v1/tenants", body));
        assertUnauthorized(as(TestServices.OPERATOR_TOKEN.substring(1)).post("/v1/tenants", body));
        assertThat(ownerCount("tenants")).isEqualTo(tenants);

        ApiClient.Response created = operator().post("/v1/tenants", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("apiKey").asString()).startsWith("sk_test_");
    }

    @Test
    void callEventsNameTheKeyAsActor() {
        TestTenant tenant = newTenant();
        JsonNode key = tenant.api().post("/v1/api-keys", ApiClient.json(Map.of("name", "events"))).json();
        ApiClient api = as(key.get("secret").asString());
        String personaId = createPersona(tenant, "Santa").get("id").asString();
        String callId = api.post("/v1/calls", callBody(personaId)).json().get("id").asString();

        JsonNode events = api.get("/v1/calls/" + callId + "/events").json().get("data");
        assertThat(events).hasSize(1);
        assertThat(events.get(0).get("actor").asString()).isEqualTo("api_key:" + key.get("id").asString());
    }

    // --- helpers --------------------------------------------------------------------------------

    private ApiClient keyWithScopes(TestTenant tenant, String... scopes) {
        ApiClient.Response created = tenant.api().post("/v1/api-keys",
                ApiClient.json(Map.of("name", "scoped", "scopes", List.of(scopes))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return as(created.json().get("secret").asString());
    }

    @Test
    void aKeyWhoseScopesAreNoLongerKnownMayDoNothing() throws Exception {
        TestTenant tenant = newTenant();
        JsonNode key = tenant.api().post("/v1/api-keys", ApiClient.json(Map.of("scopes", List.of("personas:read")))).json();
        // as if a later version renamed the scope: the key must not fall back to "every scope"
        try (var c = TestServices.ownerConnection(); var s = c.prepareStatement("update api_keys set scopes = '{personas:view}' where id = ?")) {
            s.setObject(1, UUID.fromString(key.get("id").asString()));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
        ApiClient renamed = as(key.get("secret").asString());
        assertForbidden(renamed.get("/v1/personas"));
        assertForbidden(renamed.post("/v1/personas", personaBody("x")));
    }

    static void assertUnauthorized(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).endsWith("/unauthorized");
        assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
    }

    static void assertForbidden(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).endsWith("/forbidden");
    }
}
