package io.parley.runtime.speech.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.speech.SpeechToSpeech;
import io.parley.runtime.speech.openai.RealtimeServer.Answer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAI Realtime adapter against a loopback server speaking the Realtime protocol (GA events). */
class OpenAiRealtimeSpeechToSpeechTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final LanguageModel.Tool END_CALL = new LanguageModel.Tool("end_call", "End the call",
            "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"}}}");

    private RealtimeServer server;
    private OpenAiRealtimeSpeechToSpeech realtime;
    private final List<SpeechToSpeech.Session> sessions = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = new RealtimeServer();
        realtime = new OpenAiRealtimeSpeechToSpeech(config(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        sessions.forEach(SpeechToSpeech.Session::close);
        realtime.close();
        server.close();
    }

    private OpenAiRealtimeConfig config(Duration idle) {
        return OpenAiRealtimeConfig.defaults(RealtimeServer.KEY).withBaseUrl(server.baseUrl()).withTimeouts(Duration.ofSeconds(2), idle);
    }

    private SpeechToSpeech.Session open(OpenAiRealtimeSpeechToSpeech provider, List<LanguageModel.Message> history, String apiKey, Events events) {
        SpeechToSpeech.Session session = provider.open(new SpeechToSpeech.SessionSettings(null, "cedar", "en-US",
                "You book appointments.", List.of(END_CALL), history, apiKey), events);
        sessions.add(session);
        return session;
    }

    @Test
    void opensASessionOfPcmuBothWaysWhoseServerVadOnlyReportsAndStartsFromTheConversationSoFar() throws Exception {
        Events events = new Events();
        open(realtime, List.of(new LanguageModel.Message("user", "Can I book for ten?"), new LanguageModel.Message("assistant", "Let me look."),
                LanguageModel.Message.toolCall("call_7", "check_slot", "{\"time\":\"10:00\"}"),
                LanguageModel.Message.toolResult("call_7", "check_slot", "{\"free\":true}"),
                new LanguageModel.Message("user", "[DTMF 1]")), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);

        assertThat(openai.handshake.path()).isEqualTo("/v1/realtime");
        assertThat(openai.handshake.param("model")).isEqualTo("gpt-realtime");
        assertThat(openai.handshake.header("Authorization")).isEqualTo("Bearer " + RealtimeServer.KEY);
        JsonNode session = openai.await("session.update", WAIT).path("session");
        assertThat(session.path("type").asString()).isEqualTo("realtime");
        assertThat(session.path("instructions").asString()).isEqualTo("You book appointments.");
        assertThat(session.path("output_modalities").toString()).isEqualTo("[\"audio\"]");
        JsonNode input = session.path("audio").path("input");
        assertThat(input.path("format").path("type").asString()).isEqualTo("audio/pcmu");
        assertThat(session.path("audio").path("output").path("format").path("type").asString()).isEqualTo("audio/pcmu");
        assertThat(session.path("audio").path("output").path("voice").asString()).isEqualTo("cedar");
        assertThat(input.path("transcription").path("model").asString()).isEqualTo("gpt-4o-mini-transcribe");
        assertThat(input.path("transcription").path("language").asString()).isEqualTo("en");
        JsonNode turns = input.path("turn_detection");
        assertThat(turns.path("type").asString()).isEqualTo("server_vad");
        assertThat(turns.path("create_response").asBoolean(true)).as("the server must not answer on its own").isFalse();
        assertThat(turns.path("interrupt_response").asBoolean(true)).as("nor cut an answer on its own").isFalse();
        assertThat(turns.path("silence_duration_ms").asInt()).isEqualTo(300);
        assertThat(session.path("tools").path(0).path("type").asString()).isEqualTo("function");
        assertThat(session.path("tools").path(0).path("name").asString()).isEqualTo("end_call");
        assertThat(session.path("tools").path(0).path("parameters").path("properties").has("reason")).isTrue();

        awaitTrue(() -> openai.conversation.size() == 5);
        assertThat(openai.types()).containsExactly("session.update", "conversation.item.create", "conversation.item.create",
                "conversation.item.create", "conversation.item.create", "conversation.item.create");
        assertThat(openai.conversation).extracting(i -> i.path("type").asString() + ":" + i.path("role").asString("")
                        + i.path("content").path(0).path("type").asString("") + ":" + i.path("content").path(0).path("text").asString("")
                        + i.path("call_id").asString("") + i.path("output").asString(""))
                .containsExactly("message:userinput_text:Can I book for ten?", "message:assistantoutput_text:Let me look.",
                        "function_call::call_7", "function_call_output::call_7{\"free\":true}", "message:userinput_text:[DTMF 1]");
        assertThat(openai.conversation.get(2).path("name").asString()).isEqualTo("check_slot");
        assertThat(openai.conversation.get(2).path("arguments").asString()).isEqualTo("{\"time\":\"10:00\"}");
    }

    @Test
    void theCallersAudioGoesInUntouchedAndComesBackAsVoiceActivityTranscriptsAndTheEndOfTheUtterance() throws Exception {
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);
        server.callerSays.add("What's my balance?");

        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        List<byte[]> frames = new ArrayList<>(RealtimeServer.voice(400));
        frames.addAll(RealtimeServer.silence(400));
        for (byte[] frame : frames) {
            session.audio(frame);
            sent.writeBytes(frame);
        }

        assertThat(events.await(e -> e.equals("end"), 1)).containsExactly("speaking", "silent", "interim:What's", "interim:What's my",
                "interim:What's my balance?", "final:What's my balance?", "end");
        awaitTrue(() -> openai.audio().length == sent.size());
        assertThat(openai.audio()).isEqualTo(sent.toByteArray());
        assertThat(openai.types()).doesNotContain("response.create");
        Thread.sleep(300);
        assertThat(server.usages).as("the server did not answer by itself").isEmpty();
        assertThat(events.threads).allMatch(virtual -> virtual, "callbacks on virtual threads");
    }

    @Test
    void aReplyStreamsItsAudioAndWordsThenEndsWithItsUsage() throws Exception {
        server.answers = prompt -> Answer.say("Sure, I can help.");
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);

        session.respond("t1");

        assertThat(events.await(e -> e.equals("done:t1"), 1)).filteredOn(e -> e.startsWith("transcript:"))
                .containsExactly("transcript:t1:Sure, ", "transcript:t1:I ", "transcript:t1:can ", "transcript:t1:help.");
        byte[] expected = new byte[4 * RealtimeServer.MILLIS_PER_WORD * 8];
        Arrays.fill(expected, RealtimeServer.TONE);
        assertThat(events.audio("t1")).isEqualTo(expected);
        JsonNode create = openai.await("response.create", WAIT);
        assertThat(create.path("response").path("metadata").path("parley_reply").asString()).isEqualTo("t1");
        assertThat(create.path("response").has("instructions")).as("the session's instructions apply").isFalse();
        JsonNode usage = server.usages.getFirst();
        awaitTrue(() -> events.usage.size() == 1);
        assertThat(events.usage.getFirst()).isEqualTo(new SpeechToSpeech.Usage(usage.path("input_tokens").asLong(),
                usage.path("output_tokens").asLong(), usage.path("input_token_details").path("audio_tokens").asLong(),
                usage.path("output_token_details").path("audio_tokens").asLong()));
        assertThat(events.usage.getFirst().outputAudioTokens()).isPositive();
    }

    @Test
    void aLineIsSaidWordForWordWithoutTools() throws Exception {
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);

        session.say("u1", "Hello there!");

        events.await(e -> e.equals("done:u1"), 1);
        assertThat(events.audio("u1")).hasSize(2 * RealtimeServer.MILLIS_PER_WORD * 8);
        JsonNode response = openai.await("response.create", WAIT).path("response");
        assertThat(response.path("instructions").asString()).isEqualTo(RealtimeClientEvents.SAY_INSTRUCTIONS + "Hello there!");
        assertThat(response.path("tool_choice").asString()).isEqualTo("none");
        assertThat(response.path("metadata").path("parley_reply").asString()).isEqualTo("u1");
    }

    @Test
    void aToolCallIsReportedByNameAndItsResultGoesBackForTheNextReply() throws Exception {
        server.answers = prompt -> prompt.lastItem().path("type").asString("").equals("function_call_output")
                ? Answer.say("Sorry, ten is taken.")
                : Answer.say("Let me check.").andCall("book_appointment", "{\"time\":\"10:00\"}");
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);

        session.respond("t1");
        List<String> first = events.await(e -> e.equals("done:t1"), 1);
        String tool = first.stream().filter(e -> e.startsWith("tool:")).findFirst().orElseThrow();
        assertThat(tool).matches("tool:t1:call_\\d+:book_appointment:\\{\"time\":\"10:00\"}");
        String callId = tool.split(":")[2];
        assertThat(first.indexOf(tool)).as("after its words").isGreaterThan(first.indexOf("transcript:t1:check."));

        session.toolResult(callId, "{\"booked\":false}");
        session.respond("t2");

        events.await(e -> e.equals("done:t2"), 1);
        assertThat(events.words("t2")).isEqualTo("Sorry, ten is taken.");
        JsonNode output = openai.await("conversation.item.create", e -> e.path("item").path("type").asString("").equals("function_call_output"), WAIT);
        assertThat(output.path("item").path("call_id").asString()).isEqualTo(callId);
        assertThat(output.path("item").path("output").asString()).isEqualTo("{\"booked\":false}");
        assertThat(openai.types()).containsSubsequence("conversation.item.create", "response.create");
    }

    @Test
    void anErrorEventFailsOnlyTheReplyItNames() throws Exception {
        server.errorNextResponse = "rate_limit_exceeded";
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        server.awaitSession(WAIT);

        session.respond("t1");
        events.await(e -> e.startsWith("failed:t1"), 1);
        assertThat(events.failures.get("t1")).isInstanceOf(OpenAiException.class);
        assertThat(((OpenAiException) events.failures.get("t1")).code()).isEqualTo("rate_limit_exceeded");

        session.respond("t2"); // the session is still good
        assertThat(events.await(e -> e.equals("done:t2"), 1)).doesNotContain("closed");
    }

    @Test
    void aResponseThatEndsFailedFailsTheReplyAndStillCountsItsUsage() throws Exception {
        server.failNextResponse = "server_error";
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        server.awaitSession(WAIT);

        session.respond("t1");

        events.await(e -> e.startsWith("failed:t1"), 1);
        assertThat(((OpenAiException) events.failures.get("t1")).code()).isEqualTo("server_error");
        awaitTrue(() -> events.usage.size() == 1);
    }

    @Test
    void aSlowServerIsWaitedForWithinTheIdleTimeout() throws Exception {
        server.responseDelay = Duration.ofMillis(1_200);
        Events events = new Events();
        try (OpenAiRealtimeSpeechToSpeech patient = new OpenAiRealtimeSpeechToSpeech(config(Duration.ofSeconds(3)))) {
            SpeechToSpeech.Session session = open(patient, List.of(), null, events);
            server.awaitSession(WAIT);
            long asked = System.nanoTime();
            session.respond("t1");

            assertThat(events.await(e -> e.startsWith("done:") || e.startsWith("failed:"), 1)).contains("done:t1");
            assertThat(System.nanoTime() - asked).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1_200));
        }
    }

    @Test
    void aReplyTheServerGoesQuietOnFailsAfterTheIdleTimeoutAndIsCancelled() throws Exception {
        server.stallNextResponse = true;
        Events events = new Events();
        try (OpenAiRealtimeSpeechToSpeech impatient = new OpenAiRealtimeSpeechToSpeech(config(Duration.ofMillis(600)))) {
            SpeechToSpeech.Session session = open(impatient, List.of(), null, events);
            RealtimeServer.Session openai = server.awaitSession(WAIT);
            long asked = System.nanoTime();
            session.respond("t1");

            events.await(e -> e.startsWith("failed:t1"), 1);
            assertThat(System.nanoTime() - asked).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(600));
            assertThat(((OpenAiException) events.failures.get("t1")).code()).isEqualTo("timeout");
            JsonNode cancel = openai.await("response.cancel", WAIT);
            assertThat(cancel.path("response_id").asString()).startsWith("resp_");

            session.respond("t2"); // the stalled reply was cancelled, so the next one can run
            assertThat(events.await(e -> e.equals("done:t2") || e.startsWith("failed:t2"), 1)).contains("done:t2");
        }
    }

    @Test
    void aConnectionDroppedMidReplyBreaksTheSessionThenFailsTheReplyAndAnyAskedLater() throws Exception {
        server.answers = prompt -> Answer.say("This is a rather long answer that will not get far.");
        server.audioPace = Duration.ofMillis(30);
        server.dropAfterDeltas = 2;
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        server.awaitSession(WAIT);

        session.respond("t1");

        List<String> seen = events.await(e -> e.startsWith("failed:t1"), 1);
        assertThat(seen).filteredOn(e -> e.startsWith("audio:t1")).hasSize(2);
        int failed = seen.indexOf(seen.stream().filter(e -> e.startsWith("failed:t1")).findFirst().orElseThrow());
        assertThat(seen.indexOf("closed")).as("closed, then the reply in flight fails").isPositive().isLessThan(failed);
        assertThat(seen).doesNotContain("done:t1");

        session.respond("t2");
        events.await(e -> e.startsWith("failed:t2"), 1);
        session.audio(new byte[160]); // ignored: nothing to send it to
        assertThat(server.pollSession(Duration.ofMillis(300))).as("no reconnect by the adapter itself").isNull();
    }

    @Test
    void aRefusedHandshakeBreaksTheSessionWithOpenAisError() throws Exception {
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), "sk-wrong", events);
        session.respond("t1"); // asked before the refusal is known

        events.await(e -> e.startsWith("failed:t1"), 1);
        assertThat(events.all).startsWith("closed");
        OpenAiException refused = (OpenAiException) events.closedBy;
        assertThat(refused.httpStatus()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("invalid_api_key");
        assertThat(refused.getMessage()).contains("Incorrect API key provided.");
        assertThat(server.pollSession(Duration.ofMillis(200))).isNull();
    }

    @Test
    void cancelStopsTheReplyAtOnceAndTruncateCutsItAtTheAudioHeard() throws Exception {
        server.answers = prompt -> Answer.say("Once upon a time there was a reindeer who could not fly at all.");
        server.audioPace = Duration.ofMillis(100); // real time
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);

        session.respond("t1");
        events.await(e -> e.startsWith("audio:t1"), 3);
        session.cancel("t1");
        int audioAtCancel = events.audio("t1").length;
        session.truncate("t1", Duration.ofMillis(250));

        JsonNode cancel = openai.await("response.cancel", WAIT);
        JsonNode created = openai.await("response.create", WAIT);
        assertThat(created.path("response").path("metadata").path("parley_reply").asString()).isEqualTo("t1");
        JsonNode truncate = openai.await("conversation.item.truncate", WAIT);
        awaitTrue(() -> server.usages.size() == 1); // the server ended the reply: cancelled
        ObjectItem item = new ObjectItem(openai.item(truncate.path("item_id").asString()));
        assertThat(cancel.path("response_id").asString()).startsWith("resp_");
        assertThat(item.role()).isEqualTo("assistant");
        assertThat(truncate.path("content_index").asInt()).isZero();
        assertThat(truncate.path("audio_end_ms").asLong()).isEqualTo(250);
        assertThat(item.truncatedAt()).isEqualTo(250);
        assertThat(openai.types()).containsSubsequence("response.create", "response.cancel", "conversation.item.truncate");

        Thread.sleep(400);
        assertThat(events.audio("t1")).as("no audio reported after cancel returned").hasSize(audioAtCancel);
        assertThat(events.all).doesNotContain("done:t1", "failed:t1");
        assertThat(events.usage).as("a cancelled reply's tokens still count").hasSize(1);

        session.truncate("t1", Duration.ofSeconds(30)); // never past the audio we were given
        JsonNode clamped = openai.await("conversation.item.truncate", e -> e.path("audio_end_ms").asLong() != 250, WAIT);
        assertThat(clamped.path("audio_end_ms").asLong()).isEqualTo(audioAtCancel / 8);
        Thread.sleep(200);
        assertThat(events.all).doesNotContain("closed");
    }

    @Test
    void closeEndsTheSocketNormallyAndNothingIsReportedAfterIt() throws Exception {
        server.answers = prompt -> Answer.say("A long answer that is still playing when the call ends.");
        server.audioPace = Duration.ofMillis(50);
        Events events = new Events();
        SpeechToSpeech.Session session = open(realtime, List.of(), null, events);
        RealtimeServer.Session openai = server.awaitSession(WAIT);
        session.respond("t1");
        events.await(e -> e.startsWith("audio:t1"), 1);

        session.close();
        int reported = events.all.size();

        assertThat(openai.handshake).isNotNull();
        Thread.sleep(300);
        assertThat(events.all).hasSize(reported);
        assertThat(events.all).doesNotContain("closed");
    }

    /** A server item's fields the tests read. */
    private record ObjectItem(JsonNode node) {
        String role() { return node.path("role").asString(""); }
        long truncatedAt() { return node.path("truncated_at_ms").asLong(-1); }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not met within " + WAIT);
            Thread.sleep(10);
        }
    }

    /** Records what a session reports, in order, as short strings. */
    static final class Events implements SpeechToSpeech.Listener {
        final List<String> all = new CopyOnWriteArrayList<>();
        final List<Boolean> threads = new CopyOnWriteArrayList<>();
        final Map<String, ByteArrayOutputStream> audio = new ConcurrentHashMap<>();
        final Map<String, StringBuilder> words = new ConcurrentHashMap<>();
        final Map<String, Exception> failures = new ConcurrentHashMap<>();
        final List<SpeechToSpeech.Usage> usage = new CopyOnWriteArrayList<>();
        volatile Exception closedBy;

        private void add(String event) {
            threads.add(Thread.currentThread().isVirtual());
            all.add(event);
        }

        @Override public void voiceActivity(boolean speaking) { add(speaking ? "speaking" : "silent"); }
        @Override public void interim(String text) { add("interim:" + text); }
        @Override public void finalText(String text) { add("final:" + text); }
        @Override public void endOfUtterance() { add("end"); }
        @Override public void audio(String id, byte[] ulaw) {
            audio.computeIfAbsent(id, i -> new ByteArrayOutputStream()).writeBytes(ulaw);
            add("audio:" + id + ":" + ulaw.length);
        }
        @Override public void transcript(String id, String text) {
            words.computeIfAbsent(id, i -> new StringBuilder()).append(text);
            add("transcript:" + id + ":" + text);
        }
        @Override public void toolCall(String id, String toolCallId, String name, String argumentsJson) {
            add("tool:" + id + ":" + toolCallId + ":" + name + ":" + argumentsJson);
        }
        @Override public void done(String id) { add("done:" + id); }
        @Override public void failed(String id, Exception error) {
            failures.put(id, error);
            add("failed:" + id + ":" + error.getMessage());
        }
        @Override public void usage(SpeechToSpeech.Usage spent) { usage.add(spent); }
        @Override public void closed(Exception error) {
            closedBy = error;
            add("closed");
        }

        byte[] audio(String id) {
            ByteArrayOutputStream bytes = audio.get(id);
            return bytes == null ? new byte[0] : bytes.toByteArray();
        }

        String words(String id) {
            StringBuilder text = words.get(id);
            return text == null ? "" : text.toString();
        }

        /** Waits until {@code count} events match, then returns everything seen so far. */
        List<String> await(Predicate<String> matching, int count) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (all.stream().filter(matching).count() < count) {
                if (System.nanoTime() > deadline) throw new AssertionError("not seen within " + WAIT + ": " + all);
                Thread.sleep(10);
            }
            return List.copyOf(all);
        }
    }
}
