package io.parley.runtime.llm.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.LanguageModel.Message;
import io.parley.runtime.llm.LanguageModel.Request;
import io.parley.runtime.llm.LanguageModel.Tool;
import io.parley.runtime.llm.sse.LanguageModelException;
import io.parley.runtime.llm.sse.LanguageModelException.Kind;
import io.parley.runtime.llm.sse.LoopbackServer;
import io.parley.runtime.llm.sse.LoopbackServer.RecordedRequest;
import io.parley.runtime.llm.sse.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class AnthropicLanguageModelTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String MODEL = "claude-sonnet-4-5-20250929";
    private static final Tool GET_WEATHER = new Tool("get_weather", "Get the current weather in a given location",
            "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"},\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},"
                    + "\"required\":[\"location\"]}");

    private LoopbackServer server;
    private AnthropicLanguageModel model;

    @BeforeEach
    void startServer() throws Exception {
        server = LoopbackServer.start();
        model = new AnthropicLanguageModel(config(Duration.ofSeconds(2)));
    }

    @AfterEach
    void stopServer() {
        model.close();
        server.close();
    }

    private AnthropicConfig config(Duration idle) {
        return AnthropicConfig.of("sk-ant-default").withBaseUrl(server.uri("")).withTimeouts(Duration.ofSeconds(1), idle);
    }

    private static Request request(List<Message> messages) {
        return new Request(MODEL, 0.5, messages, List.of(GET_WEATHER), null);
    }

    private static Request hello() {
        return request(List.of(new Message("system", "You are a weather line."), new Message("user", "Hi!")));
    }

    private static void messageStart(LoopbackServer.Exchange exchange, long inputTokens) throws Exception {
        exchange.event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\","
                + "\"role\":\"assistant\",\"content\":[],\"model\":\"" + MODEL + "\",\"stop_reason\":null,\"stop_sequence\":null,"
                + "\"usage\":{\"input_tokens\":" + inputTokens + ",\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}");
    }

    private static void textStart(LoopbackServer.Exchange exchange, int index) throws Exception {
        exchange.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    }

    private static void text(LoopbackServer.Exchange exchange, int index, String text) throws Exception {
        exchange.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}");
    }

    private static void blockStop(LoopbackServer.Exchange exchange, int index) throws Exception {
        exchange.event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
    }

    private static void messageEnd(LoopbackServer.Exchange exchange, String stopReason, long outputTokens) throws Exception {
        exchange.event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}");
        exchange.event("message_stop", "{\"type\":\"message_stop\"}");
    }

    private static void streamHello(LoopbackServer.Exchange exchange) throws Exception {
        exchange.startEvents(Map.of("request-id", "req_011CPx"));
        messageStart(exchange, 25);
        textStart(exchange, 0);
        exchange.event("ping", "{\"type\": \"ping\"}");
        text(exchange, 0, "Hello");
        text(exchange, 0, "! How can");
        text(exchange, 0, " I help?");
        blockStop(exchange, 0);
        messageEnd(exchange, "end_turn", 15);
    }

    @Test
    void streamsTextInOrderAndReportsUsage() throws Exception {
        server.onRequest(AnthropicLanguageModelTests::streamHello);
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Hello", "token:! How can", "token: I help?", "done:25/15");
        assertThat(listener.threads()).allSatisfy(t -> {
            assertThat(t).isNotSameAs(Thread.currentThread());
            assertThat(t.isVirtual()).isTrue();
        });

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo("sk-ant-default");
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Authorization")).isNull();
        JsonNode body = sent.json();
        assertThat(body.get("model").asString()).isEqualTo(MODEL);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(1024);
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.get("system").asString()).isEqualTo("You are a weather line.");
        assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi!\"}]}]");
        assertThat(body.get("tools").toString()).isEqualTo("[{\"name\":\"get_weather\",\"description\":\"Get the current weather in a given location\","
                + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"},"
                + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"location\"]}}]");
    }

    @Test
    void extractsTheSystemPromptAndMergesConsecutiveMessagesOfOneRole() throws Exception {
        server.onRequest(AnthropicLanguageModelTests::streamHello);
        RecordingListener listener = new RecordingListener();

        model.generate(new Request(MODEL, 1.7, List.of(
                new Message("system", "You are Santa."),
                new Message("assistant", "Ho ho ho! Who is this?"),
                new Message("user", "It's Tim."),
                new Message("user", "Can you hear me?"),
                new Message("system", "The caller is 7 years old."),
                new Message("assistant", "Loud and clear, Tim!"),
                new Message("assistant", ""),
                new Message("tool", "{\"list\":\"nice\"}"),
                new Message("user", "Am I on the nice list?"),
                new Message("assistant", "Let me see...  ")), List.of(), "sk-ant-tenant"), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        RecordedRequest sent = server.takeRequest();
        assertThat(sent.header("x-api-key")).isEqualTo("sk-ant-tenant");
        JsonNode body = sent.json();
        assertThat(body.get("system").asString()).isEqualTo("You are Santa.\n\nThe caller is 7 years old.");
        assertThat(body.get("temperature").asDouble()).as("clamped to the API's 0..1").isEqualTo(1.0);
        assertThat(body.has("tools")).isFalse();
        assertThat(body.get("messages").toString()).isEqualTo("["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"(The call has connected.)\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Ho ho ho! Who is this?\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"It's Tim.\"},{\"type\":\"text\",\"text\":\"Can you hear me?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Loud and clear, Tim!\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"[tool result] {\\\"list\\\":\\\"nice\\\"}\"},"
                + "{\"type\":\"text\",\"text\":\"Am I on the nice list?\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Let me see...\"}]}]");
    }

    @Test
    void sendsAToolExchangeAsToolUseAndToolResultBlocksWithTheirIds() throws Exception {
        server.onRequest(AnthropicLanguageModelTests::streamHello);
        RecordingListener listener = new RecordingListener();
        model.generate(new Request(MODEL, 0.5, List.of(
                new Message("user", "Book me for ten."),
                new Message("assistant", "One moment."),
                Message.toolCall("toolu_1", "book", "{\"time\":\"10:00\"}"),
                Message.toolResult("toolu_1", "book", "{\"status\":\"booked\"}")), List.of(), null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(server.takeRequest().json().get("messages").toString()).isEqualTo("["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Book me for ten.\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"One moment.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"book\",\"input\":{\"time\":\"10:00\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"{\\\"status\\\":\\\"booked\\\"}\"}]}]");
    }

    @Test
    void assemblesAToolUseFromInputJsonDeltasAndReportsItWhenTheBlockStops() throws Exception {
        RecordingListener listener = new RecordingListener();
        AtomicBoolean toolCallBeforeMessageDelta = new AtomicBoolean();
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            messageStart(exchange, 472);
            textStart(exchange, 0);
            text(exchange, 0, "Okay, let me check the weather for San Francisco, CA:");
            blockStop(exchange, 0);
            exchange.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\","
                    + "\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\",\"name\":\"get_weather\",\"input\":{}}}");
            for (String piece : List.of("", "{\"location\":", " \"San Francisco, CA\"", ", \"unit\": \"fahrenheit\"}")) {
                exchange.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
                        + "\"partial_json\":\"" + piece.replace("\"", "\\\"") + "\"}}");
            }
            blockStop(exchange, 1);
            toolCallBeforeMessageDelta.set(listener.awaitEvents("toolCall:", 1, Duration.ofSeconds(2)));
            messageEnd(exchange, "tool_use", 89);
        });

        model.generate(request(List.of(new Message("user", "What's the weather like in San Francisco?"))), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly(
                "token:Okay, let me check the weather for San Francisco, CA:",
                "toolCall:toolu_01T1x1fJ34qAmk2tNTrN7Up6|get_weather|{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}",
                "done:472/89");
        assertThat(toolCallBeforeMessageDelta).as("reported at content_block_stop").isTrue();
    }

    @Test
    void reportsAToolUseWithoutInputAsAnEmptyObject() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            messageStart(exchange, 30);
            exchange.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
                    + "\"id\":\"toolu_end\",\"name\":\"end_call\",\"input\":{}}}");
            exchange.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}");
            blockStop(exchange, 0);
            messageEnd(exchange, "tool_use", 12);
        });
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("toolCall:toolu_end|end_call|{}", "done:30/12");
    }

    static Stream<Arguments> vendorErrors() {
        return Stream.of(
                Arguments.of(401, "authentication_error", "invalid x-api-key", false),
                Arguments.of(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", true),
                Arguments.of(500, "api_error", "Internal server error", true),
                Arguments.of(529, "overloaded_error", "Overloaded", true));
    }

    @ParameterizedTest
    @MethodSource("vendorErrors")
    void failsOnAnHttpErrorWithStatusVendorMessageAndRequestId(int status, String type, String message, boolean retryable) throws Exception {
        server.onRequest(exchange -> exchange.respond(status, "application/json",
                "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}",
                Map.of("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")));
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.errorType()).isEqualTo(type);
            assertThat(e.vendorMessage()).isEqualTo(message);
            assertThat(e.requestId()).isEqualTo("req_011CSHoEeqs5C35K2UUqR7Fy");
            assertThat(e.isRetryable()).isEqualTo(retryable);
            assertThat(e.getMessage()).startsWith("anthropic: HTTP " + status).contains(type, message, "req_011CSHoEeqs5C35K2UUqR7Fy");
        });
    }

    @Test
    void failsOnAnOverloadedErrorEventInTheMiddleOfTheStream() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of("request-id", "req_mid"));
            messageStart(exchange, 25);
            textStart(exchange, 0);
            text(exchange, 0, "Let me");
            exchange.event("error", "{\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}");
            text(exchange, 0, " never seen");
            messageEnd(exchange, "end_turn", 3);
        });
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        RecordingListener.pause(100);
        assertThat(listener.events()).containsExactly("token:Let me", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.STREAM_ERROR);
            assertThat(e.errorType()).isEqualTo("overloaded_error");
            assertThat(e.vendorMessage()).isEqualTo("Overloaded");
            assertThat(e.requestId()).isEqualTo("req_mid");
            assertThat(e.isRetryable()).isTrue();
        });
    }

    @Test
    void returnsAtOnceAndStillGetsASlowFirstToken() throws Exception {
        RecordingListener listener = new RecordingListener();
        AtomicBoolean firstTokenDeliveredAlone = new AtomicBoolean();
        server.onRequest(exchange -> {
            exchange.sleep(300);
            exchange.startEvents(Map.of());
            messageStart(exchange, 25);
            textStart(exchange, 0);
            exchange.sleep(300);
            text(exchange, 0, "Hello");
            firstTokenDeliveredAlone.set(listener.awaitTokens(1, Duration.ofSeconds(2)));
            text(exchange, 0, " there");
            blockStop(exchange, 0);
            messageEnd(exchange, "end_turn", 2);
        });

        long start = System.nanoTime();
        model.generate(hello(), listener);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(200);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Hello", "token: there", "done:25/2");
        assertThat(firstTokenDeliveredAlone).as("the first token reached the listener while the stream was still open").isTrue();
    }

    @Test
    void failsWhenTheStreamStallsLongerThanTheIdleTimeout() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of("request-id", "req_stall"));
            messageStart(exchange, 25);
            textStart(exchange, 0);
            text(exchange, 0, "Hmm");
            exchange.sleep(5_000);
        });
        RecordingListener listener = new RecordingListener();
        try (AnthropicLanguageModel impatient = new AnthropicLanguageModel(config(Duration.ofMillis(300)))) {
            long start = System.nanoTime();
            impatient.generate(hello(), listener);

            assertThat(listener.awaitEnd(WAIT)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 2_500L);
        }
        assertThat(listener.events()).containsExactly("token:Hmm", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(e.requestId()).isEqualTo("req_stall");
        });
    }

    @Test
    void failsNotDoneWhenTheServerEndsTheStreamBeforeMessageStop() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            messageStart(exchange, 25);
            textStart(exchange, 0);
            text(exchange, 0, "Half a");
            blockStop(exchange, 0);
            exchange.event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                    + "\"usage\":{\"output_tokens\":2}}");
            // no message_stop: the body just ends
        });
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Half a", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
            assertThat(e.getMessage()).contains("message_stop");
        });
    }

    @Test
    void failsNotDoneWhenTheConnectionDropsMidStream() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            messageStart(exchange, 25);
            textStart(exchange, 0);
            text(exchange, 0, "Half a");
            exchange.sleep(5_000);
        });
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);
        assertThat(listener.awaitTokens(1, WAIT)).isTrue();
        server.dropConnections();

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Half a", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONNECTION));
    }

    @Test
    void cancelMidStreamStopsEveryCallbackAndClosesTheConnection() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            messageStart(exchange, 25);
            textStart(exchange, 0);
            String delta = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                    + "\"delta\":{\"type\":\"text_delta\",\"text\":\"word \"}}\n\n";
            exchange.sendUntilClosed(delta.repeat(20), Duration.ofMillis(5), Duration.ofSeconds(10));
        });
        RecordingListener listener = new RecordingListener();

        LanguageModel.Generation generation = model.generate(hello(), listener);
        assertThat(listener.awaitTokens(3, WAIT)).isTrue();
        generation.cancel();
        listener.mark("cancel returned");

        assertThat(server.connectionClosed.await(5, TimeUnit.SECONDS)).as("the server saw the connection closed").isTrue();
        RecordingListener.pause(200);
        assertThat(listener.eventsAfter("cancel returned")).isEmpty();
        assertThat(listener.events()).noneMatch(e -> e.startsWith("done") || e.equals("failed"));
    }

    @Test
    void ignoresUnknownEventsAndThinkingDeltas() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            messageStart(exchange, 40);
            exchange.event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}");
            exchange.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"The caller greets me.\"}}");
            exchange.event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCgIYAhIM\"}}");
            blockStop(exchange, 0);
            exchange.event("some_future_event", "{\"type\":\"some_future_event\",\"whatever\":true}");
            textStart(exchange, 1);
            text(exchange, 1, "Hi!");
            blockStop(exchange, 1);
            messageEnd(exchange, "end_turn", 20);
        });
        RecordingListener listener = new RecordingListener();

        model.generate(hello(), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Hi!", "done:40/20");
    }
}
