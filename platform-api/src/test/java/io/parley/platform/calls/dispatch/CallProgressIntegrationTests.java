package io.parley.platform.calls.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.platform.calls.CallProgress;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.telephony.CarrierEvents;
import io.parley.platform.telephony.SandboxTelephony;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * What the carrier reports moves attempts and calls: the sandbox's test numbers end to end through a
 * real dispatcher, reports that come twice or out of order, and the retry policy per outcome.
 */
class CallProgressIntegrationTests extends IntegrationTest {

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private CallProgress progress;
    @Autowired
    private RedisBuckets buckets;
    @Autowired
    private io.parley.platform.calls.runtime.RuntimeHandoff handoff;
    @Autowired
    private StringRedisTemplate redis;

    private SandboxTelephony carrier;
    private CallDispatcher dispatcher;
    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void sandboxAndDispatcher() {
        carrier = new SandboxTelephony(redis, "parley:sandbox:test:" + UUID.randomUUID() + ":", progress,
                Duration.ofMillis(150), Duration.ofMillis(300), Clock.systemUTC());
        ParleyProperties.Dispatch settings = new ParleyProperties.Dispatch(true, "progress-" + UUID.randomUUID(), Duration.ofMillis(50),
                100, 16, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(1), 1000,
                Duration.ofSeconds(1), 1000);
        dispatcher = new CallDispatcher(settings, settings.name(), "+14155550199", io.parley.platform.calls.CallingWindow.OFF, ledger, carrier, handoff, buckets, Clock.systemUTC(),
                new SimpleMeterRegistry());
        dispatcher.start();
        tenant = newTenant();
        persona = createPersona(tenant, "Santa").get("id").asString();
    }

    @AfterEach
    void stop() {
        dispatcher.stop();
        carrier.close();
    }

    @Test
    void theAnsweringNumberRingsTalksAndCompletes() throws Exception {
        String id = call(SandboxTelephony.Callee.ANSWERS.number, null);

        JsonNode done = awaitStatus(id, "completed");

        assertThat(types(id)).containsExactly("call.created", "call.dialing", "call.ringing", "call.in_progress", "call.completed");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(done.get("finalReason").asString()).isEqualTo("completed");
    }

