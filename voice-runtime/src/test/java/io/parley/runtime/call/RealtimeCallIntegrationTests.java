package io.parley.runtime.call;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.VoiceRuntimeApplication;
import io.parley.runtime.media.twilio.MediaStreamEndpoint;
import io.parley.runtime.media.twilio.TwilioEmulator;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import io.parley.runtime.session.CallTokens;
import io.parley.runtime.speech.openai.RealtimeServer;
import io.parley.runtime.speech.openai.RealtimeServer.Answer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
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
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A whole call on OpenAI Realtime: the real runtime (real Redis) with its Realtime adapter pointed at a
 * loopback server speaking the Realtime protocol, and a Twilio emulator on the Media Streams socket.
 * The caller's μ-law goes to the model untouched, the model's audio comes back to the caller, and the
 * engine still decides: a barge-in clears Twilio, cancels the reply and truncates the model's memory at
 * what was heard, which is all the transcript keeps; a tool call is answered; {@code end_call} ends it.
 */
class RealtimeCallIntegrationTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String STORY = "Once upon a time a little reindeer lived at the North Pole and dreamed every night "
            + "of flying over the sea with Santa and his sleigh.";
    static final String GOODBYE = "Sorry, I cannot book that. Goodbye!";

    static RealtimeServer openai;
    static ConfigurableApplicationContext runtime;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        openai = new RealtimeServer();
        runtime = new SpringApplicationBuilder(VoiceRuntimeApplication.class, ConversationIntegrationTests.FakeProviders.class)
                .run("--server.port=0", "--parley.runtime.call-token-secret=" + ConversationIntegrationTests.SECRET,
                        "--spring.jmx.enabled=false", "--parley.runtime.offline-speech.enabled=false",
                        "--parley.providers.openai.api-key=" + RealtimeServer.KEY, "--parley.providers.openai.base-url=" + openai.baseUrl());
        port = ((WebServerApplicationContext) runtime).getWebServer().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        runtime.close();
        openai.close();
    }

    static CallBootstrap receptionist(UUID callId, UUID tenantId) {
        CallBootstrap.Provider realtime = new CallBootstrap.Provider("openai-realtime", "gpt-realtime", Map.of());
        return new CallBootstrap(CallBootstrap.VERSION, callId, tenantId, "live",
                new CallBootstrap.Persona(UUID.randomUUID(), "Receptionist", "receptionist", "You book appointments.", "Hello there!", "en-US",
                        new CallBootstrap.Provider("openai-realtime", "marin", Map.of()), realtime, realtime,
                        new CallBootstrap.Limits(300, 30, "We are nearly out of time.", "Goodbye!", 30, "Are you still there?", "9"),
                        List.of()),
                Map.of());
    }

    @Test
    void aCallOnTheRealtimeModelBargesInTruncatesAtWhatWasHeardCallsAToolAndEnds() throws Exception {
        openai.audioPace = Duration.ofMillis(100); // the model speaks in real time, so the story is still coming when the caller cuts in
        openai.answers = prompt -> {
            if (prompt.lastItem().path("type").asString("").equals("function_call_output")) {
                return Answer.say(GOODBYE).andCall("end_call", "{\"reason\":\"booking_unavailable\"}");
            }
            return prompt.lastCallerText().contains("book") ? Answer.call("book_appointment", "{\"time\":\"10:00\"}") : Answer.say(STORY);
        };
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        runtime.getBean(CallSessionStore.class).saveBootstrap(receptionist(callId, tenantId));
        int framesSent = 0;

        try (TwilioEmulator twilio = new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH))) {
            twilio.echoMarks = true;
            twilio.connected();
            twilio.start(runtime.getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5)));

            RealtimeServer.Session session = openai.awaitSession(Duration.ofSeconds(5));
            JsonNode configured = session.await("session.update", Duration.ofSeconds(5)).path("session");
            assertThat(configured.path("audio").path("input").path("format").path("type").asString()).isEqualTo("audio/pcmu");
            assertThat(configured.path("audio").path("output").path("voice").asString()).isEqualTo("marin");
            assertThat(configured.path("audio").path("input").path("turn_detection").path("create_response").asBoolean(true)).isFalse();
            assertThat(configured.path("audio").path("input").path("turn_detection").path("interrupt_response").asBoolean(true)).isFalse();
            assertThat(configured.path("instructions").asString()).isEqualTo("You book appointments.");
            assertThat(configured.path("tools").findValuesAsString("name")).contains("end_call");
            // the greeting is the model's voice too, said word for word
            assertThat(session.await("response.create", Duration.ofSeconds(5)).path("response").path("instructions").asString())
                    .endsWith("Hello there!");
            awaitListening(callId);
            twilio.received.clear();

            openai.callerSays.add("Tell me a story");
            framesSent += speak(twilio, RealtimeServer.voice(500));
            framesSent += speak(twilio, RealtimeServer.silence(400));

            // the story plays; after 1.2 s of it the caller talks over it
            List<TwilioEmulator.Received> beforeClear = new ArrayList<>();
            long storyBytes = 0;
            while (storyBytes < 9_600) {
                TwilioEmulator.Received got = twilio.next(5_000);
                assertThat(got).as("the story's audio").isNotNull();
                beforeClear.add(got);
                if (got.event().equals("media")) storyBytes += payload(got).length;
            }
            openai.callerSays.add("Actually can you book me in for ten please");
            framesSent += speak(twilio, RealtimeServer.voice(600));
            beforeClear.addAll(twilio.until("clear", 3_000));
            assertThat(beforeClear.getLast().event()).isEqualTo("clear");
            long heardAtMost = beforeClear.stream().filter(r -> r.event().equals("media")).mapToLong(r -> payload(r).length).sum() / 8;
            List<TwilioEmulator.Received> afterClear = new ArrayList<>();
            TwilioEmulator.Received next;
            while ((next = twilio.next(300)) != null) afterClear.add(next);
            assertThat(afterClear).extracting(TwilioEmulator.Received::event).as("nothing of the story after clear").doesNotContain("media");

            // the model is stopped and forgets what the caller did not hear
            JsonNode cancel = session.await("response.cancel", Duration.ofSeconds(3));
            JsonNode truncate = session.await("conversation.item.truncate", Duration.ofSeconds(3));
            assertThat(session.types()).containsSubsequence("response.cancel", "conversation.item.truncate");
            assertThat(cancel.path("response_id").asString()).startsWith("resp_");
            JsonNode storyItem = session.item(truncate.path("item_id").asString());
            assertThat(storyItem.path("content").path(0).path("type").asString()).isEqualTo("output_audio");
            long heard = truncate.path("audio_end_ms").asLong();
            assertThat(heard).isBetween(1_000L, heardAtMost);
            assertThat(storyItem.path("truncated_at_ms").asLong()).as("accepted by the server").isEqualTo(heard);

            // the caller finishes; the model calls a tool, hears its result, says goodbye and ends the call
            framesSent += speak(twilio, RealtimeServer.silence(400));
            JsonNode output = session.await("conversation.item.create",
                    e -> e.path("item").path("type").asString("").equals("function_call_output"), Duration.ofSeconds(10));
            assertThat(output.path("item").path("output").asString()).contains("no such tool");
            assertThat(twilio.closed.get(15, TimeUnit.SECONDS)).isEqualTo(1000);
            assertThat(session.audio()).as("the caller's audio reached the model untouched").hasSize(framesSent * 160);

            List<Map<Object, Object>> events = events(callId);
            List<JsonNode> turns = data(events, "call.turn");
            String[] words = STORY.split(" ");
            long total = words.length * (long) RealtimeServer.MILLIS_PER_WORD; // the whole story's words, its audio not all made yet
            int heardWords = (int) Math.min(words.length, Math.round(words.length * (double) heard / total));
            String heardText = String.join(" ", Arrays.asList(words).subList(0, heardWords));
            assertThat(turns).extracting(t -> t.get("speaker").asString() + (t.get("interrupted").asBoolean() ? "!" : "") + ": " + t.get("text").asString())
                    .containsExactly("bot: Hello there!", "caller: Tell me a story", "bot!: " + heardText,
                            "caller: Actually can you book me in for ten please", "bot: " + GOODBYE);
            assertThat(heardWords).isBetween(1, words.length - 1);

            JsonNode tool = data(events, "call.tool_called").getFirst();
            assertThat(tool.get("name").asString()).isEqualTo("book_appointment");
            assertThat(tool.get("toolCallId").asString()).isEqualTo(output.path("item").path("call_id").asString());
            assertThat(data(events, "call.ended").getFirst().get("reason").asString()).isEqualTo("booking_unavailable");
            List<JsonNode> usage = data(events, "call.usage");
            assertThat(usage).hasSize(1);
            JsonNode llm = usage.getFirst().get("llm");
            assertThat(llm.get("provider").asString()).isEqualTo("openai-realtime");
            assertThat(llm.get("inputTokens").asLong()).isEqualTo(openai.usages.stream().mapToLong(u -> u.path("input_tokens").asLong()).sum());
            assertThat(llm.get("outputTokens").asLong()).isEqualTo(openai.usages.stream().mapToLong(u -> u.path("output_tokens").asLong()).sum());
            assertThat(llm.get("outputAudioTokens").asLong()).isPositive();
            assertThat(usage.getFirst().get("stt").get("seconds").asDouble()).isEqualTo(framesSent * 0.02, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(usage.getFirst().get("tts").get("seconds").asDouble()).isGreaterThan(heard / 1000.0);

            JsonNode conversation = JSON.readTree(redis().opsForHash().get("call:" + callId, "conversation").toString());
            assertThat(conversation.get("state").asString()).isEqualTo("ENDED");
            assertThat(conversation.get("history").findValuesAsString("content")).contains(heardText).doesNotContain(STORY);
        }
    }

    @Test
    void aRealtimeConnectionThatDropsIsOpenedAgainFromTheConversationSoFar() throws Exception {
        openai.audioPace = Duration.ZERO;
        openai.answers = prompt -> Answer.say("You said " + prompt.lastCallerText() + ".");
        UUID callId = UUID.randomUUID();
        UUID tenantId = UUID.randomUUID();
        runtime.getBean(CallSessionStore.class).saveBootstrap(receptionist(callId, tenantId));

        try (TwilioEmulator twilio = new TwilioEmulator(URI.create("ws://127.0.0.1:" + port + MediaStreamEndpoint.PATH))) {
            twilio.echoMarks = true;
            twilio.connected();
            twilio.start(runtime.getBean(CallTokens.class).mint(callId, tenantId, Duration.ofMinutes(5)));
            openai.awaitSession(Duration.ofSeconds(5));
            awaitListening(callId);

            openai.dropConnections(); // the network drops the model's socket mid-call
            RealtimeServer.Session again = null;
            for (int i = 0; i < 100 && again == null; i++) { // the caller's audio goes on; the next frame after the drop re-opens
                speak(twilio, RealtimeServer.silence(20));
                again = openai.pollSession(Duration.ofMillis(50));
            }
            assertThat(again).as("a new session").isNotNull();
            RealtimeServer.Session reopened = again;
            awaitTrue(() -> !reopened.conversation.isEmpty());
            assertThat(reopened.conversation.getFirst().path("role").asString()).isEqualTo("assistant");
            assertThat(reopened.conversation.getFirst().path("content").path(0).path("text").asString()).isEqualTo("Hello there!");

            openai.callerSays.add("Is anyone there");
            speak(twilio, RealtimeServer.voice(500));
            speak(twilio, RealtimeServer.silence(400));
            awaitTrue(() -> data(events(callId), "call.turn").stream().anyMatch(t -> t.get("text").asString().equals("You said Is anyone there.")));
            twilio.stop();
            assertThat(twilio.closed.get(5, TimeUnit.SECONDS)).isNotNull();
        }
        awaitTrue(() -> !data(events(callId), "call.ended").isEmpty()); // published as the stream stops
        List<Map<Object, Object>> events = events(callId);
        assertThat(events.stream().filter(e -> "call.started".equals(e.get("type")))).hasSize(1);
        assertThat(data(events, "call.ended").getFirst().get("reason").asString()).isEqualTo("caller_hung_up");
    }

    /** Sends μ-law frames as Twilio does (in a burst: the server's detection runs on audio time). */
    static int speak(TwilioEmulator twilio, List<byte[]> frames) {
        frames.forEach(twilio::media);
        return frames.size();
    }

    static byte[] payload(TwilioEmulator.Received media) {
        return Base64.getDecoder().decode(media.json().get("media").get("payload").asString());
    }

    static void awaitListening(UUID callId) throws InterruptedException {
        awaitTrue(() -> {
            Object conversation = redis().opsForHash().get("call:" + callId, "conversation");
            return conversation != null && JSON.readTree(conversation.toString()).get("state").asString().equals("LISTENING");
        });
    }

    static StringRedisTemplate redis() {
        return runtime.getBean(StringRedisTemplate.class);
    }

    static List<Map<Object, Object>> events(UUID callId) {
        List<MapRecord<String, Object, Object>> all = redis().opsForStream().range(CallEvents.STREAM, Range.unbounded());
        return all.stream().map(MapRecord::getValue).filter(v -> callId.toString().equals(v.get("callId"))).toList();
    }

    static List<JsonNode> data(List<Map<Object, Object>> events, String type) {
        return events.stream().filter(e -> type.equals(e.get("type"))).map(e -> JSON.readTree(e.get("data").toString())).toList();
    }

    static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
            Thread.sleep(20);
        }
    }
}
