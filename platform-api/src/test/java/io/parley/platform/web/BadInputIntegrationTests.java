package io.parley.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of bad input answers a 4xx RFC 9457 problem with a stable type, names the offending
 * field, echoes the request id, reveals no internals, and writes nothing.
 */
class BadInputIntegrationTests extends IntegrationTest {

    private static final String PROBLEMS = "https://parley.dev/problems/";
    /** Every table a request could write to; each refused request must leave all of them unchanged. */
    private static final List<String> TABLES = List.of("tenants", "api_keys", "personas", "calls", "call_events",
            "idempotency_keys", "operator_idempotency_keys");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int LIMIT = 64 * 1024;

    private TestTenant tenant;
    private String personaId;
    private String callId;

    @BeforeEach
    void tenantWithAPersonaAndACall() {
        tenant = newTenant();
        personaId = createPersona(tenant, "Santa").get("id").asString();
        callId = createCall(tenant, personaId).get("id").asString();
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void malformedJsonIs400MalformedRequest() {
        for (String body : List.of("{\"name\": \"Santa\",", "{name: 'Santa'}", "{\"name\" \"Santa\"}", "{\"name\":\"Santa\"}}")) {
            JsonNode problem = refused(() -> keyed().post("/v1/personas", body), 400, "malformed-request");
            assertThat(problem.get("detail").asString()).as(body).isEqualTo("The body is not valid JSON");
        }
        refused(() -> keyed().post("/v1/calls", "{\"personaId\": \"" + personaId + "\", \"to\": \"+442071838750\""),
                400, "malformed-request");

        // the id the caller chose is the one echoed
        ApiClient.Response response = tenant.api().withHeader("X-Request-Id", "bad-input.malformed-1").post("/v1/personas", "{");
        assertProblem(response, 400, "malformed-request");
        assertThat(response.header("X-Request-Id")).isEqualTo("bad-input.malformed-1");

        // control: the same endpoint does write when the body is well-formed
        assertThat(tenant.api().post("/v1/personas", personaBody("Well-formed")).status()).isEqualTo(201);
    }

    @Test
    void wrongJsonTypesAre400NamingTheField() {
        refused(() -> keyed().post("/v1/personas", persona(Map.of("name", 5))), 400, "malformed-request", "name");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("name", true))), 400, "malformed-request", "name");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("name", 1.5))), 400, "malformed-request", "name");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("systemPrompt", List.of("x")))), 400, "malformed-request", "systemPrompt");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("firstMessage", Map.of("text", "Ho")))), 400, "malformed-request", "firstMessage");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("voice", "offline"))), 400, "malformed-request", "voice");
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", "x"))), 400, "malformed-request", "variables");
        refused(() -> keyed().post("/v1/calls", call(Map.of("to", 442071838750L))), 400, "malformed-request", "to");
        refused(() -> keyed().post("/v1/calls", call(Map.of("personaId", 5))), 400, "malformed-request", "personaId");
        refused(() -> keyed().post("/v1/calls/" + callId + "/cancel", ApiClient.json(Map.of("reason", 5))), 400, "malformed-request", "reason");
        refused(() -> operator().withHeader("Idempotency-Key", UUID.randomUUID().toString()).post("/v1/tenants", "{\"name\": 5}"),
                400, "malformed-request", "name");

        JsonNode problem = refused(() -> keyed().post("/v1/personas", persona(Map.of("name", 5))), 400, "malformed-request", "name");
        assertThat(problem.get("errors").get(0).get("detail").asString()).isEqualTo("must be a string");
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).as("the call was not canceled").isEqualTo("scheduled");
    }

    @Test
    void missingRequiredFieldsAre422NamingEachField() {
        refused(() -> keyed().post("/v1/personas", "{\"kind\": \"santa\"}"), 422, "validation-error",
                "name", "systemPrompt", "firstMessage");
        refused(() -> keyed().post("/v1/personas", "{\"name\": \"Santa\", \"systemPrompt\": \"p\", \"firstMessage\": \"m\"}"),
                422, "validation-error", "kind");
        refused(() -> keyed().post("/v1/personas", "{}"), 422, "validation-error", "name", "kind", "systemPrompt", "firstMessage");
        refused(() -> keyed().post("/v1/personas", persona(nullValue("name"))), 422, "validation-error", "name");

        refused(() -> keyed().post("/v1/calls", "{}"), 422, "validation-error", "personaId", "to");
        refused(() -> keyed().post("/v1/calls", ApiClient.json(Map.of("personaId", personaId))), 422, "validation-error", "to");
        refused(() -> keyed().post("/v1/calls", ApiClient.json(Map.of("to", "+442071838750"))), 422, "validation-error", "personaId");
        refused(() -> operator().post("/v1/tenants", "{}"), 422, "validation-error", "name");

        JsonNode problem = refused(() -> keyed().post("/v1/calls", "{}"), 422, "validation-error", "personaId", "to");
        assertThat(problem.get("errors")).allSatisfy(e -> assertThat(e.get("detail").asString()).isEqualTo("must not be null"));
    }

    @Test
    void unknownEnumValuesAre400ListingTheAllowedOnes() {
        JsonNode kind = refused(() -> keyed().post("/v1/personas", persona(Map.of("kind", "elf"))), 400, "malformed-request", "kind");
        assertThat(kind.get("errors").get(0).get("detail").asString()).isEqualTo("must be one of: santa, companion, receptionist, custom");

        JsonNode provider = refused(() -> keyed().post("/v1/personas", persona(Map.of("voice", Map.of("provider", "x", "voiceId", "v")))),
                400, "malformed-request", "voice.provider");
        assertThat(provider.get("errors").get(0).get("detail").asString()).isEqualTo("must be one of: offline, elevenlabs, openai");

        refused(() -> keyed().post("/v1/personas", persona(Map.of("kind", "SANTA"))), 400, "malformed-request", "kind");
        refused(() -> keyed().post("/v1/api-keys", "{\"mode\": \"prod\"}"), 400, "malformed-request", "mode");
        refused(() -> keyed().post("/v1/api-keys", "{\"scopes\": [\"calls:read\", \"calls:delete\"]}"), 400, "malformed-request", "scopes[1]");

        JsonNode status = refused(() -> tenant.api().get("/v1/calls?status=bogus"), 400, "invalid-parameter", "status");
        assertThat(status.get("errors").get(0).get("detail").asString()).contains("scheduled", "in_progress", "canceled");
        refused(() -> tenant.api().get("/v1/personas?kind=elf"), 400, "invalid-parameter", "kind");

        // control: the wire form of a valid value is accepted
        assertThat(tenant.api().get("/v1/calls?status=in_progress").status()).isEqualTo(200);
        assertThat(tenant.api().get("/v1/calls?status=scheduled").json().get("data")).hasSize(1);
    }

    @Test
    void invalidPhoneNumbersAre422NamingTo() {
        // these pass the spec's E.164 pattern but libphonenumber knows no such number
        for (String to : List.of("+1555", "+99912345678", "+4420")) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("to", to))), 422, "validation-error", "to");
            assertThat(problem.get("errors").get(0).get("detail").asString()).as(to)
                    .isEqualTo("not a valid phone number in E.164 (e.g. +442071838750)");
        }
        // these fail the spec's pattern itself (no plus, 16 digits, spaces, non-ASCII digits, empty)
        for (String to : List.of("12345", "+4420718387501234", "+44 20 7183 8750", "+４４２０７１８３８７５０", "", "+0442071838750")) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("to", to))), 422, "validation-error", "to");
            assertThat(problem.get("errors").get(0).get("detail").asString()).as(to).isEqualTo("must match \"^\\+[1-9][0-9]{1,14}$\"");
        }
        // control: a real number is accepted and kept in E.164
        ApiClient.Response ok = tenant.api().post("/v1/calls", call(Map.of("to", "+14155552671")));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(ok.json().get("to").asString()).isEqualTo("+14155552671");
    }

    @Test
    void invalidTimeZonesAre422NamingTimeZone() {
        for (String zone : List.of("Mars/Olympus", "GMT+25", "europe/london", "Europe/London ", "")) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("timeZone", zone))), 422, "validation-error", "timeZone");
            assertThat(problem.get("errors").get(0).get("detail").asString()).as(zone).isEqualTo("not an IANA time zone (e.g. Europe/London)");
        }
        refused(() -> keyed().post("/v1/calls", call(Map.of("timeZone", "Europe/" + "x".repeat(60)))), 422, "validation-error", "timeZone");
        // both errors of one request are reported together
        refused(() -> keyed().post("/v1/calls", call(Map.of("timeZone", "Mars/Olympus", "to", "+1555"))), 422, "validation-error", "to", "timeZone");
        // control
        assertThat(tenant.api().post("/v1/calls", call(Map.of("timeZone", "America/Argentina/Buenos_Aires"))).status()).isEqualTo(201);
    }

    @Test
    void aBodyOverTheSizeLimitIs413() {
        // with Content-Length: refused before anything reads it
        JsonNode declared = refused(() -> raw("POST", "/v1/personas", HttpRequest.BodyPublishers.ofString(paddedPersona(LIMIT + 1))),
                413, "content-too-large");
        assertThat(declared.get("detail").asString()).isEqualTo("The request body is larger than 65536 bytes");
        refused(() -> raw("POST", "/v1/calls", HttpRequest.BodyPublishers.ofString(" ".repeat(1_000_000) + "{}")), 413, "content-too-large");

        // chunked, of unknown length: refused while it is read
        refused(() -> raw("POST", "/v1/personas", streamed(paddedPersona(LIMIT + 1))), 413, "content-too-large");
        refused(() -> raw("POST", "/v1/calls", streamed(" ".repeat(300_000) + call(Map.of()))), 413, "content-too-large");
        refused(() -> raw("POST", "/v1/calls/" + callId + "/cancel", streamed("{\"reason\": \"" + "r".repeat(LIMIT) + "\"}")),
                413, "content-too-large");
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).isEqualTo("scheduled");

        // control: exactly at the limit is accepted, declared or streamed
        ApiClient.Response atLimit = raw("POST", "/v1/personas", HttpRequest.BodyPublishers.ofString(paddedPersona(LIMIT)));
        assertThat(atLimit.status()).as(atLimit.body()).isEqualTo(201);
        ApiClient.Response streamedAtLimit = raw("POST", "/v1/personas", streamed(paddedPersona(LIMIT)));
        assertThat(streamedAtLimit.status()).as(streamedAtLimit.body()).isEqualTo(201);
    }

    @Test
    void aWrongContentTypeIs415() {
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "application/json; charset=nonsense")) {
            refused(() -> tenant.api().send("POST", "/v1/personas", personaBody("Typed"), type), 415, "unsupported-media-type");
        }
        refused(() -> tenant.api().send("POST", "/v1/personas", personaBody("Untyped"), null), 415, "unsupported-media-type");
        refused(() -> tenant.api().send("POST", "/v1/calls", callBody(personaId), "text/plain"), 415, "unsupported-media-type");
        refused(() -> tenant.api().send("PATCH", "/v1/personas/" + personaId, "{\"name\": \"Renamed\"}", "text/plain"), 415, "unsupported-media-type");
        assertThat(tenant.api().get("/v1/personas/" + personaId).json().get("name").asString()).isEqualTo("Santa");
    }

    @Test
    void anIdThatIsNotAnIdIs400NamingTheParameter() {
        refused(() -> tenant.api().get("/v1/personas/not-a-uuid"), 400, "invalid-parameter", "personaId");
        refused(() -> tenant.api().patch("/v1/personas/not-a-uuid", "{\"name\": \"x\"}"), 400, "invalid-parameter", "personaId");
        refused(() -> tenant.api().delete("/v1/personas/not-a-uuid"), 400, "invalid-parameter", "personaId");
        refused(() -> keyed().post("/v1/calls/123/cancel", null), 400, "invalid-parameter", "callId");
        refused(() -> keyed().post("/v1/calls/123/cancel", "{\"reason\": \"r\"}"), 400, "invalid-parameter", "callId");
        refused(() -> tenant.api().get("/v1/calls/" + callId + "x"), 400, "invalid-parameter", "callId");
        refused(() -> tenant.api().get("/v1/calls/123/events"), 400, "invalid-parameter", "callId");
        refused(() -> tenant.api().get("/v1/api-keys/123"), 400, "invalid-parameter", "apiKeyId");
        JsonNode query = refused(() -> tenant.api().get("/v1/calls?personaId=xyz"), 400, "invalid-parameter", "personaId");
        assertThat(query.get("errors").get(0).get("detail").asString()).isEqualTo("not a valid id");
        // in a body it is a malformed body, naming the field
        refused(() -> keyed().post("/v1/calls", call(Map.of("personaId", "xyz"))), 400, "malformed-request", "personaId");
        // control: a well-formed id of nothing is a 404, not a 400
        assertProblem(tenant.api().get("/v1/personas/" + UUID.randomUUID()), 404, "not-found");
    }

    @Test
    void anUnknownFieldIs400NamingIt() {
        Map<String, Object> misspelt = new LinkedHashMap<>(Map.of("nmae", "Santa", "kind", "santa", "systemPrompt", "p", "firstMessage", "m"));
        JsonNode problem = refused(() -> keyed().post("/v1/personas", ApiClient.json(misspelt)), 400, "malformed-request", "nmae");
        assertThat(problem.get("errors").get(0).get("detail").asString()).isEqualTo("unknown field");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("voice", Map.of("provider", "offline", "voiceId", "v", "speed", 2)))),
                400, "malformed-request", "voice.speed");
        refused(() -> keyed().post("/v1/calls", call(Map.of("from", "+442071838751"))), 400, "malformed-request", "from");
        refused(() -> tenant.api().patch("/v1/personas/" + personaId, "{\"nmae\": \"Renamed\"}"), 400, "malformed-request", "nmae");
        refused(() -> keyed().post("/v1/calls/" + callId + "/cancel", "{\"reasn\": \"r\"}"), 400, "malformed-request", "reasn");
        assertThat(tenant.api().get("/v1/calls/" + callId).json().get("status").asString()).isEqualTo("scheduled");
    }

    @Test
    void blankStringsAre422NamingTheField() {
        refused(() -> keyed().post("/v1/personas", persona(Map.of("name", "   "))), 422, "validation-error", "name");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("systemPrompt", " \t "))), 422, "validation-error", "systemPrompt");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("firstMessage", "\n"))), 422, "validation-error", "firstMessage");
        refused(() -> keyed().post("/v1/personas", persona(Map.of("name", ""))), 422, "validation-error", "name");
        refused(() -> tenant.api().patch("/v1/personas/" + personaId, "{\"name\": \"  \"}"), 422, "validation-error", "name");
        refused(() -> operator().post("/v1/tenants", "{\"name\": \"   \"}"), 422, "validation-error", "name");
        assertThat(tenant.api().get("/v1/personas/" + personaId).json().get("name").asString()).isEqualTo("Santa");
    }

    @Test
    void anInvalidLanguageIs422NamingLanguage() {
        for (String language : List.of("english!!", "en_US_", "12", "")) {
            JsonNode problem = refused(() -> keyed().post("/v1/personas", persona(Map.of("language", language))), 422, "validation-error", "language");
            assertThat(problem.get("errors").get(0).get("detail").asString()).as(language).isEqualTo("not a BCP-47 language tag (e.g. en-US)");
        }
        refused(() -> tenant.api().patch("/v1/personas/" + personaId, "{\"language\": \"english!!\"}"), 422, "validation-error", "language");
        assertThat(tenant.api().get("/v1/personas/" + personaId).json().get("language").asString()).isEqualTo("en-US");
        // control: a valid tag is accepted, in its canonical case
        ApiClient.Response ok = tenant.api().post("/v1/personas", persona(Map.of("language", "pt-br")));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
        assertThat(ok.json().get("language").asString()).isEqualTo("pt-BR");
    }

    @Test
    void badPaginationParametersAre400NamingTheParameter() {
        for (String list : List.of("/v1/personas", "/v1/calls", "/v1/api-keys", "/v1/calls/" + callId + "/events")) {
            refused(() -> tenant.api().get(list + "?limit=0"), 400, "invalid-parameter", "limit");
            refused(() -> tenant.api().get(list + "?limit=101"), 400, "invalid-parameter", "limit");
            refused(() -> tenant.api().get(list + "?limit=-1"), 400, "invalid-parameter", "limit");
            refused(() -> tenant.api().get(list + "?limit=ten"), 400, "invalid-parameter", "limit");
            refused(() -> tenant.api().get(list + "?limit=99999999999"), 400, "invalid-parameter", "limit");
            JsonNode cursor = refused(() -> tenant.api().get(list + "?cursor=garbage!!"), 400, "invalid-parameter", "cursor");
            assertThat(cursor.get("errors").get(0).get("detail").asString()).isEqualTo("not a cursor this API gave out");
            refused(() -> tenant.api().get(list + "?cursor=Zm9vOmJhcg"), 400, "invalid-parameter", "cursor"); // base64 of "foo:bar"
            refused(() -> tenant.api().get(list + "?cursor=" + "a".repeat(201)), 400, "invalid-parameter", "cursor");
            // control: the bounds themselves are fine
            assertThat(tenant.api().get(list + "?limit=1").status()).as(list).isEqualTo(200);
            assertThat(tenant.api().get(list + "?limit=100").status()).as(list).isEqualTo(200);
        }
    }

    @Test
    void scheduledAtMustBeAnRfc3339DateTimeNotInThePast() {
        for (String notADateTime : List.of("tomorrow", "2030-01-01T10:00:00", "2030-01-01", "2030-13-01T10:00:00Z", "24/12/2030 18:00")) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("scheduledAt", notADateTime))), 400, "malformed-request", "scheduledAt");
            assertThat(problem.get("errors").get(0).get("detail").asString()).as(notADateTime).startsWith("must be a date-time with offset");
        }
        String tenMinutesAgo = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
        for (String past : List.of("2020-01-01T00:00:00Z", tenMinutesAgo)) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("scheduledAt", past))), 422, "validation-error", "scheduledAt");
            assertThat(problem.get("errors").get(0).get("detail").asString()).isEqualTo("is in the past");
        }
        // control: a minute of clock skew is forgiven, the future is fine
        String aMinuteAgo = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();
        assertThat(tenant.api().post("/v1/calls", call(Map.of("scheduledAt", aMinuteAgo))).status()).isEqualTo(201);
        String nextMonth = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        assertThat(tenant.api().post("/v1/calls", call(Map.of("scheduledAt", nextMonth))).status()).isEqualTo(201);
        // calls are booked at most a year ahead; years PostgreSQL cannot hold are refused the same way, not a 500
        for (String far : List.of("2099-12-24T18:00:00+01:00", "+999999-01-01T10:00:00Z")) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("scheduledAt", far))), 422, "validation-error", "scheduledAt");
            assertThat(problem.get("errors").get(0).get("detail").asString()).isEqualTo("is more than a year ahead");
        }
    }

    @Test
    void theNulCharacterIsRefusedInEveryString() {
        refused(() -> keyed().post("/v1/personas", ApiClient.json(Map.of("name", "San\u0000ta", "kind", "santa",
                "systemPrompt", "p", "firstMessage", "m"))), 400, "malformed-request", "name");
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", Map.of("child_name", "El\u0000la")))),
                400, "malformed-request", "variables.child_name");
        refused(() -> keyed().post("/v1/calls/" + UUID.randomUUID() + "/cancel", ApiClient.json(Map.of("reason", "\u0000"))),
                400, "malformed-request", "reason");
    }

    @Test
    void variablesMustBeFlatAndWellNamed() {
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", Map.of("child", Map.of("name", "Ella"))))),
                422, "validation-error", "variables.child");
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", Map.of("wishes", List.of("bike"))))),
                422, "validation-error", "variables.wishes");
        for (String badName : List.of("bad-name", "1abc", "child name", "x".repeat(65), "")) {
            JsonNode problem = refused(() -> keyed().post("/v1/calls", call(Map.of("variables", Map.of(badName, "x")))),
                    422, "validation-error", "variables." + badName);
            assertThat(problem.get("errors").get(0).get("detail").asString())
                    .isEqualTo("a variable name is a letter or _ then up to 63 letters, digits or _");
        }
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", Map.of("ok", "x", "bad-name", "y", "nested", Map.of())))),
                422, "validation-error", "variables.bad-name", "variables.nested");
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", Map.of("long", "x".repeat(2001))))),
                422, "validation-error", "variables.long");
        Map<String, Object> tooMany = new LinkedHashMap<>();
        for (int i = 0; i < 51; i++) tooMany.put("v" + i, i);
        refused(() -> keyed().post("/v1/calls", call(Map.of("variables", tooMany))), 422, "validation-error", "variables");
        // control: strings, numbers and booleans under good names are accepted
        ApiClient.Response ok = tenant.api().post("/v1/calls", call(Map.of("variables", Map.of("_a1", "x", "age", 7, "good", true))));
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    }

    @Test
    void anIdempotencyKeyOutside1To255CharactersIs400() {
        for (String key : List.of("k".repeat(256), "k".repeat(1_000), "")) {
            JsonNode problem = refused(() -> tenant.api().withHeader("Idempotency-Key", key).post("/v1/calls", callBody(personaId)),
                    400, "invalid-parameter", "Idempotency-Key");
            assertThat(problem.get("errors").get(0).get("detail").asString()).isEqualTo("size must be between 1 and 255");
        }
        refused(() -> tenant.api().withHeader("Idempotency-Key", "k".repeat(256)).post("/v1/personas", personaBody("Keyed")),
                400, "invalid-parameter", "Idempotency-Key");
        refused(() -> tenant.api().withHeader("Idempotency-Key", "k".repeat(256)).post("/v1/calls/" + callId + "/cancel", null),
                400, "invalid-parameter", "Idempotency-Key");
        refused(() -> operator().withHeader("Idempotency-Key", "k".repeat(256)).post("/v1/tenants", "{\"name\": \"T\"}"),
                400, "invalid-parameter", "Idempotency-Key");
        // control: 255 characters is a key
        long keys = ownerCount("idempotency_keys");
        assertThat(tenant.api().withHeader("Idempotency-Key", "k".repeat(255)).post("/v1/calls", callBody(personaId)).status()).isEqualTo(201);
        assertThat(ownerCount("idempotency_keys")).isEqualTo(keys + 1);
    }

    // --- no 500 anywhere ------------------------------------------------------------------------

    /** A hostile request, sent by the test against its own tenant. */
    @FunctionalInterface
    interface Hostile {
        ApiClient.Response send(BadInputIntegrationTests test) throws IOException;
    }

    static Stream<Arguments> hostileRequests() {
        String deepArray = "[".repeat(5_000) + "]".repeat(5_000);
        String deepVariable = "{\"personaId\": \"%s\", \"to\": \"+442071838750\", \"variables\": {\"v\": " + "{\"a\": ".repeat(3_000) + "1" + "}".repeat(3_000) + "}}";
        byte[] invalidUtf8 = concat("{\"name\": \"".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                "\", \"kind\": \"santa\", \"systemPrompt\": \"p\", \"firstMessage\": \"m\"}".getBytes(StandardCharsets.US_ASCII));
        return Stream.of(
                hostile("empty body", t -> t.keyed().post("/v1/personas", "")),
                hostile("JSON null body", t -> t.keyed().post("/v1/personas", "null")),
                hostile("JSON array body", t -> t.keyed().post("/v1/personas", "[]")),
                hostile("JSON string body", t -> t.keyed().post("/v1/calls", "\"call me\"")),
                hostile("JSON number body", t -> t.keyed().post("/v1/calls", "42")),
                hostile("JSON array as a cancel body", t -> t.keyed().post("/v1/calls/" + t.callId + "/cancel", "[]")),
                hostile("5000-digit number", t -> t.keyed().post("/v1/personas", "{\"name\": " + "9".repeat(5_000) + "}")),
                hostile("5000 nested arrays", t -> t.keyed().post("/v1/personas", deepArray)),
                hostile("3000 nested objects in variables", t -> t.keyed().post("/v1/calls", deepVariable.formatted(t.personaId))),
                hostile("invalid UTF-8 bytes", t -> t.raw("POST", "/v1/personas", HttpRequest.BodyPublishers.ofByteArray(invalidUtf8))),
                hostile("trailing garbage after the JSON", t -> t.keyed().post("/v1/personas", personaBody("Trailing") + " garbage")),
                hostile("JSON with a comment", t -> t.keyed().post("/v1/personas", "/* hi */ " + personaBody("Commented"))),
                hostile("PUT on a collection", t -> t.tenant.api().send("PUT", "/v1/personas", personaBody("Put"), "application/json")),
                hostile("DELETE on a collection", t -> t.tenant.api().delete("/v1/calls")),
                hostile("PATCH on cancel", t -> t.tenant.api().patch("/v1/calls/" + t.callId + "/cancel", "{}")),
                hostile("unknown path", t -> t.tenant.api().get("/v1/nope")),
                hostile("unknown path with a body", t -> t.keyed().post("/v2/personas", personaBody("v2"))),
                hostile("XML only accepted", t -> t.tenant.api().withHeader("Accept", "application/xml").post("/v1/personas", personaBody("Xml"))),
                hostile("garbage bearer token", t -> t.as("sk_test_" + "A".repeat(40)).post("/v1/personas", personaBody("Forged"))),
                hostile("bad percent-encoding in the path", t -> t.socket("GET /v1/personas/%ZZ HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey())),
                hostile("bad percent-encoding in the query", t -> t.socket("GET /v1/calls?status=%ZZ HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey())),
                hostile("invalid UTF-8 in the query", t -> t.socket("GET /v1/calls?personaId=%FF%FE HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey())),
                hostile("1100 query parameters", t -> t.socket("GET /v1/personas?" + "a=1&".repeat(1_100) + "b=2 HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey())),
                hostile("path escaping the root", t -> t.socket("GET /v1/../../etc/passwd HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey())),
                hostile("a 20 KB header", t -> t.tenant.api().withHeader("X-Padding", "x".repeat(20_000)).get("/v1/personas")),
                hostile("Content-Length of a terabyte", t -> t.socket("POST /v1/personas HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey(),
                        "Content-Type: application/json", "Content-Length: 1099511627776")),
                hostile("Content-Length not a number", t -> t.socket("POST /v1/personas HTTP/1.1", "Authorization: Bearer " + t.tenant.apiKey(),
                        "Content-Type: application/json", "Content-Length: lots")),
                hostile("malformed chunked body", t -> t.socketWithBody("POST /v1/personas HTTP/1.1", "ZZZ\r\n{}\r\n0\r\n\r\n",
                        "Authorization: Bearer " + t.tenant.apiKey(), "Content-Type: application/json", "Transfer-Encoding: chunked")),
                hostile("a request line without a path or version", t -> t.socketRaw("GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void hostileRequestsAnswer4xxProblemsNever500(String name, Hostile request) throws IOException {
        Map<String, Long> before = counts();
        ApiClient.Response response = request.send(this);
        assertThat(response.status()).as("%s: %s", name, response.body()).isBetween(400, 499);
        assertThat(response.contentType()).as(name).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(response.status());
        assertThat(problem.get("type").asString()).startsWith(PROBLEMS).isNotEqualTo(PROBLEMS + "internal-error");
        assertThat(problem.get("requestId").asString()).isNotBlank().isEqualTo(response.header("X-Request-Id"));
        assertNoInternals(response.body());
        assertThat(counts()).as("rows after " + name).isEqualTo(before);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static Arguments hostile(String name, Hostile request) {
        return Arguments.of(name, request);
    }

    /** The tenant's client with a fresh Idempotency-Key: a refused request must not store it either. */
    ApiClient keyed() {
        return tenant.api().withHeader("Idempotency-Key", "bad-input-" + UUID.randomUUID());
    }

    /** Sends, asserts the problem and that no table changed; answers the problem document. */
    private JsonNode refused(Supplier<ApiClient.Response> request, int status, String type, String... fields) {
        Map<String, Long> before = counts();
        ApiClient.Response response = request.get();
        JsonNode problem = assertProblem(response, status, type, fields);
        assertThat(counts()).as("rows after a refused request: %s", response.body()).isEqualTo(before);
        return problem;
    }

    private static JsonNode assertProblem(ApiClient.Response response, int status, String type, String... fields) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isEqualTo(PROBLEMS + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        String requestId = response.header("X-Request-Id");
        assertThat(requestId).isNotBlank();
        assertThat(problem.get("requestId").asString()).isEqualTo(requestId);
        List<String> named = new ArrayList<>();
        if (problem.has("errors")) {
            problem.get("errors").forEach(e -> {
                named.add(e.get("field").asString());
                assertThat(e.get("detail").asString()).isNotBlank();
            });
        }
        assertThat(named).as("errors[].field of %s", response.body()).containsExactlyInAnyOrder(fields);
        assertNoInternals(response.body());
        return problem;
    }

    private static void assertNoInternals(String body) {
        assertThat(body).doesNotContain("Exception", "exception", "\tat ", ".java:", "tools.jackson", "com.fasterxml",
                "org.springframework", "org.hibernate", "org.postgresql", "org.apache", "io.parley", "java.lang", "java.util",
                "Caused by", "SQL", "trace");
    }

    private static Map<String, Long> counts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        TABLES.forEach(table -> counts.put(table, ownerCount(table)));
        return counts;
    }

    private static String persona(Map<String, ?> overrides) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "Santa", "kind", "santa", "systemPrompt", "You are Santa.",
                "firstMessage", "Ho ho ho!"));
        body.putAll(overrides);
        return ApiClient.json(body);
    }

    private String call(Map<String, ?> overrides) {
        Map<String, Object> body = new LinkedHashMap<>(Map.of("personaId", personaId, "to", "+442071838750", "timeZone", "Europe/London"));
        body.putAll(overrides);
        return ApiClient.json(body);
    }

    private static Map<String, Object> nullValue(String field) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(field, null);
        return map;
    }

    /** A valid persona body padded with whitespace to exactly {@code size} bytes. */
    private static String paddedPersona(int size) {
        String body = personaBody("Padded");
        return body.substring(0, body.length() - 1) + " ".repeat(size - body.length()) + "}";
    }

    /** A body of unknown length: sent chunked, so only reading it can find it too large. */
    private static HttpRequest.BodyPublisher streamed(String body) {
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(body));
        assertThat(publisher.contentLength()).isEqualTo(-1);
        return publisher;
    }

    /** The tenant's request with any body publisher (the ApiClient only sends strings of known length). */
    ApiClient.Response raw(String method, String path, HttpRequest.BodyPublisher body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .method(method, body)
                .header("Authorization", "Bearer " + tenant.apiKey())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "bad-input-" + UUID.randomUUID())
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            Map<String, String> headers = new LinkedHashMap<>();
            response.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
            return new ApiClient.Response(response.statusCode(), headers, response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request line and headers sent byte for byte, for what java.net.http refuses to send. */
    ApiClient.Response socket(String requestLine, String... headers) throws IOException {
        return socketWithBody(requestLine, "", headers);
    }

    ApiClient.Response socketWithBody(String requestLine, String body, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (String header : headers) request.append(header).append("\r\n");
        request.append("\r\n").append(body);
        return socketRaw(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    ApiClient.Response socketRaw(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return parse(socket.getInputStream());
        }
    }

    /** A minimal HTTP/1.1 response reader: status line, headers, then a Content-Length, chunked or to-close body. */
    private static ApiClient.Response parse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.merge(header.substring(0, colon).trim().toLowerCase(), header.substring(colon + 1).trim(), (a, b) -> a + "," + b);
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0; size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                out.write(in.readNBytes(size));
                line(in);
            }
            body = out.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new ApiClient.Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("connection closed mid-line");
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) out.writeBytes(part);
        return out.toByteArray();
    }
}
