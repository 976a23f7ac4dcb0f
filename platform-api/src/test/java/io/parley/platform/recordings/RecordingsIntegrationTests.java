package io.parley.platform.recordings;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.telephony.CallRecorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Recordings: who records (the call, else its persona), the disclosure, encryption at rest under the tenant's own
 * key, the download only its tenant gets, deletion on request and after the tenant's retention.
 */
class RecordingsIntegrationTests extends IntegrationTest {

    @Autowired
    private Recordings recordings;
    @Autowired
    private RuntimeHandoff handoff;
    @Autowired
    private StringRedisTemplate redis;

    private TestTenant tenant;
    private String recordingPersona;
    private String plainPersona;

    @BeforeEach
    void personas() {
        tenant = newTenant();
        recordingPersona = persona(true);
        plainPersona = persona(false);
    }

    private String persona(boolean recording) {
        ApiClient.Response created = tenant.api().post("/v1/personas", ApiClient.json(Map.of("name", "Coach", "kind", "companion",
                "systemPrompt", "You are a coach.", "firstMessage", "Hi, it's your coach.", "recording", recording)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("recording").asBoolean()).isEqualTo(recording);
        return created.json().get("id").asString();
    }

    private String call(String persona, Boolean record) {
        Map<String, Object> body = new HashMap<>(Map.of("personaId", persona, "to", "+442071838750"));
        if (record != null) body.put("record", record);
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(body));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    /** Dials the call by hand; the carrier knows it as HAND-{callId}. */
    private DispatchLedger.Begun dial(String callId) {
        return dialByHand(callId, "hand", "HAND-" + callId, Instant.now());
    }

    private static byte[] wav() {
        CallRecorder recorder = new CallRecorder(Duration.ofMinutes(1));
        byte[] tone = new byte[8_000];
        for (int i = 0; i < tone.length; i++) tone[i] = (byte) (i % 2 == 0 ? 0x90 : 0x10);
        recorder.add(0, tone);
        return recorder.wav();
    }

    private HttpResponse<byte[]> download(String token, String callId) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl() + "/v1/calls/" + callId + "/recording"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aCallRecordsWhenItSaysSoElseAsItsPersonaDoes() {
        assertThat(tenant.api().get("/v1/calls/" + call(recordingPersona, null)).json().get("record").asBoolean()).isTrue();
        assertThat(tenant.api().get("/v1/calls/" + call(recordingPersona, false)).json().get("record").asBoolean()).isFalse();
        assertThat(tenant.api().get("/v1/calls/" + call(plainPersona, null)).json().get("record").asBoolean()).isFalse();
        assertThat(tenant.api().get("/v1/calls/" + call(plainPersona, true)).json().get("record").asBoolean()).isTrue();
    }

    @Test
    void aRecordedCallOpensWithTheRecordingDisclosure() {
        DispatchLedger.Begun recorded = dial(call(recordingPersona, null));
        DispatchLedger.Begun plain = dial(call(plainPersona, null));
        handoff.prepare(recorded);
        handoff.prepare(plain);
        assertThat((String) redis.opsForHash().get("call:" + recorded.callId(), "bootstrap"))
                .contains("This call uses an AI voice.").contains("This call is recorded. Hi, it's your coach.");
        assertThat((String) redis.opsForHash().get("call:" + plain.callId(), "bootstrap")).doesNotContain("This call is recorded.");
    }

    @Test
    void aRecordingIsKeptEncryptedAndOnlyItsTenantCanHearIt() throws Exception {
        // settings of the tenant's own that leave the retention to Parley
        assertThat(tenant.api().send("PUT", "/v1/settings", "{\"retry\":{\"maxAttempts\":2}}", "application/json").status()).isEqualTo(200);
        String callId = call(recordingPersona, null);
        dial(callId);
        byte[] wav = wav();

        assertThat(recordings.recorded("hand", "HAND-" + callId, wav, Duration.ofSeconds(1))).isTrue();
        assertThat(recordings.recorded("hand", "HAND-" + callId, wav, Duration.ofSeconds(1))).as("one per call").isFalse();

        Recordings.Recording kept = recordings.find(new io.parley.platform.tenancy.TenantId(tenant.id()), UUID.fromString(callId)).orElseThrow();
        assertThat(Duration.between(kept.createdAt(), kept.expiresAt())).isEqualTo(Duration.ofDays(Recordings.DEFAULT_RETENTION_DAYS));
        HttpResponse<byte[]> heard = download(tenant.apiKey(), callId);
        assertThat(heard.statusCode()).isEqualTo(200);
        assertThat(heard.headers().firstValue("Content-Type")).contains("audio/wav");
        assertThat(heard.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(heard.body()).isEqualTo(wav);
        assertThat(eventTypes(tenant, callId)).contains("recording.ready");

        // at rest: neither the audio nor the tenant's key is there in the clear
        try (var c = TestServices.ownerConnection(); var s = c.prepareStatement(
                "select r.sealed_audio, k.sealed_key from recordings r join tenant_data_keys k on k.tenant_id = r.tenant_id where r.call_id = ?")) {
            s.setObject(1, UUID.fromString(callId));
            try (var rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                byte[] sealed = rs.getBytes(1);
                assertThat(sealed.length).as("nonce + ciphertext + tag").isEqualTo(wav.length + 12 + 16);
                assertThat(indexOf(sealed, "RIFF".getBytes())).isEqualTo(-1);
                assertThat(indexOf(sealed, Arrays.copyOfRange(wav, 44, 76))).isEqualTo(-1);
                assertThat(rs.getBytes(2)).hasSize(32 + 12 + 16);
            }
        }

        TestTenant other = newTenant();
        assertThat(download(other.apiKey(), callId).statusCode()).isEqualTo(404);
        assertThat(other.api().delete("/v1/calls/" + callId + "/recording").status()).isEqualTo(404);
        assertThat(download(tenant.apiKey(), callId).statusCode()).as("still there").isEqualTo(200);
    }

    @Test
    void aCallThatDoesNotRecordKeepsNothing() throws Exception {
        String callId = call(plainPersona, null);
        dial(callId);
        assertThat(recordings.recorded("hand", "HAND-" + callId, wav(), Duration.ofSeconds(1))).isFalse();
        assertThat(recordings.recorded("hand", "HAND-unknown", wav(), Duration.ofSeconds(1))).isFalse();
        HttpResponse<byte[]> none = download(tenant.apiKey(), callId);
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.headers().firstValue("Content-Type")).contains("application/problem+json");
    }

    @Test
    void aRecordingIsDeletedOnRequestOrWhenItsTenantsRetentionEnds() throws Exception {
        ApiClient.Response settings = tenant.api().send("PUT", "/v1/settings", ApiClient.json(Map.of("recordingRetentionDays", 2)), "application/json");
        assertThat(settings.status()).as(settings.body()).isEqualTo(200);
        assertThat(settings.json().get("recordingRetentionDays").asInt()).isEqualTo(2);
        String kept = call(recordingPersona, null);
        dial(kept);
        String deleted = call(recordingPersona, null);
        dial(deleted);
        recordings.recorded("hand", "HAND-" + kept, wav(), Duration.ofSeconds(1));
        recordings.recorded("hand", "HAND-" + deleted, wav(), Duration.ofSeconds(1));

        assertThat(tenant.api().delete("/v1/calls/" + deleted + "/recording").status()).isEqualTo(204);
        assertThat(download(tenant.apiKey(), deleted).statusCode()).isEqualTo(404);
        assertThat(tenant.api().delete("/v1/calls/" + deleted + "/recording").status()).isEqualTo(404);

        Recordings.Recording recording = recordings.find(new io.parley.platform.tenancy.TenantId(tenant.id()), UUID.fromString(kept)).orElseThrow();
        assertThat(Duration.between(recording.createdAt(), recording.expiresAt())).isEqualTo(Duration.ofDays(2));
        recordings.deleteExpired(Instant.now().plus(Duration.ofDays(1)));
        assertThat(download(tenant.apiKey(), kept).statusCode()).as("not yet").isEqualTo(200);
        recordings.deleteExpired(Instant.now().plus(Duration.ofDays(2)).plusSeconds(60));
        assertThat(download(tenant.apiKey(), kept).statusCode()).isEqualTo(404);

        for (int bad : new int[] {0, 3651}) {
            ApiClient.Response refused = tenant.api().send("PUT", "/v1/settings", ApiClient.json(Map.of("recordingRetentionDays", bad)), "application/json");
            assertThat(refused.status()).as(refused.body()).isIn(400, 422);
        }
        JsonNode now = tenant.api().get("/v1/settings").json();
        assertThat(now.get("recordingRetentionDays").asInt()).isEqualTo(2);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
