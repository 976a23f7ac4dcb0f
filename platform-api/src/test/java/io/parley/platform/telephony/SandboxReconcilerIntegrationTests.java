package io.parley.platform.telephony;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A sandbox call whose instance stopped mid-call is ended by another; one still within the sandbox's longest call is not. */
class SandboxReconcilerIntegrationTests extends IntegrationTest {

    @Autowired
    private SandboxReconciler reconciler;

    @Test
    void aSandboxCallNobodyReportsOnAnyLongerIsFailed() {
        TestTenant tenant = newTenant();
        String persona = createPersona(tenant, "Santa").get("id").asString();
        String lost = placed(tenant, persona, Instant.now().minus(Duration.ofHours(1)));
        String live = placed(tenant, persona, Instant.now());

        assertThat(reconciler.reconcile(Instant.now())).isGreaterThanOrEqualTo(1);
        assertThat(reconciler.reconcile(Instant.now())).as("once").isZero();

        JsonNode ended = tenant.api().get("/v1/calls/" + lost).json();
        assertThat(ended.get("status").asString()).isEqualTo("failed");
        assertThat(ended.get("finalReason").asString()).isEqualTo("failed: " + SandboxReconciler.REASON);
        assertThat(tenant.api().get("/v1/calls/" + live).json().get("status").asString()).isEqualTo("dialing");
    }

    /** A call dialled through the sandbox at {@code dialedAt}, whose callee no instance simulates. */
    private String placed(TestTenant tenant, String persona, Instant dialedAt) {
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+14155550100",
                "retry", Map.of("maxAttempts", 1))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String call = created.json().get("id").asString();
        dialByHand(call, "sandbox", "SB-lost-" + call, dialedAt);
        return call;
    }
}
