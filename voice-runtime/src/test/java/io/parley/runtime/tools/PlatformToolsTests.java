package io.parley.runtime.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.LoopbackServer;
import io.parley.runtime.session.CallBootstrap;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Platform tools against a loopback platform-api that answers as the real one does ({@code POST /v1/calls},
 * RFC 9457 problems), asserting the exact requests java-sdk sends: the call's credential, an idempotency key
 * per tool call, and the call's callee and persona whatever the model says.
 */
class PlatformToolsTests {

    static final JsonMapper JSON = JsonMapper.builder().build();
    /** Friday 1 May 2026, 14:03 in London (BST, UTC+1). */
    static final Instant NOW = Instant.parse("2026-05-01T13:03:00Z");
    static final UUID CALL = UUID.randomUUID();
    static final UUID TENANT = UUID.randomUUID();
    static final UUID PERSONA = UUID.randomUUID();
    static final String CALLEE = "+442071838750";
    static final String CREDENTIAL = "cc_test_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYWxsIn0.c2lnbmF0dXJl";

    LoopbackServer platform;
    PlatformTools tools;

    @BeforeEach
    void start() throws Exception {
        platform = LoopbackServer.start();
        tools = tools(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        tools.close();
        platform.close();
    }

    PlatformTools tools(Duration timeout) {
        return new PlatformTools(new PlatformApiProperties(platform.uri("").toString(), timeout, Duration.ofSeconds(1), 1),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    static CallBootstrap call(List<String> allowed, String credential, String to) {
        CallBootstrap.Persona persona = new CallBootstrap.Persona(PERSONA, "Reception", "receptionist", "You take calls.", "Hello!", "en-GB",
                null, null, new CallBootstrap.Provider("fake-llm", "fake-model", Map.of()), null, List.of(), allowed);
        return new CallBootstrap(CallBootstrap.VERSION, CALL, TENANT, "test", persona, Map.of("name", "Ella"), to, "Europe/London", credential);
    }

    static CallBootstrap call() {
        return call(List.of("schedule_callback"), CREDENTIAL, CALLEE);
    }

    /** Answers {@code POST /v1/calls} with 201 and the call it made, as platform-api does. */
    void platformCreatesCalls(UUID newCall) {
        platform.onRequest(exchange -> {
            JsonNode body = exchange.request().json();
            exchange.respond(201, "application/json", createdCall(newCall, body), Map.of("X-Request-Id", "req_created"));
        });
    }

    static String createdCall(UUID id, JsonNode request) {
        return JSON.writeValueAsString(Map.of(
                "id", id.toString(), "personaId", request.get("personaId").asString(), "to", request.get("to").asString(),
                "status", "scheduled", "mode", "test", "scheduledAt", request.get("scheduledAt").asString(),
                "timeZone", request.get("timeZone").asString(), "variables", JSON.treeToValue(request.get("variables"), Map.class),
                "createdAt", "2026-05-01T13:03:01Z", "updatedAt", "2026-05-01T13:03:01Z"));
    }

    static JsonNode result(CompletableFuture<String> result) throws Exception {
        return JSON.readTree(result.get(10, TimeUnit.SECONDS));
    }

    // --- what the model is offered --------------------------------------------------------------

    @Test
    void offersTheToolsThePersonaListsWithTheCallersLocalTime() {
        List<LanguageModel.Tool> offered = tools.offered(call(), NOW);

        assertThat(offered).extracting(LanguageModel.Tool::name).containsExactly("schedule_callback");
        assertThat(offered.getFirst().description()).contains("Europe/London").contains("2026-05-01T14:03 (Friday)");
        JsonNode schema = JSON.readTree(offered.getFirst().parametersJsonSchema());
        assertThat(schema.get("type").asString()).isEqualTo("object");
        assertThat(schema.get("required").toString()).isEqualTo("[\"at\"]");
        assertThat(schema.get("properties").has("to")).as("the model is never asked for a number").isFalse();
    }

    @Test
    void offersNothingWithoutTheToolInThePersonaACredentialACalleeOrPlatformApi() {
        assertThat(tools.offered(call(null, CREDENTIAL, CALLEE), NOW)).isEmpty();
        assertThat(tools.offered(call(List.of(), CREDENTIAL, CALLEE), NOW)).isEmpty();
        assertThat(tools.offered(call(List.of("book_table"), CREDENTIAL, CALLEE), NOW)).isEmpty();
        assertThat(tools.offered(call(List.of("schedule_callback"), null, CALLEE), NOW)).isEmpty();
        assertThat(tools.offered(call(List.of("schedule_callback"), CREDENTIAL, null), NOW)).isEmpty();
        try (PlatformTools none = PlatformTools.none()) {
            assertThat(none.offered(call(), NOW)).isEmpty();
        }
    }

    // --- running it -----------------------------------------------------------------------------

    @Test
    void schedulesACallBackToTheCalleeWithThePersonaAsTheCall() throws Exception {
        UUID newCall = UUID.randomUUID();
        platformCreatesCalls(newCall);

        JsonNode result = result(tools.execute(call(), "toolu_01", "schedule_callback",
                "{\"at\":\"2026-05-02T18:00\",\"reason\":\"the booking\"}"));

        LoopbackServer.RecordedRequest request = platform.takeRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/calls");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + CREDENTIAL);
        assertThat(request.header("Idempotency-Key"))
                .isEqualTo("tool:" + CALL + ":" + UUID.nameUUIDFromBytes("toolu_01".getBytes(StandardCharsets.UTF_8)));
        assertThat(request.header("Content-Type")).startsWith("application/json");
        JsonNode body = request.json();
        assertThat(body.get("personaId").asString()).isEqualTo(PERSONA.toString());
        assertThat(body.get("to").asString()).isEqualTo(CALLEE);
        assertThat(OffsetDateTime.parse(body.get("scheduledAt").asString()).toInstant()).isEqualTo(Instant.parse("2026-05-02T17:00:00Z"));
        assertThat(body.get("timeZone").asString()).isEqualTo("Europe/London");
        assertThat(body.get("variables").get("name").asString()).as("the call's variables carry over").isEqualTo("Ella");
        assertThat(body.get("variables").get("callback_reason").asString()).isEqualTo("the booking");

        assertThat(result.get("status").asString()).isEqualTo("scheduled");
        assertThat(result.get("callId").asString()).isEqualTo(newCall.toString());
        assertThat(result.get("scheduledAt").asString()).isEqualTo("2026-05-02T18:00+01:00");
        assertThat(result.get("localTime").asString()).isEqualTo("Saturday 2 May 2026, 18:00 (Europe/London)");
        assertThat(platform.requestCount()).isZero();
    }

    @Test
    void aNumberTenantPersonaOrCredentialFromTheModelIsIgnored() throws Exception {
        platformCreatesCalls(UUID.randomUUID());
        String other = UUID.randomUUID().toString();

        JsonNode result = result(tools.execute(call(), "toolu_02", "schedule_callback", JSON.writeValueAsString(Map.of(
                "at", "2026-05-02T17:00:00Z", "to", "+14155550100", "tenantId", other, "personaId", other,
                "credential", "sk_live_stolen"))));

        LoopbackServer.RecordedRequest request = platform.takeRequest();
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + CREDENTIAL);
        JsonNode body = request.json();
        assertThat(body.get("to").asString()).isEqualTo(CALLEE);
        assertThat(body.get("personaId").asString()).isEqualTo(PERSONA.toString());
        assertThat(body.has("tenantId")).isFalse();
        assertThat(request.body()).doesNotContain("+14155550100").doesNotContain(other).doesNotContain("sk_live_stolen");
        assertThat(OffsetDateTime.parse(body.get("scheduledAt").asString()).toInstant()).isEqualTo(Instant.parse("2026-05-02T17:00:00Z"));
        assertThat(result.get("status").asString()).isEqualTo("scheduled");
    }

    @Test
    void aProblemFromThePlatformBecomesAnErrorResultTheModelCanSpeakAbout() throws Exception {
        platform.onRequest(exchange -> exchange.respond(403, "application/problem+json", """
                {"type":"https://parley.dev/problems/forbidden","title":"Not allowed","status":403,
                 "detail":"A call credential may only place calls to its own call's number","requestId":"req_403"}""", Map.of()));

        JsonNode result = result(tools.execute(call(), "toolu_03", "schedule_callback", "{\"at\":\"2026-05-02T18:00\"}"));

        assertThat(result.get("error").asString()).isEqualTo("forbidden");
        assertThat(result.get("status").asInt()).isEqualTo(403);
        assertThat(result.get("problemType").asString()).isEqualTo("https://parley.dev/problems/forbidden");
        assertThat(result.get("message").asString()).isEqualTo("A call credential may only place calls to its own call's number");
        assertThat(result.get("requestId").asString()).isEqualTo("req_403");
        platform.takeRequest();
        assertThat(platform.requestCount()).as("a 4xx is not retried").isZero();
    }

    @Test
    void aValidationProblemNamesItsFields() throws Exception {
        platform.onRequest(exchange -> exchange.respond(422, "application/problem+json", """
                {"type":"https://parley.dev/problems/validation-error","title":"Validation failed","status":422,
                 "detail":"scheduledAt: is more than a year ahead","errors":[{"field":"scheduledAt","detail":"is more than a year ahead"}]}""",
                Map.of()));

        JsonNode result = result(tools.execute(call(), "toolu_04", "schedule_callback", "{\"at\":\"2026-05-02T18:00\"}"));

        assertThat(result.get("error").asString()).isEqualTo("rejected");
        assertThat(result.get("fields").get(0).get("field").asString()).isEqualTo("scheduledAt");
        assertThat(result.get("fields").get(0).get("detail").asString()).isEqualTo("is more than a year ahead");
    }

    @Test
    void aServerErrorIsRetriedWithTheSameIdempotencyKey() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        UUID newCall = UUID.randomUUID();
        platform.onRequest(exchange -> {
            if (attempts.incrementAndGet() == 1) {
                exchange.respond(503, "application/problem+json",
                        "{\"type\":\"https://parley.dev/problems/internal-error\",\"title\":\"Internal error\",\"status\":503}", Map.of("Retry-After", "0"));
            } else {
                exchange.respond(201, "application/json", createdCall(newCall, exchange.request().json()), Map.of());
            }
        });

        JsonNode result = result(tools.execute(call(), "toolu_05", "schedule_callback", "{\"at\":\"2026-05-02T18:00\"}"));

        assertThat(result.get("callId").asString()).isEqualTo(newCall.toString());
        String first = platform.takeRequest().header("Idempotency-Key");
        assertThat(platform.takeRequest().header("Idempotency-Key")).isEqualTo(first);
    }

    @Test
    void aPlatformSlowerThanTheToolTimeoutGivesATimeoutResultWithoutHoldingTheCaller() throws Exception {
        try (PlatformTools impatient = tools(Duration.ofMillis(300))) {
            platform.onRequest(exchange -> {
                exchange.sleep(3_000);
                exchange.respond(201, "application/json", createdCall(UUID.randomUUID(), exchange.request().json()), Map.of());
            });
            long started = System.nanoTime();
            CompletableFuture<String> pending = impatient.execute(call(), "toolu_06", "schedule_callback", "{\"at\":\"2026-05-02T18:00\"}");
            long returnedMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(pending).as("execute returns before the platform answers").isNotDone();

            JsonNode result = result(pending);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(returnedMillis).isLessThan(250);
            assertThat(result.get("error").asString()).isEqualTo("timeout");
            assertThat(result.get("message").asString()).contains("300 ms");
            assertThat(tookMillis).isBetween(250L, 2_500L);
            assertThat(platform.takeRequest().path()).isEqualTo("/v1/calls");
        }
    }

    @Test
    void argumentsTheToolCannotUseNeverReachThePlatform() throws Exception {
        platformCreatesCalls(UUID.randomUUID());

        assertThat(result(tools.execute(call(), "a", "schedule_callback", "{\"at\":\"tomorrow at six\"}")).get("message").asString())
                .contains("not a date and time");
        assertThat(result(tools.execute(call(), "b", "schedule_callback", "{\"at\":\"2026-05-01T09:00\"}")).get("message").asString())
                .contains("not in the future").contains("it is now 2026-05-01T14:03");
        assertThat(result(tools.execute(call(), "c", "schedule_callback", "{\"at\":\"2027-06-01T09:00\"}")).get("message").asString())
                .contains("more than a year ahead");
        assertThat(result(tools.execute(call(), "d", "schedule_callback", "{}")).get("message").asString()).contains("at: required");
        assertThat(result(tools.execute(call(), "e", "schedule_callback", "not json")).get("error").asString()).isEqualTo("invalid_arguments");
        assertThat(result(tools.execute(call(), "f", "schedule_callback", "[1]")).get("error").asString()).isEqualTo("invalid_arguments");
        assertThat(result(tools.execute(call(), "g", "schedule_callback", "{\"at\":\"2026-05-02T18:00\",\"reason\":\"" + "x".repeat(201) + "\"}"))
                .get("error").asString()).isEqualTo("invalid_arguments");

        Thread.sleep(100);
        assertThat(platform.requestCount()).isZero();
    }

    @Test
    void aToolTheCallWasNotOfferedDoesNothing() throws Exception {
        assertThat(result(tools.execute(call(), "a", "book_table", "{}")).get("message").asString()).isEqualTo("no such tool: book_table");
        assertThat(result(tools.execute(call(List.of(), CREDENTIAL, CALLEE), "b", "schedule_callback", "{\"at\":\"2026-05-02T18:00\"}"))
                .get("error").asString()).isEqualTo("unknown_tool");
        assertThat(result(tools.execute(call(List.of("schedule_callback"), null, CALLEE), "c", "schedule_callback", "{\"at\":\"2026-05-02T18:00\"}"))
                .get("error").asString()).isEqualTo("unknown_tool");

        Thread.sleep(100);
        assertThat(platform.requestCount()).isZero();
    }
}
