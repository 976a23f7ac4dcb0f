package io.parley.platform.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.sdk.Webhooks;
import io.parley.sdk.model.WebhookEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Webhooks end to end: endpoints kept through the API, the outbox filled in the call's own transaction, posts
 * signed and verified with java-sdk, retries on the schedule (1 s, 1 s in tests), the delivery log, redelivery,
 * and the SSRF guard. The application's own dispatcher delivers (tests allow 127.0.0.1/32).
 */
class WebhooksIntegrationTests extends IntegrationTest {

    /** One post the receiver got. */
    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst().map(e -> e.getValue().getFirst())
                    .orElse(null);
        }
    }

    private HttpServer receiver;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger answer = new AtomicInteger(204);
    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void receiverAndTenant() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(Map.copyOf(exchange.getRequestHeaders()), body));
            exchange.sendResponseHeaders(answer.get(), -1);
            exchange.close();
        });
        receiver.start();
        tenant = newTenant();
        persona = createPersona(tenant, "Santa").get("id").asString();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private JsonNode endpoint(List<String> types) {
        ApiClient.Response created = tenant.api().post("/v1/webhook-endpoints", ApiClient.json(
                types == null ? Map.of("url", hookUrl(), "description", "test receiver") : Map.of("url", hookUrl(), "eventTypes", types)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(15, TimeUnit.SECONDS);
        assertThat(r).as("a post within 15 s").isNotNull();
        return r;
    }

    @Test
    void callEventsArePostedSignedAndTheSdkVerifiesThem() throws Exception {
        JsonNode endpoint = endpoint(null);
        String secret = endpoint.get("secret").asString();
        assertThat(secret).startsWith("whsec_");
        assertThat(tenant.api().get("/v1/webhook-endpoints/" + endpoint.get("id").asString()).json().has("secret"))
                .as("the secret is shown once").isFalse();

        String callId = createCall(tenant, persona).get("id").asString();
        Received scheduled = next();
        Webhooks webhooks = new Webhooks(secret);
        WebhookEvent event = webhooks.verify(scheduled.body(), scheduled.headers());
        assertThat(event.getType()).isEqualTo("call.scheduled");
        assertThat(event.getData().getCallId()).hasToString(callId);
        assertThat(event.getData().getPersonaId()).hasToString(persona);
        assertThat(event.getData().getTo()).isEqualTo("+442071838750");
        assertThat(scheduled.header("webhook-id")).isEqualTo(event.getId().toString());
        assertThat(Long.parseLong(scheduled.header("webhook-timestamp"))).isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(30L));

        assertThat(tenant.api().post("/v1/calls/" + callId + "/cancel", ApiClient.json(Map.of("reason", "travelling"))).status()).isEqualTo(200);
        Received canceledPost = next();
        WebhookEvent canceled = webhooks.verify(canceledPost.body(), canceledPost.headers());
        assertThat(canceled.getType()).isEqualTo("call.canceled");
        assertThat(canceled.getData().getReason()).isEqualTo("travelling");

        String endpointId = endpoint.get("id").asString();
        JsonNode deliveries = awaitJson(() -> tenant.api().get("/v1/webhook-endpoints/" + endpointId + "/deliveries?status=succeeded").json(),
                page -> page.get("data").size() == 2);
        JsonNode delivery = tenant.api().get("/v1/webhook-deliveries/" + deliveries.get("data").get(1).get("id").asString()).json();
        assertThat(delivery.get("eventType").asString()).isEqualTo("call.scheduled");
        assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.get("attemptLog")).hasSize(1);
        assertThat(delivery.get("attemptLog").get(0).get("statusCode").asInt()).isEqualTo(204);
    }

    @Test
    void aFailingEndpointIsRetriedWithTheSameIdThenFailsAndCanBeRedelivered() throws Exception {
        answer.set(500);
        String endpointId = endpoint(List.of("call.scheduled")).get("id").asString();
        createCall(tenant, persona);

        List<Received> posts = new ArrayList<>(List.of(next(), next(), next()));   // the first post and two retries (schedule 1 s, 1 s)
        assertThat(posts).extracting(r -> r.header("webhook-id")).containsOnly(posts.getFirst().header("webhook-id"));
        JsonNode failed = awaitJson(() -> tenant.api().get("/v1/webhook-endpoints/" + endpointId + "/deliveries").json().get("data").get(0),
                d -> d.get("status").asString().equals("failed"));
        assertThat(failed.get("attempts").asInt()).isEqualTo(3);
        assertThat(failed.get("lastStatusCode").asInt()).isEqualTo(500);
        assertThat(failed.has("nextAttemptAt")).isFalse();
        assertThat(received.poll(2, TimeUnit.SECONDS)).as("no more after the schedule ends").isNull();

        answer.set(200);
        ApiClient.Response again = tenant.api().post("/v1/webhook-deliveries/" + failed.get("id").asString() + "/redeliver", null);
        assertThat(again.status()).as(again.body()).isEqualTo(202);
        assertThat(next().header("webhook-id")).isEqualTo(posts.getFirst().header("webhook-id"));
        JsonNode log = awaitJson(() -> tenant.api().get("/v1/webhook-deliveries/" + failed.get("id").asString()).json(),
                d -> d.get("status").asString().equals("succeeded"));
        assertThat(log.get("attemptLog")).extracting(a -> a.get("statusCode").asInt()).containsExactly(500, 500, 500, 200);
    }

    @Test
    void anEndpointReceivesOnlyTheTypesItAskedFor() throws Exception {
        endpoint(List.of("call.canceled"));
        String callId = createCall(tenant, persona).get("id").asString();
        tenant.api().post("/v1/calls/" + callId + "/cancel", null);
        JsonNode event = tools.jackson.databind.json.JsonMapper.builder().build().readTree(next().body());
        assertThat(event.get("type").asString()).isEqualTo("call.canceled");
        assertThat(received.poll(1, TimeUnit.SECONDS)).isNull();
    }

    @Test
    void aDeletedEndpointGetsNothingMore() throws Exception {
        String endpointId = endpoint(null).get("id").asString();
        assertThat(tenant.api().delete("/v1/webhook-endpoints/" + endpointId).status()).isEqualTo(204);
        createCall(tenant, persona);
        assertThat(received.poll(2, TimeUnit.SECONDS)).isNull();
        assertThat(tenant.api().get("/v1/webhook-endpoints/" + endpointId).status()).isEqualTo(404);
        assertThat(tenant.api().get("/v1/webhook-endpoints").json().get("data")).isEmpty();
    }

    @Test
    void aCallThatIsRefusedWritesNoWebhookEvent() {
        endpoint(null);
        long before = ownerCount("webhook_events");
        assertThat(tenant.api().post("/v1/do-not-call", ApiClient.json(Map.of("phoneNumber", "+442071838750"))).status()).isEqualTo(201);
        assertThat(tenant.api().post("/v1/calls", callBody(persona)).status()).isEqualTo(422);
        assertThat(ownerCount("webhook_events")).isEqualTo(before);
    }

    @Test
    void endpointsThatCouldReachInsideAreRefusedAndNothingIsWritten() {
        long before = ownerCount("webhook_endpoints");
        for (String url : List.of("http://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://192.168.1.10/",
                "https://[::1]/hook", "https://127.0.0.2/hook", "https://100.64.0.1/", "https://[fc00::1]/", "https://[::ffff:10.0.0.1]/",
                "ftp://example.com/", "https://user:pw@127.0.0.1/hook", "https://no-such-host.invalid/hook")) {
            ApiClient.Response refused = tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", url)));
            assertThat(refused.status()).as(url + ": " + refused.body()).isEqualTo(422);
            assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("url");
        }
        ApiClient.Response badType = tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", hookUrl(), "eventTypes", List.of("call.exploded"))));
        assertThat(badType.status()).isIn(400, 422);
        assertThat(ownerCount("webhook_endpoints")).isEqualTo(before);
    }

    @Test
    void aKeyWithoutWebhookScopesCannotReachThem() {
        ApiClient.Response key = tenant.api().post("/v1/api-keys", ApiClient.json(Map.of("name", "calls only", "scopes", List.of("calls:write"))));
        ApiClient callsOnly = as(key.json().get("secret").asString());
        assertThat(callsOnly.get("/v1/webhook-endpoints").status()).isEqualTo(403);
        assertThat(callsOnly.post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", hookUrl()))).status()).isEqualTo(403);
    }

    private static JsonNode awaitJson(Supplier<JsonNode> read, java.util.function.Predicate<JsonNode> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        JsonNode last = read.get();
        while (!done.test(last)) {
            assertThat(Instant.now()).as("waited for %s", last).isBefore(deadline);
            Thread.sleep(100);
            last = read.get();
        }
        return last;
    }
}
