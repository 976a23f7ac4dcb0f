package io.parley.platform.tenancy.web;

import static io.parley.platform.tenancy.web.ApiKeyAuthIntegrationTests.assertForbidden;
import static io.parley.platform.tenancy.web.ApiKeyAuthIntegrationTests.assertUnauthorized;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestJwtIssuer;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The admin UI's credential: RS256 JWTs from the configured issuer, whose {@code tenant_id} claim
 * names the tenant and {@code role} claim (admin, member, viewer) what the user may do.
 *
 * <p>The issuer is a loopback JWKS server started before the Spring context. Its properties come
 * through {@link DynamicPropertySource}, so this class gets a context of its own (JWTs on) and no
 * other class sees them.
 */
class JwtAuthIntegrationTests extends IntegrationTest {

    static final TestJwtIssuer ISSUER = TestJwtIssuer.start();

    @DynamicPropertySource
    static void jwtIssuer(DynamicPropertyRegistry registry) {
        registry.add("parley.auth.jwt.jwk-set-uri", ISSUER::jwkSetUri);
        registry.add("parley.auth.jwt.issuer-uri", ISSUER::issuer);
        registry.add("parley.auth.jwt.audience", () -> TestJwtIssuer.AUDIENCE);
    }

    private ApiClient user(TestTenant tenant, String role) {
        return as(ISSUER.token("user-" + UUID.randomUUID(), tenant.id(), role));
    }

    // --- roles ----------------------------------------------------------------------------------

    @Test
    void adminCreatesPersonasAndApiKeys() {
        TestTenant tenant = newTenant();
        ApiClient admin = user(tenant, "admin");

        ApiClient.Response persona = admin.post("/v1/personas", personaBody("Admin's Santa"));
        assertThat(persona.status()).as(persona.body()).isEqualTo(201);
        // written into the token's tenant: its API key sees it
        assertThat(tenant.api().get("/v1/personas/" + persona.json().get("id").asString()).status()).isEqualTo(200);

        ApiClient.Response key = admin.post("/v1/api-keys", ApiClient.json(Map.of("name", "made by admin")));
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        assertThat(key.json().get("secret").asString()).startsWith("sk_test_");
        // the key belongs to the token's tenant
        JsonNode personas = as(key.json().get("secret").asString()).get("/v1/personas").json().get("data");
        assertThat(personas).hasSize(1);
        assertThat(personas.get(0).get("name").asString()).isEqualTo("Admin's Santa");

        assertThat(ISSUER.jwksRequests()).as("the application fetched the issuer's keys").isPositive();
    }

    @Test
    void anAdminMakesLiveKeysWhoseCallsAreLive() {
        TestTenant tenant = newTenant();
        ApiClient.Response created = user(tenant, "admin").post("/v1/api-keys", ApiClient.json(Map.of("name", "live", "mode", "live")));

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String secret = created.json().get("secret").asString();
        assertThat(secret).startsWith("sk_live_").hasSize("sk_live_".length() + 32);
        assertThat(created.json().get("mode").asString()).isEqualTo("live");
        assertThat(created.json().get("prefix").asString()).isEqualTo(secret.substring(0, "sk_live_".length() + 4));
        // the same random part under the test prefix is no key
        ApiKeyAuthIntegrationTests.assertUnauthorized(as("sk_test_" + secret.substring("sk_live_".length())).get("/v1/personas"));

        // a live key may make more live keys
        ApiClient live = as(secret);
        assertThat(live.post("/v1/api-keys", ApiClient.json(Map.of("mode", "live"))).status()).isEqualTo(201);

        // the key's mode is the call's mode, stored so
        String personaId = createPersona(tenant, "Santa").get("id").asString();
        ApiClient.Response liveCall = live.post("/v1/calls", callBody(personaId));
        assertThat(liveCall.status()).as(liveCall.body()).isEqualTo(201);
        assertThat(liveCall.json().get("mode").asString()).isEqualTo("live");
        ApiClient.Response testCall = tenant.api().post("/v1/calls", callBody(personaId));
        assertThat(testCall.json().get("mode").asString()).isEqualTo("test");
        assertThat(tenant.api().get("/v1/calls/" + liveCall.json().get("id").asString()).json().get("mode").asString()).isEqualTo("live");
        assertThat(live.get("/v1/calls/" + testCall.json().get("id").asString()).json().get("mode").asString()).isEqualTo("test");
    }

