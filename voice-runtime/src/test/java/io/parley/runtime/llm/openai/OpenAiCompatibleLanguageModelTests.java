package io.parley.runtime.llm.openai;

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
import java.net.URI;
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

class OpenAiCompatibleLanguageModelTests {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Tool END_CALL = new Tool("end_call", "End the call politely when the conversation is over",
            "{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"}}}");
    private static final List<Message> CONVERSATION = List.of(
            new Message("system", "You are Santa. Keep it short."),
            new Message("assistant", "Ho ho ho! Who am I speaking with?"),
            new Message("user", "It's Tim."));

    private LoopbackServer server;
    private OpenAiCompatibleLanguageModel model;

    @BeforeEach
    void startServer() throws Exception {
        server = LoopbackServer.start();
        model = new OpenAiCompatibleLanguageModel(config("/v1", Duration.ofSeconds(2)));
    }

    @AfterEach
    void stopServer() {
        model.close();
        server.close();
    }

    private OpenAiCompatibleConfig config(String basePath, Duration idle) {
        return OpenAiCompatibleConfig.compatible("openai", server.uri(basePath), "sk-default").withTimeouts(Duration.ofSeconds(1), idle);
    }

    private static Request request(String apiKey) {
        return new Request("gpt-4o-mini", 0.3, CONVERSATION, List.of(END_CALL), apiKey);
    }

    /** A {@code chat.completion.chunk} as OpenAI streams it (with {@code include_usage}, every chunk has {@code "usage":null}). */
    private static String chunk(String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_06737a9306\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}],\"usage\":null}";
    }

    private static String content(String text) {
        return chunk("{\"content\":\"" + text + "\"}", null);
    }

    private static String usage(long prompt, long completion) {
        return "{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion.chunk\",\"created\":1741569952,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (prompt + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0}}}";
    }

    private static void streamHello(LoopbackServer.Exchange exchange) throws Exception {
        exchange.startEvents(Map.of("x-request-id", "req_hello"));
        exchange.data(chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null));
        exchange.data(content("Hello"));
        exchange.data(content(" Tim"));
        exchange.data(content("!"));
        exchange.data(chunk("{}", "stop"));
        exchange.data(usage(42, 3));
        exchange.data("[DONE]");
    }

    @Test
    void streamsTokensInOrderAndReportsUsageFromTheUsageChunk() throws Exception {
        server.onRequest(OpenAiCompatibleLanguageModelTests::streamHello);
        RecordingListener listener = new RecordingListener();

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Hello", "token: Tim", "token:!", "done:42/3");
        assertThat(listener.threads()).allSatisfy(t -> {
            assertThat(t).isNotSameAs(Thread.currentThread());
            assertThat(t.isVirtual()).isTrue();
        });

        RecordedRequest sent = server.takeRequest();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.header("Authorization")).isEqualTo("Bearer sk-default");
        assertThat(sent.header("Content-Type")).isEqualTo("application/json");
        assertThat(sent.header("Accept")).isEqualTo("text/event-stream");
        JsonNode body = sent.json();
        assertThat(body.get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"You are Santa. Keep it short.\"},"
                + "{\"role\":\"assistant\",\"content\":\"Ho ho ho! Who am I speaking with?\"},{\"role\":\"user\",\"content\":\"It's Tim.\"}]");
        assertThat(body.get("tools").toString()).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"end_call\","
                + "\"description\":\"End the call politely when the conversation is over\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"reason\":{\"type\":\"string\"}}}}}]");
    }

    @Test
    void usesTheRequestKeyOverTheConfiguredOneAndNoAuthorizationWithoutAnyKey() throws Exception {
        server.onRequest(OpenAiCompatibleLanguageModelTests::streamHello);
        RecordingListener withKey = new RecordingListener();
        model.generate(request("sk-tenant"), withKey);
        assertThat(withKey.awaitEnd(WAIT)).isTrue();
        assertThat(server.takeRequest().header("Authorization")).isEqualTo("Bearer sk-tenant");

        try (OpenAiCompatibleLanguageModel local = new OpenAiCompatibleLanguageModel(
                OpenAiCompatibleConfig.compatible("vllm", server.uri("/v1"), null).withDefaultModel("meta-llama/Llama-3.1-8B-Instruct"))) {
            RecordingListener keyless = new RecordingListener();
            local.generate(new Request(null, 0.7, CONVERSATION, List.of(), null), keyless);
            assertThat(keyless.awaitEnd(WAIT)).isTrue();
            assertThat(keyless.events()).last().isEqualTo("done:42/3");
            RecordedRequest sent = server.takeRequest();
            assertThat(sent.header("Authorization")).isNull();
            assertThat(sent.json().get("model").asString()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
            assertThat(sent.json().has("tools")).as("OpenAI rejects an empty tools array").isFalse();
            assertThat(local.id()).isEqualTo("vllm");
        }
    }

    @Test
    void worksBehindABaseUrlWithAPathPrefix() throws Exception {
        server.onRequest(OpenAiCompatibleLanguageModelTests::streamHello);
        try (OpenAiCompatibleLanguageModel groqLike = new OpenAiCompatibleLanguageModel(config("/openai/v1/", Duration.ofSeconds(2)))) {
            RecordingListener listener = new RecordingListener();
            groqLike.generate(request(null), listener);

            assertThat(listener.awaitEnd(WAIT)).isTrue();
            assertThat(listener.tokens()).containsExactly("Hello", " Tim", "!");
            assertThat(server.takeRequest().path()).isEqualTo("/openai/v1/chat/completions");
        }
    }

    @Test
    void assemblesToolCallsFromArgumentFragmentsAndReportsThemAtFinishReason() throws Exception {
        RecordingListener listener = new RecordingListener();
        AtomicBoolean toolCallsBeforeUsage = new AtomicBoolean();
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data(chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null));
            exchange.data(content("Let me check."));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_DdmO9pD3xa9XTPNJ32zg2hcA\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"location\\\"\"}}]}", null));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\": \\\"Paris, France\\\", \"}}]}", null));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"unit\\\": \\\"celsius\\\"}\"}}]}", null));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":1,\"id\":\"call_ABC\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"end_call\",\"arguments\":\"\"}}]}", null));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":\"{\\\"reason\\\":\\\"done\\\"}\"}}]}", null));
            exchange.data(chunk("{}", "tool_calls"));
            toolCallsBeforeUsage.set(listener.awaitEvents("toolCall:", 2, Duration.ofSeconds(2)));
            exchange.data(usage(82, 41));
            exchange.data("[DONE]");
        });

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly(
                "token:Let me check.",
                "toolCall:call_DdmO9pD3xa9XTPNJ32zg2hcA|get_weather|{\"location\": \"Paris, France\", \"unit\": \"celsius\"}",
                "toolCall:call_ABC|end_call|{\"reason\":\"done\"}",
                "done:82/41");
        assertThat(toolCallsBeforeUsage).as("tool calls reported at finish_reason, before the usage chunk").isTrue();
    }

    @Test
    void reportsAToolCallAtTheEndOfTheStreamWhenNoFinishReasonCame() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"end_call\"}}]}", null));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}", null));
            exchange.data("[DONE]");
        });
        RecordingListener listener = new RecordingListener();

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("toolCall:call_1|end_call|{}", "done:0/0");
    }

    @Test
    void failsWhenToolArgumentsAreNotAJsonObject() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of("x-request-id", "req_cut"));
            exchange.data(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"loc\"}}]}", null));
            exchange.data(chunk("{}", "length"));
            exchange.data("[DONE]");
        });
        RecordingListener listener = new RecordingListener();

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
            assertThat(e.requestId()).isEqualTo("req_cut");
            assertThat(e.getMessage()).contains("get_weather", "not a JSON object");
        });
    }

    static Stream<Arguments> vendorErrors() {
        return Stream.of(
                Arguments.of(401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-bad. You can find your API key at "
                        + "https://platform.openai.com/account/api-keys.\",\"type\":\"invalid_request_error\",\"param\":null,"
                        + "\"code\":\"invalid_api_key\"}}", "invalid_request_error", "invalid_api_key", "Incorrect API key provided: sk-bad.", false),
                Arguments.of(429, "{\"error\":{\"message\":\"Rate limit reached for gpt-4o-mini in organization org-123 on requests per "
                        + "min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.\",\"type\":\"requests\",\"param\":null,"
                        + "\"code\":\"rate_limit_exceeded\"}}", "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o-mini", true),
                Arguments.of(500, "{\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\","
                        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}", "server_error", null, "The server had an error", true));
    }

    @ParameterizedTest
    @MethodSource("vendorErrors")
    void failsOnAnHttpErrorWithStatusVendorMessageAndRequestId(int status, String document, String type, String code, String message,
                                                                boolean retryable) throws Exception {
        server.onRequest(exchange -> exchange.respond(status, "application/json", document, Map.of("x-request-id", "req_8f2d")));
        RecordingListener listener = new RecordingListener();

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.HTTP_STATUS);
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.errorType()).isEqualTo(type);
            assertThat(e.errorCode()).isEqualTo(code);
            assertThat(e.vendorMessage()).startsWith(message);
            assertThat(e.requestId()).isEqualTo("req_8f2d");
            assertThat(e.isRetryable()).isEqualTo(retryable);
            assertThat(e.getMessage()).startsWith("openai: HTTP " + status).contains(message, "req_8f2d");
        });
    }

    @Test
    void failsOnAnErrorEventInTheMiddleOfTheStream() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of("x-request-id", "req_mid"));
            exchange.data(content("Sure"));
            exchange.data("{\"error\":{\"message\":\"The server had an error while processing your request. Sorry about that!\","
                    + "\"type\":\"server_error\",\"param\":null,\"code\":null}}");
            exchange.data(content(" never seen"));
            exchange.data("[DONE]");
        });
        RecordingListener listener = new RecordingListener();

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        RecordingListener.pause(100);
        assertThat(listener.events()).containsExactly("token:Sure", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.STREAM_ERROR);
            assertThat(e.errorType()).isEqualTo("server_error");
            assertThat(e.vendorMessage()).startsWith("The server had an error");
            assertThat(e.requestId()).isEqualTo("req_mid");
        });
    }

    @Test
    void returnsAtOnceAndStillGetsASlowFirstToken() throws Exception {
        server.onRequest(exchange -> {
            exchange.sleep(300); // before the headers
            exchange.startEvents(Map.of());
            exchange.sleep(300); // and before the first token
            streamHelloBody(exchange);
        });
        RecordingListener listener = new RecordingListener();

        long start = System.nanoTime();
        model.generate(request(null), listener);
        long returnedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(returnedAfter).isLessThan(200);
        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Hello", "token: Tim", "done:5/2");
    }

    private static void streamHelloBody(LoopbackServer.Exchange exchange) throws Exception {
        exchange.data(content("Hello"));
        exchange.data(content(" Tim"));
        exchange.data(chunk("{}", "stop"));
        exchange.data(usage(5, 2));
        exchange.data("[DONE]");
    }

    @Test
    void deliversEachTokenBeforeTheServerSendsTheNext() throws Exception {
        RecordingListener listener = new RecordingListener();
        AtomicBoolean firstTokenDeliveredAlone = new AtomicBoolean();
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data(content("Well, "));
            firstTokenDeliveredAlone.set(listener.awaitTokens(1, Duration.ofSeconds(2)));
            streamHelloBody(exchange);
        });

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(firstTokenDeliveredAlone).as("the first token reached the listener while the stream was still open").isTrue();
        assertThat(listener.tokens()).containsExactly("Well, ", "Hello", " Tim");
    }

    @Test
    void failsWhenTheStreamStallsLongerThanTheIdleTimeout() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of("x-request-id", "req_stall"));
            exchange.data(content("Hmm"));
            exchange.sleep(5_000);
        });
        RecordingListener listener = new RecordingListener();
        try (OpenAiCompatibleLanguageModel impatient = new OpenAiCompatibleLanguageModel(config("/v1", Duration.ofMillis(300)))) {
            long start = System.nanoTime();
            impatient.generate(request(null), listener);

            assertThat(listener.awaitEnd(WAIT)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 2_500L);
        }
        assertThat(listener.events()).containsExactly("token:Hmm", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(e.requestId()).isEqualTo("req_stall");
            assertThat(e.isRetryable()).isTrue();
        });
    }

    @Test
    void failsWhenNoResponseComesWithinConnectPlusIdleTimeout() throws Exception {
        server.onRequest(exchange -> exchange.sleep(5_000));
        RecordingListener listener = new RecordingListener();
        try (OpenAiCompatibleLanguageModel impatient = new OpenAiCompatibleLanguageModel(
                config("/v1", Duration.ofMillis(300)).withTimeouts(Duration.ofMillis(200), Duration.ofMillis(300)))) {
            impatient.generate(request(null), listener);

            assertThat(listener.awaitEnd(Duration.ofSeconds(3))).isTrue();
        }
        assertThat(listener.events()).containsExactly("failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
    }

    @Test
    void failsNotDoneWhenTheServerEndsTheStreamBeforeDone() throws Exception {
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data(content("Half a"));
            // handler returns: the chunked body ends cleanly, without a finish_reason or [DONE]
        });
        RecordingListener listener = new RecordingListener();

        model.generate(request(null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(listener.events()).containsExactly("token:Half a", "failed");
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
            assertThat(e.getMessage()).contains("[DONE]");
        });
    }

    @Test
    void failsNotDoneWhenTheConnectionDropsMidStream() throws Exception {
        RecordingListener listener = new RecordingListener();
        server.onRequest(exchange -> {
            exchange.startEvents(Map.of());
            exchange.data(content("Half a"));
            exchange.sleep(5_000);
        });

        model.generate(request(null), listener);
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
            // bursts of 20 events per write: at cancel time the client holds events it has read but not delivered
            exchange.sendUntilClosed(("data: " + content("word ") + "\n\n").repeat(20), Duration.ofMillis(5), Duration.ofSeconds(10));
        });
        RecordingListener listener = new RecordingListener();

        LanguageModel.Generation generation = model.generate(request(null), listener);
        assertThat(listener.awaitTokens(3, WAIT)).isTrue();
        generation.cancel();
        listener.mark("cancel returned");

        assertThat(server.connectionClosed.await(5, TimeUnit.SECONDS)).as("the server saw the connection closed").isTrue();
        RecordingListener.pause(200);
        assertThat(listener.eventsAfter("cancel returned")).isEmpty();
        assertThat(listener.events()).noneMatch(e -> e.startsWith("done") || e.equals("failed"));
        generation.cancel(); // twice is harmless
    }

    @Test
    void cancelBeforeTheResponseArrivesCallsNothing() throws Exception {
        server.onRequest(exchange -> {
            exchange.sleep(300);
            exchange.startEvents(Map.of());
            exchange.sendUntilClosed("data: " + content("late ") + "\n\n", Duration.ofMillis(5), Duration.ofSeconds(10));
        });
        RecordingListener listener = new RecordingListener();

        LanguageModel.Generation generation = model.generate(request(null), listener);
        assertThat(server.requestReceived.await(5, TimeUnit.SECONDS)).isTrue();
        generation.cancel();

        assertThat(server.connectionClosed.await(5, TimeUnit.SECONDS)).as("the server saw the connection closed").isTrue();
        assertThat(listener.events()).isEmpty();
    }

    @Test
    void sendsAToolExchangeAsAssistantToolCallsAndToolMessagesWithTheirIds() throws Exception {
        server.onRequest(OpenAiCompatibleLanguageModelTests::streamHello);
        RecordingListener listener = new RecordingListener();

        model.generate(new Request("gpt-4o-mini", 0.3, List.of(
                new Message("system", "You book tables."),
                new Message("user", "A table for two at eight?"),
                new Message("assistant", "Let me check."),
                Message.toolCall("call_1", "book_table", "{\"people\":2,\"time\":\"20:00\"}"),
                Message.toolCall("call_2", "send_sms", "{}"),
                Message.toolResult("call_1", "book_table", "{\"status\":\"booked\"}"),
                Message.toolResult("call_2", "send_sms", "{\"sent\":true}")), List.of(), null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(server.takeRequest().json().get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"You book tables.\"},"
                + "{\"role\":\"user\",\"content\":\"A table for two at eight?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Let me check.\",\"tool_calls\":["
                + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"book_table\",\"arguments\":\"{\\\"people\\\":2,\\\"time\\\":\\\"20:00\\\"}\"}},"
                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"send_sms\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"{\\\"status\\\":\\\"booked\\\"}\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"{\\\"sent\\\":true}\"}]");
    }

    @Test
    void sendsToolResultsWithoutACallIdAsUserTextAndLeavesOutEmptyAssistantMessages() throws Exception {
        server.onRequest(OpenAiCompatibleLanguageModelTests::streamHello);
        RecordingListener listener = new RecordingListener();

        model.generate(new Request("gpt-4o-mini", 0.3, List.of(
                new Message("system", "You book tables."),
                new Message("user", "A table for two at eight?"),
                new Message("assistant", ""),
                new Message("tool", "{\"status\":\"booked\",\"time\":\"20:00\"}")), List.of(), null), listener);

        assertThat(listener.awaitEnd(WAIT)).isTrue();
        assertThat(server.takeRequest().json().get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"You book tables.\"},"
                + "{\"role\":\"user\",\"content\":\"A table for two at eight?\"},"
                + "{\"role\":\"user\",\"content\":\"[tool result] {\\\"status\\\":\\\"booked\\\",\\\"time\\\":\\\"20:00\\\"}\"}]");
    }

    @Test
    void reportsABadRequestThroughTheListenerOnAnotherThreadWithoutCallingTheServer() throws Exception {
        RecordingListener noModel = new RecordingListener();
        model.generate(new Request(null, 0.3, CONVERSATION, List.of(), null), noModel);
        RecordingListener badSchema = new RecordingListener();
        model.generate(new Request("gpt-4o-mini", 0.3, CONVERSATION, List.of(new Tool("x", "y", "not json")), null), badSchema);

        assertThat(noModel.awaitEnd(WAIT)).isTrue();
        assertThat(badSchema.awaitEnd(WAIT)).isTrue();
        assertThat(noModel.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no model");
        assertThat(badSchema.error()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tool x");
        assertThat(noModel.threads()).allSatisfy(t -> assertThat(t).isNotSameAs(Thread.currentThread()));
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void failsWithAConnectionErrorWhenNothingListens() throws Exception {
        URI closed = server.uri("/v1");
        server.close();
        RecordingListener listener = new RecordingListener();
        try (OpenAiCompatibleLanguageModel offline = new OpenAiCompatibleLanguageModel(
                OpenAiCompatibleConfig.compatible("ollama", closed, null))) {
            offline.generate(request(null), listener);
            assertThat(listener.awaitEnd(WAIT)).isTrue();
        }
        assertThat(listener.error()).isInstanceOfSatisfying(LanguageModelException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
            assertThat(e.provider()).isEqualTo("ollama");
        });
    }
}