    @Test
    void eachTestNumberEndsAsItsTableSays() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put(SandboxTelephony.Callee.BUSY.number, "busy");
        expected.put(SandboxTelephony.Callee.NO_ANSWER.number, "no_answer");
        expected.put(SandboxTelephony.Callee.VOICEMAIL.number, "voicemail");
        expected.put(SandboxTelephony.Callee.FAILS.number, "failed");
        expected.put(SandboxTelephony.Callee.REFUSED.number, "failed");
        Map<String, String> ids = new LinkedHashMap<>();
        for (String number : expected.keySet()) {
            ids.put(number, call(number, Map.of("maxAttempts", 1)));
        }
        JsonNode partial = tenant.api().get("/v1/calls/" + ids.get(SandboxTelephony.Callee.BUSY.number)).json().get("retry");
        assertThat(partial.get("maxAttempts").asInt()).isEqualTo(1);
        assertThat(partial.get("outcomes").toString()).as("fields left out take their defaults").isEqualTo("[\"busy\",\"no_answer\",\"failed\"]");
        assertThat(partial.get("backoffSeconds").asInt()).isEqualTo(300);
        for (var e : expected.entrySet()) {
            JsonNode done = awaitStatus(ids.get(e.getKey()), e.getValue());
            assertThat(done.get("finalReason").asString()).as(e.getKey()).startsWith(e.getValue());
        }
        assertThat(types(ids.get(SandboxTelephony.Callee.VOICEMAIL.number)))
                .containsExactly("call.created", "call.dialing", "call.ringing", "call.in_progress", "call.voicemail");
        assertThat(types(ids.get(SandboxTelephony.Callee.BUSY.number))).containsExactly("call.created", "call.dialing", "call.busy");
    }

    @Test
    void aRetriedOutcomeSchedulesTheNextAttemptAfterTheBackoffUntilAttemptsRunOut() throws Exception {
        String id = call(SandboxTelephony.Callee.BUSY.number, Map.of("outcomes", List.of("busy"), "maxAttempts", 2, "backoffSeconds", 60));

        JsonNode waiting = awaitEvent(id, "call.retry_scheduled");
        assertThat(waiting.get("status").asString()).isEqualTo("scheduled");
        assertThat(waiting.get("attempts").asInt()).isEqualTo(1);
        Instant next = Instant.parse(waiting.get("scheduledAt").asString());
        assertThat(next).isBetween(Instant.now().plusSeconds(40), Instant.now().plusSeconds(73));   // 60 s ± 20 %

        // bring the second attempt forward instead of waiting a minute
        ApiClient.Response moved = tenant.api().post("/v1/calls/" + id + "/reschedule", ApiClient.json(Map.of("scheduledAt", Instant.now().toString())));
        assertThat(moved.status()).as(moved.body()).isEqualTo(200);

        JsonNode done = awaitStatus(id, "busy");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(types(id)).containsExactly("call.created", "call.dialing", "call.retry_scheduled", "call.rescheduled",
                "call.dialing", "call.busy");
    }

    @Test
    void anOutcomeThePolicyDoesNotNameEndsTheCall() throws Exception {
        String id = call(SandboxTelephony.Callee.BUSY.number, Map.of("outcomes", List.of("no_answer"), "maxAttempts", 3));
        JsonNode done = awaitStatus(id, "busy");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(done.get("retry").get("outcomes").toString()).isEqualTo("[\"no_answer\"]");
    }

    @Test
    void reportsThatComeTwiceOrOutOfOrderAreAppliedOnceAndInOrder() throws Exception {
        dispatcher.stop();   // this call is driven by hand
        String id = call("+14155550177", null);
        DispatchLedger.Claim claim = ledger.claim("by-hand", 10_000, Duration.ofSeconds(30), Instant.now().plusSeconds(1)).stream()
                .filter(c -> c.callId().toString().equals(id)).findFirst().orElseThrow();
        DispatchLedger.Begun begun = ledger.begin(claim, "by-hand", "hand", "+14155550199", 10, Duration.ofSeconds(1), io.parley.platform.calls.CallingWindow.OFF, Instant.now()).begun();
        String sid = "HAND" + UUID.randomUUID();
        assertThat(ledger.placed(begun.tenant(), begun.attemptId(), sid, Instant.now())).isTrue();

        assertThat(report(sid, "ringing")).isEqualTo(CallProgress.Applied.APPLIED);
        assertThat(report(sid, "ringing")).isEqualTo(CallProgress.Applied.STALE);
        assertThat(report(sid, "completed")).isEqualTo(CallProgress.Applied.APPLIED);   // in_progress never came: implied
        assertThat(report(sid, "in_progress")).isEqualTo(CallProgress.Applied.STALE);
        assertThat(report(sid, "ringing")).isEqualTo(CallProgress.Applied.STALE);
        assertThat(report(sid, "completed")).isEqualTo(CallProgress.Applied.STALE);
        assertThat(report(sid, "failed")).isEqualTo(CallProgress.Applied.STALE);
        assertThat(report("HAND-unknown", "ringing")).isEqualTo(CallProgress.Applied.UNKNOWN_CALL);

        assertThat(tenant.api().get("/v1/calls/" + id).json().get("status").asString()).isEqualTo("completed");
        assertThat(types(id)).containsExactly("call.created", "call.dialing", "call.ringing", "call.in_progress", "call.completed");
    }

    @Test
    void aBadRetryPolicyIsRefusedWithAProblemAndWritesNothing() {
        dispatcher.stop();
        String before = tenant.api().get("/v1/calls").body();
        for (Map<String, Object> retry : List.<Map<String, Object>>of(
                Map.of("maxAttempts", 0), Map.of("maxAttempts", 11), Map.of("backoffSeconds", 5),
                Map.of("outcomes", List.of("sometimes")), Map.of("outcomes", "busy"))) {
            Map<String, Object> body = new LinkedHashMap<>(Map.of("personaId", persona, "to", "+14155550100", "retry", retry));
            ApiClient.Response refused = tenant.api().post("/v1/calls", ApiClient.json(body));
            assertThat(refused.status()).as("%s: %s", retry, refused.body()).isIn(400, 422);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body()).contains("retry");
        }
        assertThat(tenant.api().get("/v1/calls").body()).isEqualTo(before);
    }

    // --- helpers --------------------------------------------------------------------------------

    private CallProgress.Applied report(String sid, String status) {
        return progress.apply(new CarrierEvents.Report("hand", sid, status, Instant.now(), null, null));
    }

    private String call(String to, Map<String, Object> retry) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("personaId", persona, "to", to));
        if (retry != null) {
            body.put("retry", retry);
        }
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(body));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private List<String> types(String id) {
        List<String> types = new ArrayList<>();
        tenant.api().get("/v1/calls/" + id + "/events").json().get("data").forEach(e -> types.add(e.get("type").asString()));
        return types;
    }

    private JsonNode awaitStatus(String id, String status) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(20);
        JsonNode read = null;
        while (Instant.now().isBefore(until)) {
            read = tenant.api().get("/v1/calls/" + id).json();
            if (status.equals(read.get("status").asString())) {
                return read;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("call " + id + " did not become " + status + ": " + read + " " + types(id));
    }

    private JsonNode awaitEvent(String id, String type) throws InterruptedException {
        Instant until = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(until)) {
            if (types(id).contains(type)) {
                return tenant.api().get("/v1/calls/" + id).json();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("call " + id + " has no " + type + ": " + types(id));
    }
}