    @Test
    void memberWorksWithPersonasAndCallsButCannotMakeKeys() {
        TestTenant tenant = newTenant();
        ApiClient member = user(tenant, "member");

        ApiClient.Response persona = member.post("/v1/personas", personaBody("Member's Santa"));
        assertThat(persona.status()).as(persona.body()).isEqualTo(201);
        ApiClient.Response call = member.post("/v1/calls", callBody(persona.json().get("id").asString()));
        assertThat(call.status()).as(call.body()).isEqualTo(201);

        long keys = ownerCount("api_keys");
        assertForbidden(member.post("/v1/api-keys", ApiClient.json(Map.of("name", "not allowed"))));
        assertThat(ownerCount("api_keys")).isEqualTo(keys);
        // reading keys is allowed; revoking is writing
        ApiClient.Response list = member.get("/v1/api-keys");
        assertThat(list.status()).isEqualTo(200);
        String firstKey = list.json().get("data").get(0).get("id").asString();
        assertForbidden(member.post("/v1/api-keys/" + firstKey + "/revoke", null));
        assertThat(tenant.api().get("/v1/personas").status()).as("the tenant's key still works").isEqualTo(200);
    }

    @Test
    void viewerReadsOnly() {
        TestTenant tenant = newTenant();
        JsonNode persona = createPersona(tenant, "Santa");
        String personaId = persona.get("id").asString();
        String callId = createCall(tenant, personaId).get("id").asString();
        ApiClient viewer = user(tenant, "viewer");

        ApiClient.Response personas = viewer.get("/v1/personas");
        assertThat(personas.status()).isEqualTo(200);
        assertThat(personas.json().get("data").get(0).get("id").asString()).isEqualTo(personaId);
        assertThat(viewer.get("/v1/personas/" + personaId).status()).isEqualTo(200);
        assertThat(viewer.get("/v1/calls/" + callId).status()).isEqualTo(200);
        assertThat(viewer.get("/v1/api-keys").status()).isEqualTo(200);

        assertForbidden(viewer.post("/v1/personas", personaBody("not allowed")));
        assertForbidden(viewer.patch("/v1/personas/" + personaId, ApiClient.json(Map.of("name", "renamed"))));
        assertForbidden(viewer.delete("/v1/personas/" + personaId));
        assertForbidden(viewer.post("/v1/calls", callBody(personaId)));
        assertForbidden(viewer.post("/v1/calls/" + callId + "/cancel", null));
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).isEqualTo("scheduled");
        assertThat(tenant.api().get("/v1/personas/" + personaId).json().get("name").asString()).isEqualTo("Santa");
    }

    @Test
    void unknownOrMissingRoleMayDoNothing() {
        TestTenant tenant = newTenant();
        String personaId = createPersona(tenant, "Santa").get("id").asString();

        for (String role : new String[] {"superuser", "ADMIN", ""}) {
            ApiClient nobody = user(tenant, role);
            assertForbidden(nobody.get("/v1/personas"));
            assertForbidden(nobody.get("/v1/personas/" + personaId));
            assertForbidden(nobody.post("/v1/personas", personaBody("x")));
            assertForbidden(nobody.get("/v1/calls"));
            assertForbidden(nobody.post("/v1/calls", callBody(personaId)));
            assertForbidden(nobody.get("/v1/api-keys"));
            assertForbidden(nobody.post("/v1/api-keys", ApiClient.json(Map.of())));
            assertForbidden(nobody.post("/v1/tenants", ApiClient.json(Map.of("name", "x"))));
        }
        assertForbidden(as(ISSUER.token("no-role", tenant.id(), null)).get("/v1/personas"));
    }

    // --- tenancy --------------------------------------------------------------------------------

    @Test
    void aTokenOfTenantACannotReachTenantBsPersona() {
        TestTenant a = newTenant();
        TestTenant b = newTenant();
        String bPersona = createPersona(b, "B's Santa").get("id").asString();
        ApiClient aAdmin = user(a, "admin");

        ApiClient.Response response = aAdmin.get("/v1/personas/" + bPersona);
        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(response.json().get("type").asString()).endsWith("/not-found");
        assertThat(aAdmin.get("/v1/personas").json().get("data")).isEmpty();
        assertThat(aAdmin.patch("/v1/personas/" + bPersona, ApiClient.json(Map.of("name", "stolen"))).status()).isEqualTo(404);
        assertThat(b.api().get("/v1/personas/" + bPersona).json().get("name").asString()).isEqualTo("B's Santa");
    }

    @Test
    void tokenWithoutTenantOrWithAnUnknownTenantAnswers401() {
        TestTenant tenant = newTenant();
        assertUnauthorized(as(ISSUER.token("u1", null, "admin")).get("/v1/personas"));
        assertUnauthorized(as(ISSUER.token("u1", UUID.randomUUID(), "admin")).get("/v1/personas"));
        assertUnauthorized(as(ISSUER.token("u1", "not-a-uuid", "admin")).get("/v1/personas"));
        // the control: the same token with a real tenant is accepted
        assertThat(as(ISSUER.token("u1", tenant.id(), "admin")).get("/v1/personas").status()).isEqualTo(200);
    }

    // --- tokens the issuer did not make, or no longer vouches for -------------------------------

    @Test
    void aTokenForAnotherAudienceAnswers401() {
        TestTenant tenant = newTenant();
        var claims = ISSUER.claims("someone").claim("tenant_id", tenant.id().toString()).claim("role", "admin");
        assertUnauthorized(as(ISSUER.sign(claims.audience("another-app").build())).get("/v1/personas"));
        assertUnauthorized(as(ISSUER.sign(claims.audience((String) null).build())).get("/v1/personas"));
        assertThat(as(ISSUER.sign(claims.audience(TestJwtIssuer.AUDIENCE).build())).get("/v1/personas").status()).isEqualTo(200);
    }

    @Test
    void expiredTokenAnswers401() {
        TestTenant tenant = newTenant();
        Instant past = Instant.now().minus(Duration.ofMinutes(10));
        JWTClaimsSet expired = ISSUER.claims("u1")
                .issueTime(Date.from(past.minus(Duration.ofMinutes(5))))
                .expirationTime(Date.from(past))
                .claim("tenant_id", tenant.id().toString())
                .claim("role", "admin")
                .build();

        assertUnauthorized(as(ISSUER.sign(expired)).get("/v1/personas"));
    }

    @Test
    void wrongIssuerAnswers401() {
        TestTenant tenant = newTenant();
        JWTClaimsSet claims = ISSUER.claims("u1")
                .issuer("https://evil.example/issuer")
                .claim("tenant_id", tenant.id().toString())
                .claim("role", "admin")
                .build();

        assertUnauthorized(as(ISSUER.sign(claims)).get("/v1/personas"));
    }

    @Test
    void tokenSignedWithAnotherKeyAnswers401() {
        TestTenant tenant = newTenant();
        JWTClaimsSet claims = ISSUER.claims("u1").claim("tenant_id", tenant.id().toString()).claim("role", "admin").build();

        // same key id as the issuer's, other key material: only the signature check can refuse it
        assertUnauthorized(as(TestJwtIssuer.sign(claims, TestJwtIssuer.newKey(TestJwtIssuer.KEY_ID))).get("/v1/personas"));
        assertUnauthorized(as(TestJwtIssuer.sign(claims, TestJwtIssuer.newKey("other-key"))).get("/v1/personas"));
        assertUnauthorized(as(TestJwtIssuer.unsigned(claims)).get("/v1/personas"));
        // a signed token with its payload changed
        String good = ISSUER.sign(claims);
        String[] parts = good.split("\\.");
        String otherPayload = ISSUER.sign(ISSUER.claims("u1").claim("tenant_id", tenant.id().toString()).claim("role", "admin")
                .claim("extra", "x").build()).split("\\.")[1];
        assertUnauthorized(as(parts[0] + "." + otherPayload + "." + parts[2]).get("/v1/personas"));

        assertThat(as(good).get("/v1/personas").status()).as("the control").isEqualTo(200);
    }

    // --- the actor ------------------------------------------------------------------------------

    @Test
    void callEventsNameTheUserAsActor() {
        TestTenant tenant = newTenant();
        String subject = "auth0|" + UUID.randomUUID();
        ApiClient member = as(ISSUER.token(subject, tenant.id(), "member"));
        String personaId = createPersona(tenant, "Santa").get("id").asString();

        ApiClient.Response call = member.post("/v1/calls", callBody(personaId));
        assertThat(call.status()).as(call.body()).isEqualTo(201);
        assertThat(call.json().get("mode").asString()).as("a JWT without a mode claim makes test calls").isEqualTo("test");
        String callId = call.json().get("id").asString();
        ApiClient.Response canceled = member.post("/v1/calls/" + callId + "/cancel", ApiClient.json(Map.of("reason", "travelling")));
        assertThat(canceled.status()).as(canceled.body()).isEqualTo(200);

        JsonNode events = tenant.api().get("/v1/calls/" + callId + "/events").json().get("data");
        assertThat(events).hasSize(2);
        assertThat(events.get(0).get("type").asString()).isEqualTo("call.created");
        assertThat(events.get(0).get("actor").asString()).isEqualTo("user:" + subject);
        assertThat(events.get(1).get("type").asString()).isEqualTo("call.canceled");
        assertThat(events.get(1).get("actor").asString()).isEqualTo("user:" + subject);
    }

    @Test
    void apiKeysStillWorkBesideJwts() {
        TestTenant tenant = newTenant();
        assertThat(tenant.api().get("/v1/personas").status()).isEqualTo(200);
        assertThat(operator().post("/v1/tenants", ApiClient.json(Map.of("name", "Still open"))).status()).isEqualTo(201);
        assertUnauthorized(as("not-a-jwt").get("/v1/personas"));
    }
}
