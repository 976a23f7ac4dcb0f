package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.llm.sse.LoopbackServer;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.media.twilio.TwilioEmulator;
import io.parley.runtime.moderation.openai.OpenAiModerationFixtures;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallTokens;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A runtime configured with OpenAI moderation ({@code parley.moderation.provider=openai}) against a loopback server
 * answering as OpenAI does: every sentence is judged before it is spoken, a flagged one is replaced by the persona's
 * safe line in speech and transcript, and a provider that fails lets adults hear the sentence but not children.
 */
class ModerationIntegrationTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** What the fake model says to anything the caller says first. */
    static final String MODEL_LINE = "Hello again.";
    static final String FRIEND_SAFE_LINE = "Sorry, I can't help with that. Let's get back to our conversation.";

    static LoopbackServer openAi;
    static volatile boolean failing;
    static ConfigurableApplicationContext context;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        openAi = LoopbackServer.start();
        openAi.onRequest(exchange -> {
            if (failing) {
                exchange.respond(500, "application/json", "{\"error\": {\"message\": \"The server had an error\", \"type\": \"server_error\"}}", Map.of());
                return;
            }
            boolean flagged = exchange.request().json().get("input").asString().contains(MODEL_LINE);
            exchange.respond(200, "application/json", flagged ? OpenAiModerationFixtures.FLAGGED : OpenAiModerationFixtures.CLEAN, Map.of());
        });
        context = new SpringApplicationBuilder(VoiceRuntimeApplication.class, ConversationIntegrationTests.FakeProviders.class)
                .run("--server.port=0", "--parley.runtime.call-token-secret=" + ConversationIntegrationTests.SECRET, "--spring.jmx.enabled=false",
                        "--parley.runtime.offline-speech.enabled=false", "--parley.moderation.provider=openai",
                        "--parley.moderation.openai.base-url=" + openAi.uri(""), "--parley.moderation.openai.api-key=sk-test-moderation");
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        context.close();
        openAi.close();
    }

    @Test
    void aSentenceTheProviderFlagsIsNotSaidTheSafeLineIsAndTheCallIsReported() throws Exception {
        failing = false;
        mouth().spoken.clear();
        UUID callId = call("companion");

        converse(callId, FRIEND_SAFE_LINE);

        assertThat(mouth().spoken).contains("Hi, how are you?", FRIEND_SAFE_LINE).doesNotContain(MODEL_LINE);
        List<Map<Object, Object>> events = events(callId);
        Map<Object, Object> guarded = events.stream().filter(e -> "call.guarded".equals(e.get("type"))).findFirst().orElseThrow();
        JsonNode data = JSON.readTree(guarded.get("data").toString());
        assertThat(data.get("by").asString()).isEqualTo("openai");
        assertThat(data.get("categories").toString()).contains("harassment", "violence");
        assertThat(botTurns(events)).contains(FRIEND_SAFE_LINE).noneMatch(text -> text.contains(MODEL_LINE));
    }

    @Test
    void whenTheProviderFailsAnAdultHearsTheSentenceButAChildHearsTheSafeLine() throws Exception {
        failing = true;
        try {
            UUID adult = call("companion");
            converse(adult, MODEL_LINE);
            assertThat(botTurns(events(adult))).anyMatch(text -> text.contains(MODEL_LINE));

            UUID child = call("santa");
            converse(child, "Ho ho ho! Let's talk about Christmas instead.");
            assertThat(botTurns(events(child))).noneMatch(text -> text.contains(MODEL_LINE));
        } finally {
            failing = false;
        }
    }

    /** A persona of {@code kind} on the fake model, its bootstrap in Redis. */
    static UUID call(String kind) {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        CallBootstrap.Persona persona = new CallBootstrap.Persona(UUID.randomUUID(), "Friend", kind, "You are kind.", "Hi, how are you?", "en-US",
                new CallBootstrap.Provider("offline", "kevin16", Map.of()), new CallBootstrap.Provider("offline", null, Map.of()),
                new CallBootstrap.Provider("fake-llm", "fake-model", Map.of()),
                new CallBootstrap.Limits(300, 30, "Time is nearly up.", "Goodbye!", 30, "Are you still there?", "9"), List.of());
        context.getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test", persona, Map.of()));
        return callId;
    }

    /** Answers the call, says a line, and waits until the persona has finished saying {@code expected} in reply. */
    static void converse(UUID callId, String expected) throws Exception {
        UUID tenantId = context.getBean(CallSessionStore.class).bootstrap(callId).orElseThrow().tenantId();
        TwilioEmulator twilio = new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH));
        twilio.echoMarks = true;
        try (twilio) {
            twilio.connected();
            twilio.start(context.getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5)));
            twilio.until("mark", 5_000);
            awaitTrue(() -> {
                Object conversation = redis().opsForHash().get("call:" + callId, "conversation");
                return conversation != null && JSON.readTree(conversation.toString()).get("state").asString().equals("LISTENING");
            });
            context.getBean(FakeSpeech.Recogniser.class).last().say("hi there");
            awaitTrue(() -> botTurns(events(callId)).stream().anyMatch(text -> text.contains(expected)));
        }
    }

    static FakeSpeech.ToneVoice mouth() {
        return context.getBean(FakeSpeech.ToneVoice.class);
    }

    static List<String> botTurns(List<Map<Object, Object>> events) {
        return events.stream().filter(e -> "call.turn".equals(e.get("type"))).map(e -> JSON.readTree(e.get("data").toString()))
                .filter(d -> "bot".equals(d.get("speaker").asString())).map(d -> d.get("text").asString()).toList();
    }

    static StringRedisTemplate redis() {
        return context.getBean(StringRedisTemplate.class);
    }

    static List<Map<Object, Object>> events(UUID callId) {
        return ConversationIntegrationTests.events(redis(), callId);
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        ConversationIntegrationTests.awaitTrue(condition);
    }
}
