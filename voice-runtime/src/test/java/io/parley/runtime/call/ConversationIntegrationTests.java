package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.media.twilio.TwilioEmulator;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallTokens;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whole calls through two real runtime instances (sharing the real Redis) with a Twilio emulator on
 * the socket: the scripted persona talks, barge-in clears, and a call dropped on one instance
 * resumes on the other without greeting again. Speech is faked at our own ports (FakeSpeech).
 */
class ConversationIntegrationTests {

    static final String SECRET = "test-secret-test-secret-test-secret-0123";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Configuration(proxyBeanMethods = false)
    static class FakeProviders {
        @Bean FakeSpeech.Recogniser recogniser() { return new FakeSpeech.Recogniser(); }
        @Bean FakeSpeech.ToneVoice toneVoice() { return new FakeSpeech.ToneVoice(); }
        @Bean FakeLanguageModel fakeLanguageModel() { return new FakeLanguageModel(); }
    }

    static Instance a;
    static Instance b;
    /** An instance that detects the caller's voice itself (parley.runtime.voice-activity=on-box). */
    static Instance onBox;

    record Instance(ConfigurableApplicationContext context, int port) {
        FakeSpeech.Recogniser ears() { return context.getBean(FakeSpeech.Recogniser.class); }
        FakeSpeech.ToneVoice mouth() { return context.getBean(FakeSpeech.ToneVoice.class); }
        TwilioEmulator connect() {
            TwilioEmulator twilio = new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH));
            twilio.echoMarks = true;
            return twilio;
        }
        void close() { context.close(); }
    }

    static Instance start(String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--parley.runtime.call-token-secret=" + SECRET,
                "--spring.jmx.enabled=false", "--parley.runtime.offline-speech.enabled=false"));
        args.addAll(List.of(more));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(VoiceRuntimeApplication.class, FakeProviders.class)
                .run(args.toArray(String[]::new));
        return new Instance(context, ((WebServerApplicationContext) context).getWebServer().getPort());
    }

    @BeforeAll
    static void instances() {
        a = start();
        b = start();
        onBox = start("--parley.runtime.voice-activity=on-box");
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        onBox.close();
    }

    static CallBootstrap santa(UUID callId, UUID tenantId) {
        return new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test",
                new CallBootstrap.Persona(UUID.randomUUID(), "Santa", "santa", "You are Santa.", "Ho ho ho! Hello {{child_name}}!", "en-US",
                        new CallBootstrap.Provider("offline", "kevin16", Map.of()), new CallBootstrap.Provider("offline", null, Map.of()),
                        new CallBootstrap.Provider("scripted", null, Map.of()),
                        new CallBootstrap.Limits(300, 30, "The reindeer are getting restless.", "Merry Christmas!", 30, "Are you still there?", "9"),
                        List.of(new CallBootstrap.ScriptStep("wish", "What would you like for Christmas?",
                                        List.of(new CallBootstrap.ScriptAnswer(List.of("bicycle", "puppy"), "{answer}! What a wonderful wish.", "goodbye"))),
                                new CallBootstrap.ScriptStep("goodbye", "Merry Christmas, {{child_name}}!", List.of()))),
                Map.of("child_name", "Ella"));
    }

    /** A call ready to dial: its bootstrap in Redis and its token. */
    record Dialled(UUID callId, UUID tenantId, String token) {}

    static Dialled dial() {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        a.context().getBean(CallSessionStore.class).saveBootstrap(santa(callId, tenantId));
        String token = a.context().getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5));
        return new Dialled(callId, tenantId, token);
    }

    @Test
    void aScriptedCallRunsFromGreetingToGoodbyeWithItsTranscriptInRedisAndItsEventsOnTheStream() throws Exception {
        Dialled call = dial();
        try (TwilioEmulator twilio = a.connect()) {
            twilio.connected();
            twilio.start(call.token());

            awaitTrue(() -> a.mouth().spoken.stream().anyMatch(s -> s.contains("Hello Ella")));
            List<TwilioEmulator.Received> greeting = twilio.until("mark", 5_000);
            assertThat(greeting).extracting(TwilioEmulator.Received::event).contains("media").last().isEqualTo("mark");

            FakeSpeech.Recogniser.Stream ears = a.ears().last();
            assertThat(ears.expectations.getLast()).contains("bicycle", "puppy");
            awaitListening(call);
            ears.say("I would like a red bicycle");

            assertThat(twilio.closed.get(15, TimeUnit.SECONDS)).isEqualTo(1000);
            // sentence by sentence, as the engine feeds speech
            assertThat(a.mouth().spoken).contains("A red bicycle!", "What a wonderful wish.", "Merry Christmas, Ella!");
        }

        List<Map<Object, Object>> events = events(call.callId());
        assertThat(events).extracting(e -> e.get("type")).startsWith("call.started").endsWith("call.ended");
        assertThat(events).allSatisfy(e -> assertThat(e.get("tenantId")).isEqualTo(call.tenantId().toString()));
        List<JsonNode> turns = events.stream().filter(e -> "call.turn".equals(e.get("type"))).map(e -> JSON.readTree(e.get("data").toString())).toList();
        assertThat(turns).extracting(t -> t.get("speaker").asString() + ": " + t.get("text").asString())
                .contains("caller: I would like a red bicycle")
                .anySatisfy(t -> assertThat(t).startsWith("bot: Ho ho ho! Hello Ella!"));
        assertThat(JSON.readTree(events.getLast().get("data").toString()).get("reason").asString()).isEqualTo("script_completed");

        JsonNode conversation = JSON.readTree(redis().opsForHash().get("call:" + call.callId(), "conversation").toString());
        assertThat(conversation.get("state").asString()).isEqualTo("ENDED");
        assertThat(conversation.get("history").toString()).contains("I would like a red bicycle");
    }

    @Test
    void talkingOverTheBotClearsPlaybackAndCancelsItsSpeech() throws Exception {
        Dialled call = dial();
        try (TwilioEmulator twilio = a.connect()) {
            twilio.connected();
            twilio.start(call.token());
            twilio.until("mark", 5_000); // the greeting, heard
            awaitListening(call);
            FakeSpeech.Recogniser.Stream ears = a.ears().last();
            ears.say("banana"); // not understood: a long reply follows
            // some of the reply heard first (a bot turn nobody heard is not reported): its first mark, echoed at once
            TwilioEmulator.Received mark;
            do {
                mark = twilio.next(5_000);
                assertThat(mark).isNotNull();
            } while (!(mark.event().equals("mark") && mark.json().get("mark").get("name").asString().startsWith("u2.")));
            Thread.sleep(50);

            ears.voice(true);
            Thread.sleep(400); // sustained voice over the bot: the bot yields at once, then barge-in
            List<TwilioEmulator.Received> untilClear = twilio.until("clear", 3_000);
            assertThat(untilClear).isNotEmpty();
            assertThat(untilClear.getLast().event()).isEqualTo("clear");
            // nothing of the interrupted reply follows the clear
            List<TwilioEmulator.Received> after = new ArrayList<>();
            TwilioEmulator.Received next;
            while ((next = twilio.next(500)) != null) after.add(next);
            assertThat(after).extracting(TwilioEmulator.Received::event).doesNotContain("media");
        }
        assertThat(a.context().getBean(io.micrometer.core.instrument.MeterRegistry.class).get("parley.runtime.barge_in").timer().count())
                .isPositive();
        List<JsonNode> turns = events(call.callId()).stream().filter(e -> "call.turn".equals(e.get("type")))
                .map(e -> JSON.readTree(e.get("data").toString())).toList();
        assertThat(turns).anySatisfy(t -> {
            assertThat(t.get("speaker").asString()).isEqualTo("bot");
            assertThat(t.get("interrupted").asBoolean()).isTrue();
        });
    }

    @Test
    void withOnBoxVoiceActivityTheCallersAudioItselfBargesInAndTheProvidersVoiceEventsAreIgnored() throws Exception {
        // provider mode: audio alone interrupts nothing, the recogniser (which reports no voice here) decides
        assertThat(talkOverTheBot(a, false)).extracting(TwilioEmulator.Received::event).doesNotContain("clear");
        // on-box: the provider's voice event is ignored, the caller's loud audio over the bot clears it
        assertThat(talkOverTheBot(onBox, true)).extracting(TwilioEmulator.Received::event).contains("clear");
        assertThat(onBox.context().getBean(io.micrometer.core.instrument.MeterRegistry.class).get("parley.runtime.barge_in").timer().count())
                .isPositive();
    }

    /**
     * Gets a long reply going, then (with {@code providerVoiceFirst}) has the recogniser report voice
     * for 400 ms, which must not interrupt an on-box instance, then sends 0.5 s of line silence and 0.6 s
     * of a loud tone as the caller's audio. Answers what the runtime sent meanwhile and in the next second.
     */
    static List<TwilioEmulator.Received> talkOverTheBot(Instance instance, boolean providerVoiceFirst) throws Exception {
        Dialled call = dial();
        try (TwilioEmulator twilio = instance.connect()) {
            twilio.connected();
            twilio.start(call.token());
            twilio.until("mark", 5_000);
            awaitListening(call);
            FakeSpeech.Recogniser.Stream ears = instance.ears().last();
            ears.say("banana"); // not understood: a long reply follows
            TwilioEmulator.Received mark;
            do {
                mark = twilio.next(5_000);
                assertThat(mark).isNotNull();
            } while (!(mark.event().equals("mark") && mark.json().get("mark").get("name").asString().startsWith("u2.")));
            List<TwilioEmulator.Received> sent = new ArrayList<>();
            if (providerVoiceFirst) {
                ears.voice(true);
                sent.addAll(twilio.until("clear", 400));
                assertThat(sent).as("the provider's voice event is ignored on-box").extracting(TwilioEmulator.Received::event)
                        .doesNotContain("clear");
                ears.voice(false);
            }
            byte[] quiet = new byte[160];
            java.util.Arrays.fill(quiet, io.parley.runtime.media.Mulaw.silence());
            for (int i = 0; i < 25; i++) {
                twilio.media(quiet);
                Thread.sleep(20);
            }
            short[] tone = new short[160];
            byte[] loud = new byte[160];
            for (int frame = 0; frame < 30; frame++) {
                for (int i = 0; i < tone.length; i++) {
                    tone[i] = (short) (0.3 * 32767 * Math.sin(2 * Math.PI * 400 * (frame * 160 + i) / 8000.0));
                }
                io.parley.runtime.media.Mulaw.encode(tone, 0, tone.length, loud, 0);
                twilio.media(loud);
                Thread.sleep(20);
            }
            sent.addAll(twilio.until("clear", 1_000));
            return sent;
        }
    }

    @Test
    void aCallDroppedOnOneInstanceResumesOnAnotherWithoutGreetingAgain() throws Exception {
        Dialled call = dial();
        TwilioEmulator first = a.connect();
        first.connected();
        first.start(call.token());
        first.until("mark", 5_000);
        awaitListening(call);
        first.abort(); // instance A's socket is gone: no stop, no close handshake

        int greetingsOnB = (int) b.mouth().spoken.stream().filter(s -> s.contains("Hello Ella")).count();
        try (TwilioEmulator second = b.connect()) {
            second.connected();
            second.start(call.token());
            awaitTrue(() -> b.ears().streams.size() > 0 && !b.ears().last().closed.get());
            awaitTrue(() -> b.ears().last().expectations.getLast().contains("puppy"));
            b.ears().last().say("a puppy please");
            assertThat(second.closed.get(15, TimeUnit.SECONDS)).isEqualTo(1000);
        }
        assertThat(b.mouth().spoken.stream().filter(s -> s.contains("Hello Ella")).count()).as("greeting again on B").isEqualTo(greetingsOnB);
        assertThat(b.mouth().spoken).anySatisfy(s -> assertThat(s).containsIgnoringCase("a puppy"));
        assertThat(b.mouth().spoken).contains("What a wonderful wish.", "Merry Christmas, Ella!");
        List<Map<Object, Object>> events = events(call.callId());
        assertThat(events.stream().filter(e -> "call.started".equals(e.get("type"))).count()).isEqualTo(1);
        assertThat(events.stream().filter(e -> "call.usage".equals(e.get("type"))).count()).as("one usage report per stream").isEqualTo(2);
        assertThat(events.getLast().get("type")).isEqualTo("call.ended");
    }

    @Test
    void aModelsToolCallIsPublishedAnsweredAndTheModelCarriesOn() throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        CallBootstrap santa = santa(callId, tenantId);
        CallBootstrap.Persona withModel = new CallBootstrap.Persona(santa.persona().id(), "Receptionist", "receptionist",
                "You book appointments.", "Hello, how can I help?", "en-US", santa.persona().voice(), santa.persona().stt(),
                new CallBootstrap.Provider("fake-llm", "fake-model", Map.of("temperature", 0.2)), santa.persona().limits(), List.of());
        a.context().getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test", withModel, Map.of()));
        FakeLanguageModel model = a.context().getBean(FakeLanguageModel.class);
        try (TwilioEmulator twilio = a.connect()) {
            answered(twilio, callId, tenantId);
            a.ears().last().say("can you book me in for ten");
            awaitTrue(() -> a.mouth().spoken.contains("Sorry, I cannot book that."));
        }
        Map<Object, Object> toolEvent = events(callId).stream().filter(e -> "call.tool_called".equals(e.get("type"))).findFirst().orElseThrow();
        JsonNode tool = JSON.readTree(toolEvent.get("data").toString());
        assertThat(tool.get("name").asString()).isEqualTo("book_appointment");
        assertThat(tool.get("arguments").asString()).isEqualTo("{\"time\":\"10:00\"}");
        assertThat(tool.get("result").asString()).contains("no such tool");
        // the model saw the system prompt first, the tool offered, and the tool's result before it apologised
        LanguageModel.Request followUp = model.requests.getLast();
        assertThat(followUp.messages().getFirst()).isEqualTo(new LanguageModel.Message("system", "You book appointments."));
        assertThat(followUp.messages().getLast().role()).isEqualTo("tool");
        assertThat(followUp.messages().getLast().toolCallId()).as("the result names the call it answers").isEqualTo("call-1");
        assertThat(followUp.messages()).anySatisfy(m -> {
            assertThat(m.isToolCall()).isTrue();
            assertThat(m.toolName()).isEqualTo("book_appointment");
            assertThat(m.toolArguments()).isEqualTo("{\"time\":\"10:00\"}");
        });
        assertThat(followUp.model()).isEqualTo("fake-model");
        assertThat(followUp.temperature()).isEqualTo(0.2);
        assertThat(followUp.tools()).extracting(LanguageModel.Tool::name).contains("end_call");
    }

    @Test
    void aPersonaWithAFlowAndAModelThisInstanceHasIsLedByTheModelWhichGetsTheFlowAsInstructions() throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        CallBootstrap santa = santa(callId, tenantId);
        List<CallBootstrap.ScriptStep> flow = List.of(
                new CallBootstrap.ScriptStep("confirm", "Am I speaking with {{child_name}}?", List.of(
                        new CallBootstrap.ScriptAnswer(List.of("yes"), "Hello, {{child_name}}!", "goodbye"),
                        new CallBootstrap.ScriptAnswer(List.of(), "Could you fetch {{child_name}}?", null))),
                new CallBootstrap.ScriptStep("goodbye", "Merry Christmas!", List.of()));
        CallBootstrap.Persona withModel = new CallBootstrap.Persona(santa.persona().id(), "Santa", "santa",
                "You are Santa.", "Ho ho ho!", "en-US", santa.persona().voice(), santa.persona().stt(),
                new CallBootstrap.Provider("fake-llm", "fake-model", Map.of()), santa.persona().limits(), flow);
        a.context().getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test", withModel,
                Map.of("child_name", "Ella")));
        FakeLanguageModel model = a.context().getBean(FakeLanguageModel.class);
        int before = model.requests.size();
        try (TwilioEmulator twilio = a.connect()) {
            answered(twilio, callId, tenantId);
            assertThat(a.mouth().spoken).as("the greeting asks the flow's first question").contains("Ho ho ho! Am I speaking with Ella?");
            a.ears().last().say("yes it is me");
            awaitTrue(() -> a.mouth().spoken.contains("Hello again."));
        }
        // the model, not the scripted brain, answered: with the flow in its instructions, the child's name quoted as data
        LanguageModel.Request request = model.requests.get(before);
        String instructions = request.messages().getFirst().content();
        assertThat(instructions).startsWith("You are Santa.").contains("Lead the call through these steps")
                .contains("- Step confirm: ask \u201cAm I speaking with \"Ella\"?\u201d.")
                .contains("an answer meaning \u201cyes\u201d: reply \u201cHello, \"Ella\"!\u201d ({answer} being what they said), then go to step goodbye.")
                .contains("any other answer: reply \u201cCould you fetch \"Ella\"?\u201d ({answer} being what they said), and ask again.")
                .contains("- Step goodbye (the last): say \u201cMerry Christmas!\u201d and end the call with end_call.");
        assertThat(request.messages().getLast().content()).isEqualTo("yes it is me");
    }

    @Test
    void aCallerShowingSignsOfSelfHarmHearsTheCrisisLineNotTheModelAndTheCallIsReported() throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        CallBootstrap santa = santa(callId, tenantId);
        CallBootstrap.Persona friend = new CallBootstrap.Persona(santa.persona().id(), "Friend", "companion", "You are a kind friend.",
                "Hi, how are you?", "en-US", santa.persona().voice(), santa.persona().stt(),
                new CallBootstrap.Provider("fake-llm", "fake-model", Map.of()), santa.persona().limits(), List.of());
        a.context().getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test", friend, Map.of()));
        FakeLanguageModel model = a.context().getBean(FakeLanguageModel.class);
        int before = model.requests.size();
        try (TwilioEmulator twilio = a.connect()) {
            answered(twilio, callId, tenantId);
            a.ears().last().say("honestly I don't want to live anymore");
            awaitTrue(() -> events(callId).stream().anyMatch(e -> "call.turn".equals(e.get("type")) && e.get("data").toString().contains("988")));
        }
        assertThat(model.requests.size()).as("the model was not asked for that turn").isEqualTo(before);
        assertThat(String.join(" ", a.mouth().spoken)).contains(CallRuntime.CRISIS_LINE.substring(0, 60));
        Map<Object, Object> crisis = events(callId).stream().filter(e -> "call.crisis_detected".equals(e.get("type"))).findFirst().orElseThrow();
        assertThat(JSON.readTree(crisis.get("data").toString()).get("signal").asString()).isEqualTo("don't want to live");
    }

    @Test
    void aPersonaThatTransfersInCrisisSaysSoAndAsksForTheTransferOnceTheCallerHasHeardTheLine() throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        CallBootstrap.Persona santa = santa(callId, tenantId).persona();
        CallBootstrap.Persona friend = new CallBootstrap.Persona(santa.id(), "Friend", "companion", "You are a kind friend.", "Hi, how are you?",
                "en-US", santa.voice(), santa.stt(), new CallBootstrap.Provider("fake-llm", "fake-model", Map.of()), santa.limits(), List.of(),
                null, null, null, null, null, true);
        a.context().getBean(CallSessionStore.class).saveBootstrap(new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "test", friend, Map.of()));
        try (TwilioEmulator twilio = a.connect()) {
            answered(twilio, callId, tenantId);
            a.ears().last().say("I want to end my life");
            awaitTrue(() -> events(callId).stream().anyMatch(e -> "call.transfer_requested".equals(e.get("type"))));
        }
        assertThat(String.join(" ", a.mouth().spoken)).contains(CallRuntime.CRISIS_TRANSFER_LINE);
        List<String> types = events(callId).stream().map(e -> (String) e.get("type")).toList();
        assertThat(types).containsSubsequence("call.crisis_detected", "call.turn", "call.transfer_requested");
        assertThat(types.stream().filter("call.transfer_requested"::equals)).hasSize(1);
        Map<Object, Object> bot = events(callId).stream().filter(e -> "call.turn".equals(e.get("type"))).toList().getLast();
        assertThat(bot.get("data").toString()).as("the line was heard before the transfer was asked for").contains("someone who can help");
    }

    @Test
    void aChildShowingSignsOfSelfHarmIsSentToATrustedAdultEvenByTheScriptedSanta() throws Exception {
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        a.context().getBean(CallSessionStore.class).saveBootstrap(santa(callId, tenantId));
        try (TwilioEmulator twilio = a.connect()) {
            answered(twilio, callId, tenantId);
            a.ears().last().say("sometimes I hurt myself");
            awaitTrue(() -> events(callId).stream().anyMatch(e -> "call.turn".equals(e.get("type")) && e.get("data").toString().contains("grown-up you trust")));
        }
        assertThat(events(callId)).anySatisfy(e -> assertThat(e.get("type")).isEqualTo("call.crisis_detected"));
    }

    @Test
    void aStreamForACallWithNoSessionIsHungUp() throws Exception {
        UUID callId = UUID.randomUUID();
        String token = a.context().getBean(CallTokens.class).mint(callId, UUID.randomUUID(), Duration.ofMinutes(5));
        try (TwilioEmulator twilio = a.connect()) {
            twilio.connected();
            twilio.start(token);
            assertThat(twilio.closed.get(5, TimeUnit.SECONDS)).isEqualTo(1000);
        }
    }

    /** Connects the call's stream on instance {@code a}, with a fresh token, and waits until its greeting was heard and it listens. */
    static void answered(TwilioEmulator twilio, UUID callId, UUID tenantId) throws Exception {
        twilio.connected();
        twilio.start(a.context().getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5)));
        twilio.until("mark", 5_000);
        awaitListening(new Dialled(callId, tenantId, null));
    }

    /** The greeting has been heard and the engine listens (its snapshot in Redis says so). */
    static void awaitListening(Dialled call) throws InterruptedException {
        awaitTrue(() -> {
            Object conversation = redis().opsForHash().get("call:" + call.callId(), "conversation");
            return conversation != null && JSON.readTree(conversation.toString()).get("state").asString().equals("LISTENING");
        });
    }

    static StringRedisTemplate redis() {
        return a.context().getBean(StringRedisTemplate.class);
    }

    static List<Map<Object, Object>> events(UUID callId) {
        return events(redis(), callId);
    }

    /** The events the runtime published for the call, in order. */
    static List<Map<Object, Object>> events(StringRedisTemplate redis, UUID callId) {
        List<MapRecord<String, Object, Object>> all = redis.opsForStream().range(CallEvents.STREAM, Range.unbounded());
        return all.stream().map(MapRecord::getValue).filter(v -> callId.toString().equals(v.get("callId"))).toList();
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(20);
        }
    }
}
