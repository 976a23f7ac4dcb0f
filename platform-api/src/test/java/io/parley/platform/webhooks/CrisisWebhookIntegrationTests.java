package io.parley.platform.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A caller who showed signs of self-harm reaches the tenant's webhooks as call.crisis_detected, with what was heard. */
class CrisisWebhookIntegrationTests extends IntegrationTest {

    @Autowired
    private RuntimeEventWriter runtimeEvents;

    @Test
    void theRuntimesCrisisEventIsAWebhookWithTheSignal() throws Exception {
        TestTenant tenant = newTenant();
        ApiClient.Response endpoint = tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/crisis",
                "eventTypes", List.of("call.crisis_detected"))));
        assertThat(endpoint.status()).as(endpoint.body()).isEqualTo(201);
        String callId = createCall(tenant, createPersona(tenant, "Friend").get("id").asString()).get("id").asString();
        UUID eventId = Ids.next();
        assertThat(runtimeEvents.write(new RuntimeEvent(eventId, "call.crisis_detected", new TenantId(tenant.id()), UUID.fromString(callId),
                Instant.now(), null, "{\"signal\":\"don't want to live\"}"))).isEqualTo(RuntimeEventWriter.Outcome.APPLIED);

        try (Connection owner = TestServices.ownerConnection();
             PreparedStatement s = owner.prepareStatement("select type, payload::text from webhook_events where tenant_id = ? and id = ?")) {
            s.setObject(1, tenant.id());
            s.setObject(2, eventId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("the webhook event, written with the call event").isTrue();
                assertThat(rs.getString(1)).isEqualTo("call.crisis_detected");
                JsonNode payload = JsonMapper.builder().build().readTree(rs.getString(2));
                assertThat(payload.get("data").get("signal").asString()).isEqualTo("don't want to live");
                assertThat(payload.get("data").get("callId").asString()).isEqualTo(callId);
            }
        }
        assertThat(tenant.api().get("/v1/calls/" + callId + "/events?type=call.crisis_detected").json().get("data")).hasSize(1);
    }
}
