package io.parley.platform.calls.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.platform.calls.CallProgress;
import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.telephony.SandboxTelephony;
import io.parley.platform.telephony.Telephony;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A dialled call is handed to the voice runtime: its bootstrap in Redis (format v1) and a call token with the dial. */
class RuntimeHandoffIntegrationTests extends IntegrationTest {

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private CallProgress progress;
    @Autowired
    private RedisBuckets buckets;
    @Autowired
    private RuntimeHandoff handoff;
    @Autowired
    private StringRedisTemplate redis;

    private final BlockingQueue<Telephony.Dial> dials = new LinkedBlockingQueue<>();
    private SandboxTelephony sandbox;
    private CallDispatcher dispatcher;

    @BeforeEach
    void dispatcher() {
        sandbox = new SandboxTelephony(redis, "parley:sandbox:test:" + UUID.randomUUID() + ":", progress,
                Duration.ofSeconds(5), Duration.ofSeconds(5), Clock.systemUTC());
        Telephony recording = new Telephony() {
            @Override
            public String carrier() {
                return sandbox.carrier();
            }

            @Override
            public Placed dial(Dial dial) throws Refused {
                dials.add(dial);
                return sandbox.dial(dial);
            }

            @Override
            public Optional<Placed> find(UUID attemptId, String to, Instant requestedAt) {
                return sandbox.find(attemptId, to, requestedAt);
            }

            @Override
            public void hangUp(String providerCallId) {
                sandbox.hangUp(providerCallId);
            }
        };
        ParleyProperties.Dispatch settings = new ParleyProperties.Dispatch(true, "handoff-" + UUID.randomUUID(), Duration.ofMillis(50),
                100, 16, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(1), 1000,
                Duration.ofSeconds(1), 1000);
        dispatcher = new CallDispatcher(settings, settings.name(), "+14155550199", CallingWindow.OFF, ledger, recording, handoff, buckets,
                Clock.systemUTC(), new SimpleMeterRegistry());
        dispatcher.start();
    }

    @AfterEach
    void stop() {
        dispatcher.stop();
        sandbox.close();
    }

    @Test
    void theRuntimeFindsTheCallsBootstrapAndTheCarrierGetsItsToken() throws Exception {
        TestTenant tenant = newTenant();
        JsonNode persona = createPersona(tenant, "Santa");
        String callId = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona.get("id").asString(),
                "to", SandboxTelephony.Callee.ANSWERS.number, "timeZone", "America/Los_Angeles",
                "variables", Map.of("child_name", "Ella")))).json().get("id").asString();

        // other tests' due calls may be dialled too: this dispatcher serves every tenant
        Telephony.Dial dial = null;
        Instant deadline = Instant.now().plusSeconds(10);
        while (dial == null || !dial.callId().toString().equals(callId)) {
            assertThat(Instant.now()).as("dialled within 10 s").isBefore(deadline);
            dial = dials.poll(1, TimeUnit.SECONDS);
        }

        SignedJWT token = SignedJWT.parse(dial.streamToken());
        assertThat(token.getHeader().getAlgorithm().getName()).isEqualTo("HS256");
        assertThat(token.verify(new MACVerifier(TestServices.CALL_TOKEN_SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
        assertThat(token.getJWTClaimsSet().getSubject()).isEqualTo(callId);
        assertThat(token.getJWTClaimsSet().getStringClaim("tid")).isEqualTo(tenant.id().toString());
        assertThat(token.getJWTClaimsSet().getExpirationTime().toInstant()).isAfter(Instant.now().plus(Duration.ofMinutes(10)));

        String key = "call:" + callId;
        JsonNode bootstrap = JsonMapper.builder().build().readTree((String) redis.opsForHash().get(key, "bootstrap"));
        assertThat(redis.getExpire(key, TimeUnit.SECONDS)).isBetween(1L, 2 * 3600L);
        assertThat(bootstrap.get("v").asInt()).isEqualTo(1);
        assertThat(bootstrap.get("callId").asString()).isEqualTo(callId);
        assertThat(bootstrap.get("tenantId").asString()).isEqualTo(tenant.id().toString());
        assertThat(bootstrap.get("mode").asString()).isEqualTo("test");
        assertThat(bootstrap.get("to").asString()).isEqualTo(SandboxTelephony.Callee.ANSWERS.number);
        assertThat(bootstrap.get("timeZone").asString()).isEqualTo("America/Los_Angeles");
        assertThat(bootstrap.get("variables").get("child_name").asString()).isEqualTo("Ella");
        JsonNode p = bootstrap.get("persona");
        assertThat(p.get("id").asString()).isEqualTo(persona.get("id").asString());
        assertThat(p.get("kind").asString()).isEqualTo("santa");
        assertThat(p.get("systemPrompt").asString()).isEqualTo("You are Santa Claus.");
        assertThat(p.get("firstMessage").asString()).as("the AI disclosure comes first")
                .startsWith("This call uses an AI voice.").endsWith("Ho ho ho!");
        assertThat(p.get("limits").get("optOutDigit").asString()).isEqualTo("9");
        assertThat(p.get("limits").get("maxCallSeconds").asInt()).isEqualTo(600);
        assertThat(p.get("stt").get("provider").asString()).isEqualTo("offline");
        assertThat(p.get("script")).as("a persona without a flow: a free conversation").isEmpty();

        // the credential is the call's own: it reads its call, and reaches nothing else of the tenant's
        ApiClient runtime = as(bootstrap.get("credential").asString());
        assertThat(runtime.get("/v1/calls/" + callId).status()).isEqualTo(200);
        assertThat(runtime.get("/v1/do-not-call").status()).isEqualTo(403);
    }
}
