package io.parley.platform.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.DispatchLedger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Base of the integration tests: a real platform-api on a random port, on the real PostgreSQL and
 * Redis (see {@link TestServices}). Every test makes its own tenants, so tests never share data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    static {
        TestServices.configure();
    }

    @LocalServerPort
    protected int port;

    @Autowired
    private DispatchLedger dispatchLedger;

    /** A tenant made through the API, with its first (all-scopes, test-mode) key. */
    public record TestTenant(UUID id, String apiKey, ApiClient api) {}

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    protected ApiClient anonymous() {
        return new ApiClient(baseUrl(), null);
    }

    protected ApiClient operator() {
        return new ApiClient(baseUrl(), TestServices.OPERATOR_TOKEN);
    }

    protected ApiClient as(String token) {
        return new ApiClient(baseUrl(), token);
    }

    protected TestTenant newTenant() {
        ApiClient.Response created = operator().post("/v1/tenants", ApiClient.json(Map.of("name", "Tenant " + UUID.randomUUID())));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String key = created.json().get("apiKey").asString();
        return new TestTenant(UUID.fromString(created.json().get("id").asString()), key, as(key));
    }

    protected static String personaBody(String name) {
        return ApiClient.json(Map.of(
                "name", name,
                "kind", "santa",
                "systemPrompt", "You are Santa Claus.",
                "firstMessage", "Ho ho ho!"));
    }

    protected JsonNode createPersona(TestTenant tenant, String name) {
        ApiClient.Response response = tenant.api().post("/v1/personas", personaBody(name));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    protected static String callBody(String personaId) {
        return ApiClient.json(Map.of("personaId", personaId, "to", "+442071838750", "timeZone", "Europe/London",
                "variables", Map.of("child_name", "Ella")));
    }

    protected JsonNode createCall(TestTenant tenant, String personaId) {
        ApiClient.Response response = tenant.api().post("/v1/calls", callBody(personaId));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    /** The types of a call's events, oldest first (the first 100). */
    protected static List<String> eventTypes(TestTenant tenant, Object callId) {
        List<String> types = new ArrayList<>();
        tenant.api().get("/v1/calls/" + callId + "/events?limit=100").json().get("data").forEach(e -> types.add(e.get("type").asString()));
        return types;
    }

    /**
     * Dials a due call by hand, as a dispatcher does up to the carrier: claims it, begins its attempt with
     * {@code carrier} (calling window off), and, when {@code providerCallId} is given, records the carrier's id as
     * placed at {@code dialedAt}. Callbacks and reports are then the test's to send.
     */
    protected DispatchLedger.Begun dialByHand(Object callId, String carrier, String providerCallId, Instant dialedAt) {
        Instant now = Instant.now().plusSeconds(1);
        DispatchLedger.Claim claim = dispatchLedger.claim("by-hand", 10_000, Duration.ofSeconds(30), now).stream()
                .filter(c -> c.callId().toString().equals(callId.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("call " + callId + " is not due"));
        DispatchLedger.Begun begun = dispatchLedger.begin(claim, "by-hand", carrier, "+14155550199", 10, Duration.ofSeconds(1),
                CallingWindow.OFF, now).begun();
        assertThat(begun).as("call %s begun", callId).isNotNull();
        if (providerCallId != null) {
            assertThat(dispatchLedger.placed(begun.tenant(), begun.attemptId(), providerCallId, dialedAt)).isTrue();
        }
        return begun;
    }

    /** Rows of a table as the owner sees them (bypassing row-level security): to check nothing was written. */
    protected static long ownerCount(String table) {
        try (var c = TestServices.ownerConnection(); var s = c.createStatement(); var rs = s.executeQuery("select count(*) from " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
