package io.parley.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** What operators see: probes, metrics, request ids and the log correlation of every line. */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIntegrationTests extends IntegrationTest {

    private static final String GENERATED_ID = "req_[0-9a-f]{32}";

    @Autowired
    private LoggingSystem loggingSystem;

    // --- probes and metrics ---------------------------------------------------------------------

    @Test
    void healthIsUpWithoutCredentialsAndShowsNoDetails() {
        ApiClient.Response health = anonymous().get("/actuator/health");

        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        // show-details: never: no component (database, redis) is named to the anonymous world
        assertThat(health.body()).doesNotContain("db").doesNotContain("redis").doesNotContain("details");
    }

    @Test
    void livenessAndReadinessProbesAreUp() {
        for (String probe : List.of("/actuator/health/liveness", "/actuator/health/readiness")) {
            ApiClient.Response response = anonymous().get(probe);
            assertThat(response.status()).as("%s: %s", probe, response.body()).isEqualTo(200);
            assertThat(response.json().get("status").asString()).as(probe).isEqualTo("UP");
        }
    }

    @Test
    void prometheusServesRequestMetricsWithoutCredentials() {
        String marker = "/v1/openapi.yaml";
        assertThat(anonymous().get(marker).status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            ApiClient.Response metrics = anonymous().get("/actuator/prometheus");
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.contentType()).startsWith("text/plain");
            assertThat(metrics.body())
                    .contains("http_server_requests_seconds_count{")
                    .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"" + java.util.regex.Pattern.quote(marker) + "\"");
        });
    }

    @Test
    void otherActuatorEndpointsAreNotOpen() {
        // only health, info and prometheus are exposed; env would leak configuration
        for (String path : List.of("/actuator/env", "/actuator/beans", "/actuator/loggers")) {
            ApiClient.Response response = anonymous().get(path);
            assertThat(response.status()).as(path).isIn(401, 404);
            assertThat(response.body()).as(path).doesNotContain("parley.operator-token").doesNotContain("spring.datasource");
        }
    }

    @Test
    void openApiSpecIsServedWithoutCredentials() throws IOException {
        ApiClient.Response spec = anonymous().get("/v1/openapi.yaml");

        assertThat(spec.status()).isEqualTo(200);
        assertThat(spec.contentType()).startsWith("application/yaml");
        assertThat(spec.body()).startsWith("openapi: 3.0.3").contains("title: Parley API");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("openapi/parley-v1.yaml")) {
            assertThat(in).as("the spec on the classpath").isNotNull();
            assertThat(spec.body()).as("exactly the contract this server implements")
                    .isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    // --- request ids ----------------------------------------------------------------------------

    @Test
    void givenRequestIdIsEchoedAndNamedInProblems() {
        ApiClient.Response anonymous = anonymous().withHeader("X-Request-Id", "abc-123").get("/v1/personas");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("X-Request-Id")).isEqualTo("abc-123");
        assertThat(anonymous.json().get("requestId").asString()).isEqualTo("abc-123");

        TestTenant tenant = newTenant();
        ApiClient.Response notFound = tenant.api().withHeader("X-Request-Id", "abc-456")
                .get("/v1/personas/" + UUID.randomUUID());
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.header("X-Request-Id")).isEqualTo("abc-456");
        assertThat(notFound.json().get("requestId").asString()).isEqualTo("abc-456");

        ApiClient.Response ok = tenant.api().withHeader("X-Request-Id", "trace:1.2_3").get("/v1/personas");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("X-Request-Id")).isEqualTo("trace:1.2_3");
    }

    @Test
    void missingRequestIdIsGeneratedFreshForEachRequest() {
        ApiClient.Response first = anonymous().get("/v1/personas");
        ApiClient.Response second = anonymous().get("/v1/personas");

        assertThat(first.header("X-Request-Id")).matches(GENERATED_ID);
        assertThat(second.header("X-Request-Id")).matches(GENERATED_ID);
        assertThat(first.header("X-Request-Id")).isNotEqualTo(second.header("X-Request-Id"));
        assertThat(first.json().get("requestId").asString()).isEqualTo(first.header("X-Request-Id"));
        assertThat(second.json().get("requestId").asString()).isEqualTo(second.header("X-Request-Id"));
        // and on successful requests too
        assertThat(anonymous().get("/actuator/health").header("X-Request-Id")).matches(GENERATED_ID);
    }

    @Test
    void unsafeRequestIdIsReplaced() {
        List<String> unsafe = List.of("abc 123", "a".repeat(300), "a".repeat(129), "<script>alert(1)</script>", "id;drop", "\"quoted\"");
        for (String given : unsafe) {
            ApiClient.Response response = anonymous().withHeader("X-Request-Id", given).get("/v1/personas");
            String echoed = response.header("X-Request-Id");
            assertThat(echoed).as("for %s", given).matches(GENERATED_ID);
            assertThat(response.json().get("requestId").asString()).as("for %s", given).isEqualTo(echoed);
            assertThat(response.body()).as("for %s", given).doesNotContain(given);
        }
        // the longest accepted id is 128 characters
        String longest = "b".repeat(128);
        assertThat(anonymous().withHeader("X-Request-Id", longest).get("/v1/personas").header("X-Request-Id")).isEqualTo(longest);
    }

    // --- log correlation ------------------------------------------------------------------------

    /**
     * No main code logs once per request, so the probe is Spring MVC's own DEBUG line
     * ({@code GET "/v1/personas", parameters={}}), turned on for this test only: any line logged
     * while a request is handled carries {@code req=<id> tenant=<tenant>}.
     */
    @Test
    void logLinesOfAnAuthenticatedRequestNameTheTenant(CapturedOutput output) {
        TestTenant tenant = newTenant();
        String authenticated = "log-" + UUID.randomUUID();
        String anonymousAfter = "log-" + UUID.randomUUID();
        String dispatcher = "org.springframework.web.servlet.DispatcherServlet";
        LogLevel before = loggingSystem.getLoggerConfiguration(dispatcher).getConfiguredLevel();
        loggingSystem.setLogLevel(dispatcher, LogLevel.DEBUG);
        try {
            assertThat(tenant.api().withHeader("X-Request-Id", authenticated).get("/v1/personas").status()).isEqualTo(200);
            assertThat(anonymous().withHeader("X-Request-Id", anonymousAfter).get("/v1/openapi.yaml").status()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                List<String> lines = linesWith(output, "req=" + authenticated);
                assertThat(lines).as("log lines of the authenticated request").isNotEmpty();
                assertThat(lines).allSatisfy(line -> assertThat(line).contains("req=" + authenticated + " tenant=" + tenant.id() + "]"));
                assertThat(lines).anySatisfy(line -> assertThat(line).contains("GET \"/v1/personas\""));

                // the tenant does not leak into the next, unauthenticated request
                List<String> after = linesWith(output, "req=" + anonymousAfter);
                assertThat(after).isNotEmpty();
                assertThat(after).allSatisfy(line -> assertThat(line).contains("req=" + anonymousAfter + " tenant=]"));
            });
        } finally {
            loggingSystem.setLogLevel(dispatcher, before);
        }
    }

    private static List<String> linesWith(CapturedOutput output, String text) {
        return output.getAll().lines().filter(line -> line.contains(text)).toList();
    }

    @Test
    void operatorRequestsCarryNoTenant(CapturedOutput output) {
        String requestId = "op-" + UUID.randomUUID();
        String dispatcher = "org.springframework.web.servlet.DispatcherServlet";
        LogLevel before = loggingSystem.getLoggerConfiguration(dispatcher).getConfiguredLevel();
        loggingSystem.setLogLevel(dispatcher, LogLevel.DEBUG);
        try {
            ApiClient.Response created = operator().withHeader("X-Request-Id", requestId)
                    .post("/v1/tenants", ApiClient.json(java.util.Map.of("name", "Logged Ltd")));
            assertThat(created.status()).isEqualTo(201);
            JsonNode body = created.json();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                List<String> lines = linesWith(output, "req=" + requestId);
                assertThat(lines).isNotEmpty();
                assertThat(lines).allSatisfy(line -> assertThat(line)
                        .contains("req=" + requestId + " tenant=]")
                        .doesNotContain(body.get("apiKey").asString()));
            });
        } finally {
            loggingSystem.setLogLevel(dispatcher, before);
        }
    }

    @Test
    void openEndpointsIgnoreAStaleBearerToken() {
        ApiClient stale = as("sk_test_revokedOrExpiredxxxxxxxxxxxxxxxxxxx");
        assertThat(stale.get("/actuator/health").status()).isEqualTo(200);
        assertThat(stale.get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(stale.get("/v1/openapi.yaml").status()).isEqualTo(200);
        // while the API itself still refuses it
        assertThat(stale.get("/v1/personas").status()).isEqualTo(401);
    }
}
