package io.parley.runtime.call;

import static io.parley.runtime.call.ConversationIntegrationTests.awaitTrue;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.LoopbackServer;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.media.twilio.TwilioEmulator;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallTokens;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole call on a real runtime instance (real Redis, Twilio emulator on the socket) whose model calls
 * {@code schedule_callback}: the runtime offers the tool, calls a loopback platform-api through java-sdk
 * with the call's credential, and the platform's answer reaches the model, which then tells the caller.
 */
class PlatformToolCallIntegrationTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String CALLEE = "+442071838750";
    static final String CREDENTIAL = "cc_test_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYWxsLWJhY2sifQ.c2ln";
    static final UUID CALL_BACK = UUID.randomUUID();

    static LoopbackServer platform;
    static ConfigurableApplicationContext runtime;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        platform = LoopbackServer.start();
        platform.onRequest(exchange -> {
            JsonNode body = exchange.request().json();
            exchange.respond(201, "application/json", JSON.writeValueAsString(Map.of(
                    "id", CALL_BACK.toString(), "personaId", body.get("personaId").asString(), "to", body.get("to").asString(),
                    "status", "scheduled", "mode", "test", "scheduledAt", body.get("scheduledAt").asString(),
                    "variables", Map.of(), "createdAt", OffsetDateTime.now().toString(), "updatedAt", OffsetDateTime.now().toString())),
                    Map.of());
        });
        runtime = new SpringApplicationBuilder(VoiceRuntimeApplication.class, ConversationIntegrationTests.FakeProviders.class)
                .run("--server.port=0", "--parley.runtime.call-token-secret=" + ConversationIntegrationTests.SECRET, "--spring.jmx.enabled=false",
                        "--parley.runtime.offline-speech.enabled=false", "--parley.runtime.platform-api.url=" + platform.uri(""));
        port = ((WebServerApplicationContext) runtime).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        runtime.close();
        platform.close();
    }

    @Test
    void theModelSchedulesACallBackThroughThePlatformAndHearsTheResult() throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        CallBootstrap.Persona santa = ConversationIntegrationTests.santa(callId, tenantId).persona();
        CallBootstrap.Persona receptionist = new CallBootstrap.Persona(UUID.randomUUID(), "Receptionist", "receptionist",
                "You take calls for a dentist.", "Hello, how can I help?", "en-GB", santa.voice(), santa.stt(),
                new CallBootstrap.Provider("fake-llm", "fake-model", Map.of()), santa.limits(), List.of(), List.of("schedule_callback"));
        runtime.getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test", receptionist,
                Map.of("patient", "Ella"), CALLEE, "Europe/London", CREDENTIAL));
        FakeLanguageModel model = runtime.getBean(FakeLanguageModel.class);
        FakeSpeech.ToneVoice mouth = runtime.getBean(FakeSpeech.ToneVoice.class);

        try (TwilioEmulator twilio = new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH))) {
            twilio.echoMarks = true;
            twilio.connected();
            twilio.start(runtime.getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5)));
            twilio.until("mark", 5_000);
            awaitTrue(() -> "LISTENING".equals(state(callId)));
            runtime.getBean(FakeSpeech.Recogniser.class).last().say("could you call me back tomorrow at six");
            awaitTrue(() -> mouth.spoken.contains("All set, I will call you then."));
        }

        // the platform was asked, as the call, for a call to the same callee with the same persona
        LoopbackServer.RecordedRequest request = platform.takeRequest();
        assertThat(request.method() + " " + request.path()).isEqualTo("POST /v1/calls");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + CREDENTIAL);
        assertThat(request.header("Idempotency-Key")).startsWith("tool:" + callId + ":");
        JsonNode body = request.json();
        assertThat(body.get("to").asString()).as("not the number the model made up").isEqualTo(CALLEE);
        assertThat(body.get("personaId").asString()).isEqualTo(receptionist.id().toString());
        assertThat(body.get("variables").get("patient").asString()).isEqualTo("Ella");
        LocalDate tomorrow = LocalDate.now(ZoneId.of("Europe/London")).plusDays(1);
        assertThat(OffsetDateTime.parse(body.get("scheduledAt").asString()).atZoneSameInstant(ZoneId.of("Europe/London")).toLocalDateTime())
                .isEqualTo(tomorrow.atTime(18, 0));

        // the model was offered the tool, and its result came back to it
        assertThat(model.requests.getFirst().tools()).extracting(LanguageModel.Tool::name).containsExactly("end_call", "schedule_callback");
        LanguageModel.Message result = model.requests.getLast().messages().getLast();
        assertThat(result.role()).isEqualTo("tool");
        assertThat(result.toolCallId()).isEqualTo("call-2");
        assertThat(result.toolName()).isEqualTo("schedule_callback");
        JsonNode answered = JSON.readTree(result.content());
        assertThat(answered.get("status").asString()).isEqualTo("scheduled");
        assertThat(answered.get("callId").asString()).isEqualTo(CALL_BACK.toString());
        assertThat(answered.get("localTime").asString()).endsWith("18:00 (Europe/London)");

        // and the event stream records the tool call with its arguments and result
        Map<Object, Object> event = events(callId).stream().filter(e -> "call.tool_called".equals(e.get("type"))).findFirst().orElseThrow();
        JsonNode data = JSON.readTree(event.get("data").toString());
        assertThat(data.get("name").asString()).isEqualTo("schedule_callback");
        assertThat(data.get("toolCallId").asString()).isEqualTo("call-2");
        assertThat(data.get("arguments").asString()).contains(tomorrow + "T18:00");
        assertThat(JSON.readTree(data.get("result").asString()).get("callId").asString()).isEqualTo(CALL_BACK.toString());
    }

    static String state(UUID callId) {
        Object conversation = runtime.getBean(StringRedisTemplate.class).opsForHash().get("call:" + callId, "conversation");
        return conversation == null ? null : JSON.readTree(conversation.toString()).get("state").asString();
    }

    static List<Map<Object, Object>> events(UUID callId) {
        List<MapRecord<String, Object, Object>> all = runtime.getBean(StringRedisTemplate.class).opsForStream()
                .range(CallEvents.STREAM, Range.unbounded());
        return all.stream().map(MapRecord::getValue).filter(v -> callId.toString().equals(v.get("callId"))).toList();
    }
}
