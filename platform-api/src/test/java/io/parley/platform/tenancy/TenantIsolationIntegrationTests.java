package io.parley.platform.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Tenant B can reach nothing of tenant A's. The operations are read from the OpenAPI spec itself,
 * so an endpoint added to the contract is covered here without anyone remembering to add it.
 */
class TenantIsolationIntegrationTests extends IntegrationTest {

    /** An operation of the contract with an id in its path. */
    record IdOperation(String method, String pathTemplate, List<String> idParameters, String exampleBody, String contentType, String query) {
        @Override
        public String toString() {
            return method + " " + pathTemplate;
        }
    }

    private TestTenant a;
    private TestTenant b;
    private Map<String, String> aIds;
    private static final String EXAMPLE_PERSONA = "0190b3c2-7f1e-7a3c-9d2e-3b4c5d6e7f80";
    /** The spec's example booking, and a slot of A's persona in its stead: 09:30 in London on a Monday ahead. */
    private static final String EXAMPLE_BOOKING_START = "2026-12-21T09:30:00Z";
    private static final java.time.ZoneId LONDON = java.time.ZoneId.of("Europe/London");
    private static final java.time.LocalDate MONDAY = java.time.LocalDate.now(LONDON).plusDays(2)
            .with(java.time.temporal.TemporalAdjusters.nextOrSame(java.time.DayOfWeek.MONDAY));

    @BeforeEach
    void twoTenants() {
        a = newTenant();
        b = newTenant();
        // an endpoint first, so A's call makes a delivery (to a port nothing listens on: it fails, harmlessly)
        ApiClient.Response endpoint = a.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/hook")));
        assertThat(endpoint.status()).as(endpoint.body()).isEqualTo(201);
        String endpointId = endpoint.json().get("id").asString();
        JsonNode persona = createPersona(a, "A's Santa");
        JsonNode call = createCall(a, persona.get("id").asString());
        ApiClient.Response key = a.api().post("/v1/api-keys", ApiClient.json(Map.of("name", "A's backend")));
        assertThat(key.status()).isEqualTo(201);
        assertThat(a.api().post("/v1/do-not-call", ApiClient.json(Map.of("phoneNumber", "+442071838759"))).status()).isEqualTo(201);
        JsonNode deliveries = a.api().get("/v1/webhook-endpoints/" + endpointId + "/deliveries").json().get("data");
        assertThat(deliveries).as("the call's delivery, written with it").hasSize(1);
        ApiClient.Response number = a.api().post("/v1/phone-numbers", ApiClient.json(Map.of(
                "phoneNumber", "+1415555" + String.format("%04d", (int) (Math.random() * 10_000)), "personaId", persona.get("id").asString())));
        assertThat(number.status()).as(number.body()).isEqualTo(201);
        // A's persona takes bookings, and has one (a Monday ahead: the spec's example books another slot of it)
        assertThat(a.api().patch("/v1/personas/" + persona.get("id").asString(), ApiClient.json(Map.of("booking", Map.of(
                "timeZone", "Europe/London", "hours", Map.of("monday", List.of(Map.of("start", "09:00", "end", "12:00"))))))).status())
                .isEqualTo(200);
        ApiClient.Response booking = a.api().post("/v1/personas/" + persona.get("id").asString() + "/bookings",
                ApiClient.json(Map.of("start", MONDAY.atTime(11, 0).atZone(LONDON).toInstant().toString(), "name", "Ada")));
        assertThat(booking.status()).as(booking.body()).isEqualTo(201);
        // one fixture per kind of id the contract knows; a new kind fails the test below until added here
        ApiClient.Response document = a.api().send("POST", "/v1/personas/" + persona.get("id").asString() + "/knowledge?name=hours.txt",
                "We are open on Saturdays.", "text/plain");
        assertThat(document.status()).as(document.body()).isEqualTo(201);
        ApiClient.Response callee = a.api().post("/v1/callees", ApiClient.json(Map.of("phoneNumber", "+442071838751", "name", "Ada")));
        assertThat(callee.status()).as(callee.body()).isEqualTo(201);
        aIds = Map.of(
                "calleeId", callee.json().get("id").asString(),
                "documentId", document.json().get("id").asString(),
                "bookingId", booking.json().get("id").asString(),
                "personaId", persona.get("id").asString(),
                "callId", call.get("id").asString(),
                "apiKeyId", key.json().get("id").asString(),
                "phoneNumber", "%2B442071838759",
                "endpointId", endpointId,
                "deliveryId", deliveries.get(0).get("id").asString(),
                "phoneNumberId", number.json().get("id").asString());
    }

