package io.parley.platform.personas;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Child-safety mode, Santa's default: never recorded, and transcripts that lose their words after a short retention. */
class ChildSafetyIntegrationTests extends IntegrationTest {

    @Autowired
    private ChildSafety childSafety;

    @Test
    void santaTalksWithChildrenAndIsNeverRecorded() {
        TestTenant tenant = newTenant();
        JsonNode santa = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa"))).json();
        assertThat(santa.get("childSafety").asBoolean()).isTrue();
        assertThat(tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach"))).json().get("childSafety").asBoolean()).isFalse();

        ApiClient.Response recorded = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa", "recording", true)));
        assertThat(recorded.status()).isEqualTo(422);
        assertThat(recorded.json().get("errors").get(0).get("field").asString()).isEqualTo("recording");
        String id = santa.get("id").asString();
        assertThat(tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("recording", true))).status()).isEqualTo(422);
        assertThat(tenant.api().get("/v1/personas/" + id).json().get("recording").asBoolean()).isFalse();

        ApiClient.Response call = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", id, "to", "+442071838750", "record", true,
                "variables", Map.of("child_name", "Ella"))));
        assertThat(call.status()).isEqualTo(422);
        assertThat(call.json().get("errors").get(0).get("field").asString()).isEqualTo("record");

        // a tenant that records its Santa on purpose turns the mode off first
        assertThat(tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("childSafety", false, "recording", true))).status())
                .isEqualTo(200);
    }

    @Test
    void aChildsTranscriptLosesItsWordsAfterTheRetentionAndOthersKeepTheirs() throws Exception {
        TestTenant tenant = newTenant();
        String santa = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa"))).json().get("id").asString();
        String coach = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach"))).json().get("id").asString();
        String child = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", santa, "to", "+442071838750",
                "variables", Map.of("child_name", "Ella")))).json().get("id").asString();
        String adult = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", coach, "to", "+442071838750"))).json().get("id").asString();
        Instant now = Instant.now();
        Instant old = now.minus(Duration.ofDays(3));
        turn(tenant, child, "I wish for a puppy", old);
        turn(tenant, child, "And a bicycle", now);
        turn(tenant, adult, "My goal is to run 5k", old);

        assertThat(childSafety.expireTranscripts(now)).isEqualTo(1);
        assertThat(childSafety.expireTranscripts(now)).as("once").isZero();

        assertThat(texts(tenant, child)).containsExactly("", "And a bicycle");
        assertThat(texts(tenant, adult)).containsExactly("My goal is to run 5k");
        JsonNode removed = tenant.api().get("/v1/calls/" + child + "/events?type=call.turn").json().get("data").get(0).get("data");
        assertThat(removed.get("removed").asBoolean()).isTrue();
        assertThat(removed.get("speaker").asString()).as("who spoke stays").isEqualTo("caller");
    }

    private static void turn(TestTenant tenant, String call, String text, Instant at) throws Exception {
        try (Connection db = TestServices.ownerConnection(); PreparedStatement insert = db.prepareStatement("""
                insert into call_events (id, tenant_id, call_id, type, from_status, to_status, actor, reason, occurred_at, data)
                values (?, ?, ?, 'call.turn', null, null, 'runtime', null, ?, ?::jsonb)""")) {
            insert.setObject(1, Ids.next());
            insert.setObject(2, tenant.id());
            insert.setObject(3, UUID.fromString(call));
            insert.setTimestamp(4, Timestamp.from(at));
            insert.setString(5, ApiClient.json(Map.of("speaker", "caller", "text", text)));
            insert.executeUpdate();
        }
    }

    private static List<String> texts(TestTenant tenant, String call) {
        List<String> texts = new ArrayList<>();
        tenant.api().get("/v1/calls/" + call + "/events?type=call.turn").json().get("data").forEach(e -> texts.add(e.get("data").get("text").asString()));
        return texts;
    }
}
