package io.parley.sdk;

import io.parley.sdk.model.Persona;
import io.parley.sdk.model.UpdatePersonaRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static io.parley.sdk.ScriptedServer.empty;
import static io.parley.sdk.ScriptedServer.json;
import static io.parley.sdk.ScriptedServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryTests {
  private static final String UNAVAILABLE = """
      {"type":"https://parley.dev/problems/unavailable","title":"Service Unavailable","status":503}""";
  private static final String INTERNAL = """
      {"type":"https://parley.dev/problems/internal-error","title":"Internal Server Error","status":500}""";
  private static final String RATE_LIMITED = """
      {"type":"https://parley.dev/problems/rate-limited","title":"Too Many Requests","status":429}""";

  private final ScriptedServer server = new ScriptedServer();
  private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

  RetryTests() throws IOException {}

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void postStopsAfterMaxRetriesAndThrowsServerExceptionWithTheHeaderRequestId() {
    server.then(
        problem(503, UNAVAILABLE, "X-Request-Id", "req_1"),
        problem(503, UNAVAILABLE, "X-Request-Id", "req_2"),
        problem(503, UNAVAILABLE, "X-Request-Id", "req_3"),
        json(201, Fixtures.persona(UUID.randomUUID(), "never fetched")));
    Parley parley = server.client(sleeps).maxRetries(2).build();

    assertThatThrownBy(() -> parley.personas().create(Fixtures.santa()))
        .isInstanceOfSatisfying(ServerException.class, e -> {
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.problemType()).isEqualTo("https://parley.dev/problems/unavailable");
          assertThat(e.requestId()).isEqualTo("req_3");
        });
    assertThat(server.received()).hasSize(3);
    assertThat(server.received()).extracting(r -> r.header("Idempotency-Key")).containsOnly(server.received().get(0).header("Idempotency-Key"));
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void maxRetriesZeroSendsOnce() {
    server.then(problem(503, UNAVAILABLE), json(201, Fixtures.persona(UUID.randomUUID(), "x")));

    assertThatThrownBy(() -> server.client(sleeps).maxRetries(0).build().personas().create(Fixtures.santa()))
        .isInstanceOf(ServerException.class);
    assertThat(server.received()).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void persistent429EndsInRateLimitException() {
    server.then(
        problem(429, RATE_LIMITED, "Retry-After", "0"),
        problem(429, RATE_LIMITED, "Retry-After", "0"),
        problem(429, RATE_LIMITED, "Retry-After", "0"));

    assertThatThrownBy(() -> server.client(sleeps).build().calls().create(Fixtures.callElla()))
        .isInstanceOfSatisfying(RateLimitException.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(server.received()).hasSize(3);
    assertThat(sleeps).containsExactly(Duration.ZERO, Duration.ZERO);
  }

  @Test
  void getIsRetriedOn500() {
    UUID id = UUID.randomUUID();
    server.then(problem(500, INTERNAL), json(200, Fixtures.persona(id, "Santa Claus")));

    Persona persona = server.client(sleeps).build().personas().get(id);

    assertThat(persona.getId()).isEqualTo(id);
    assertThat(server.received()).hasSize(2).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("GET");
      assertThat(r.path()).isEqualTo("/v1/personas/" + id);
    });
  }

  @Test
  void patchIsNotRetriedOn5xxBecauseItMayHaveBeenApplied() {
    UUID id = UUID.randomUUID();
    server.then(problem(503, UNAVAILABLE), json(200, Fixtures.persona(id, "x")));

    assertThatThrownBy(() -> server.client(sleeps).build().personas().update(id, new UpdatePersonaRequest().name("x")))
        .isInstanceOf(ServerException.class);
    assertThat(server.received()).hasSize(1);
  }

  @Test
  void patchIsRetriedOn429() {
    UUID id = UUID.randomUUID();
    server.then(problem(429, RATE_LIMITED, "Retry-After", "0"), json(200, Fixtures.persona(id, "Father Christmas")));

    Persona persona = server.client(sleeps).build().personas().update(id, new UpdatePersonaRequest().name("Father Christmas"));

    assertThat(persona.getName()).isEqualTo("Father Christmas");
    assertThat(server.received()).hasSize(2).allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("PATCH");
      assertThat(r.body()).isEqualTo("{\"name\":\"Father Christmas\"}");
    });
  }

  @Test
  void deleteAnswers204AndIsNotRetriedOn500() {
    UUID id = UUID.randomUUID();
    server.then(empty(204), problem(500, INTERNAL), empty(204));
    Parley parley = server.client(sleeps).build();

    parley.personas().delete(id);
    assertThatThrownBy(() -> parley.personas().delete(id)).isInstanceOf(ServerException.class);

    assertThat(server.received()).hasSize(2).allSatisfy(r -> assertThat(r.method()).isEqualTo("DELETE"));
  }

  @Test
  void unreachableServerIsRetriedThenThrowsApiConnectionException() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }
    Parley parley = Parley.builder().apiKey("sk_test_x").baseUrl("http://127.0.0.1:" + closedPort)
        .maxRetries(3).sleeper(sleeps::add).build();

    assertThatThrownBy(() -> parley.personas().get(UUID.randomUUID()))
        .isInstanceOfSatisfying(ApiConnectionException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.requestId()).isNull();
          assertThat(e.problemType()).isNull();
          assertThat(e).hasMessageContaining("127.0.0.1:" + closedPort).hasCauseInstanceOf(IOException.class);
        });
    assertThat(sleeps).hasSize(3);
  }

  @Test
  void backoffDoublesFromHalfASecondWithFullJitterUpToEightSeconds() {
    for (int i = 0; i < 7; i++) {
      server.then(problem(503, UNAVAILABLE));
    }
    Parley parley = server.client(sleeps).maxRetries(6).jitter(() -> 0.5).build();

    assertThatThrownBy(() -> parley.calls().get(UUID.randomUUID())).isInstanceOf(ServerException.class);

    // half of min(8 s, 500 ms * 2^n)
    assertThat(sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(1000),
        Duration.ofMillis(2000), Duration.ofMillis(4000), Duration.ofMillis(4000));
  }

  @Test
  void retryAfterSecondsOverrideTheBackoffAndAreCappedAtOneMinute() {
    server.then(problem(503, UNAVAILABLE, "Retry-After", "3"), problem(503, UNAVAILABLE, "Retry-After", "3600"),
        json(200, Fixtures.call(UUID.randomUUID(), "scheduled")));

    server.client(sleeps).jitter(() -> 0.0).build().calls().get(UUID.randomUUID());

    assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofSeconds(60));
  }
}