    @Test
    void everyOperationWithAnIdAnswers404ToAnotherTenant() {
        List<IdOperation> operations = idOperations();
        assertThat(operations).as("operations with ids in the spec").hasSizeGreaterThanOrEqualTo(8);

        List<String> failures = new ArrayList<>();
        for (IdOperation op : operations) {
            for (String parameter : op.idParameters()) {
                assertThat(aIds).as("a fixture for path parameter %s of %s", parameter, op).containsKey(parameter);
            }
            String path = expand(op.pathTemplate(), aIds::get) + op.query();
            ApiClient.Response response = b.api().send(op.method(), path, op.exampleBody(), op.contentType());
            if (response.status() != 404
                    || !response.contentType().startsWith("application/problem+json")
                    || !response.json().get("type").asString().endsWith("/not-found")) {
                failures.add(op + " answered " + response.status() + " " + response.body());
            }
        }
        assertThat(failures).as("operations that did not answer 404 to another tenant").isEmpty();

        // and nothing of A's changed through B's attempts
        assertThat(a.api().get("/v1/personas/" + aIds.get("personaId")).status()).isEqualTo(200);
        assertThat(a.api().get("/v1/calls/" + aIds.get("callId")).json().get("status").asString()).isEqualTo("scheduled");
        assertThat(a.api().get("/v1/api-keys/" + aIds.get("apiKeyId")).json().has("revokedAt")).isFalse();
        assertThat(a.api().get("/v1/calls/" + aIds.get("callId") + "/events").json().get("data")).hasSize(1);
        assertThat(a.api().get("/v1/do-not-call").json().get("data")).hasSize(1);
        assertThat(a.api().get("/v1/webhook-endpoints/" + aIds.get("endpointId")).status()).isEqualTo(200);
    }

    @Test
    void theOwnerReachesEveryOperationWithAnId() {
        // the 404s above mean "not yours", not "broken": A itself gets no 404 from the same requests
        for (IdOperation op : idOperations()) {
            if (op.method().equals("DELETE") || op.pathTemplate().endsWith("/cancel") || op.pathTemplate().endsWith("/revoke")
                    || op.pathTemplate().startsWith("/v1/do-not-call/")) {
                continue; // these would change A's fixtures; their success paths are tested elsewhere
            }
            // the spec's examples name a persona of the docs' own; A's takes its place
            String body = op.exampleBody() == null ? null : op.exampleBody().replace(EXAMPLE_PERSONA, aIds.get("personaId"))
                    .replace(EXAMPLE_BOOKING_START, MONDAY.atTime(9, 30).atZone(LONDON).toInstant().toString());
            ApiClient.Response response = a.api().send(op.method(), expand(op.pathTemplate(), aIds::get) + op.query(), body, op.contentType());
            if (response.status() == 404 && (op.pathTemplate().endsWith("/recording") || op.pathTemplate().endsWith("/summary"))) {
                // A's call has neither (it was never dialled): the 404 is about them, not about the call
                assertThat(response.json().get("detail").asString()).as("%s", op).matches("No such (recording|summary)");
                continue;
            }
            assertThat(response.status()).as("%s: %s", op, response.body()).isBetween(200, 299);
        }
    }

    @Test
    void listsNeverShowAnotherTenantsRows() {
        for (String list : List.of("/v1/personas", "/v1/calls", "/v1/api-keys", "/v1/do-not-call", "/v1/webhook-endpoints")) {
            JsonNode page = b.api().get(list + "?limit=100").json();
            List<String> ids = new ArrayList<>();
            page.get("data").forEach(item -> ids.add(item.get("id").asString()));
            assertThat(ids).as(list).doesNotContainAnyElementsOf(aIds.values());
        }
        assertThat(b.api().get("/v1/personas").json().get("data")).isEmpty();
        assertThat(b.api().get("/v1/calls").json().get("data")).isEmpty();
        // B sees exactly its own first key
        assertThat(b.api().get("/v1/api-keys").json().get("data")).hasSize(1);
        assertThat(b.api().get("/v1/calls?personaId=" + aIds.get("personaId")).json().get("data")).isEmpty();
    }

    @Test
    void aCallCannotNameAnotherTenantsPersona() {
        long before = ownerCount("calls");
        ApiClient.Response response = b.api().post("/v1/calls", callBody(aIds.get("personaId")));
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("personaId");
        assertThat(ownerCount("calls")).isEqualTo(before);
    }

    @Test
    void whatNoTenantOwnsAnswersEveryTenantAlike() {
        // operations marked x-parley-shared (Parley's persona templates) are left out above: they are the same for all
        List<IdOperation> shared = idOperations(true);
        assertThat(shared).as("shared operations with ids in the spec").isNotEmpty();
        Map<String, String> ids = Map.of("templateId", "santa");
        for (IdOperation op : shared) {
            for (String parameter : op.idParameters()) {
                assertThat(ids).as("a fixture for path parameter %s of %s", parameter, op).containsKey(parameter);
            }
            ApiClient.Response forA = a.api().send(op.method(), expand(op.pathTemplate(), ids::get), null, null);
            ApiClient.Response forB = b.api().send(op.method(), expand(op.pathTemplate(), ids::get), null, null);
            assertThat(forA.status()).as("%s: %s", op, forA.body()).isEqualTo(200);
            assertThat(forB.body()).as("%s", op).isEqualTo(forA.body());
        }
    }

    static List<IdOperation> idOperations() {
        return idOperations(false);
    }

    /** The operations with ids in their path: the tenant's own ({@code shared} false), or those marked x-parley-shared. */
    static List<IdOperation> idOperations(boolean shared) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        OpenAPI spec = new OpenAPIV3Parser().read("openapi/parley-v1.yaml", null, options);
        Objects.requireNonNull(spec, "the spec is on the classpath (parley-openapi)");
        List<IdOperation> operations = new ArrayList<>();
        spec.getPaths().forEach((template, item) -> item.readOperationsMap().forEach((method, operation) -> {
            List<String> ids = pathParameters(spec, item, operation);
            boolean isShared = operation.getExtensions() != null && Boolean.TRUE.equals(operation.getExtensions().get("x-parley-shared"));
            if (!ids.isEmpty() && isShared == shared) {
                Map.Entry<String, String> body = exampleBody(operation);
                operations.add(new IdOperation(method.name(), template, ids, body == null ? null : body.getValue(), body == null ? null : body.getKey(),
                        requiredQuery(spec, operation)));
            }
        }));
        return operations;
    }

    private static List<String> pathParameters(OpenAPI spec, PathItem item, Operation operation) {
        List<Parameter> all = new ArrayList<>();
        if (item.getParameters() != null) all.addAll(item.getParameters());
        if (operation.getParameters() != null) all.addAll(operation.getParameters());
        return all.stream()
                .map(p -> p.get$ref() != null ? spec.getComponents().getParameters().get(p.get$ref().substring(p.get$ref().lastIndexOf('/') + 1)) : p)
                .filter(p -> "path".equals(p.getIn()))
                .map(Parameter::getName)
                .toList();
    }

    /** The request body's example and its media type: JSON's, else the first media type's with an example. */
    private static Map.Entry<String, String> exampleBody(Operation operation) {
        if (operation.getRequestBody() == null || operation.getRequestBody().getContent() == null) {
            return null;
        }
        MediaType json = operation.getRequestBody().getContent().get("application/json");
        if (json != null) {
            return json.getExample() == null ? null : Map.entry("application/json", io.swagger.v3.core.util.Json.pretty(json.getExample()));
        }
        return operation.getRequestBody().getContent().entrySet().stream().filter(e -> e.getValue().getExample() != null).findFirst()
                .map(e -> Map.entry(e.getKey(), e.getValue().getExample().toString())).orElse(null);
    }

    /** The operation's required query parameters with their examples ({@code ?name=...}), or nothing. */
    private static String requiredQuery(OpenAPI spec, Operation operation) {
        if (operation.getParameters() == null) return "";
        StringBuilder query = new StringBuilder();
        for (Parameter p : operation.getParameters()) {
            Parameter param = p.get$ref() != null ? spec.getComponents().getParameters().get(p.get$ref().substring(p.get$ref().lastIndexOf('/') + 1)) : p;
            if (!"query".equals(param.getIn()) || !Boolean.TRUE.equals(param.getRequired()) || param.getName().equals("date")) continue;
            Object example = param.getExample() != null ? param.getExample() : param.getSchema() == null ? null : param.getSchema().getExample();
            assertThat(example).as("an example for the required query parameter %s of %s", param.getName(), operation.getOperationId()).isNotNull();
            query.append(query.isEmpty() ? "?" : "&").append(param.getName()).append('=')
                    .append(java.net.URLEncoder.encode(example.toString(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return query.toString();
    }

    private static String expand(String template, Function<String, String> ids) {
        Matcher m = Pattern.compile("\\{([^}]+)}").matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(ids.apply(m.group(1))));
        }
        m.appendTail(out);
        if (template.endsWith("/availability")) {
            out.append("?date=").append(MONDAY);   // its one required query parameter
        }
        return out.toString();
    }
}
