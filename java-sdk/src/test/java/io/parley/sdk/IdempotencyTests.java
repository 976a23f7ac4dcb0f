package io.parley.sdk;

import io.parley.sdk.ScriptedServer.Received;
import io.parley.sdk.model.Call;
import io.parley.sdk.model.CancelCallRequest;
import io.parley.sdk.model.Persona;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.parley.sdk.ScriptedServer.drop;
import static io.parley.sdk.ScriptedServer.json;
import static io.parley.sdk.ScriptedServer.problem;
import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyTests {
  private static final String UNAVAILABLE = """
      {"type":"https://parley.dev/problems/unavailable","title":"Service Unavailable","status":503}""";
  private static final String RATE_LIMITED = """
      {"type":"https://parley.dev/problems/rate-limited","title":"Too Many Requests","status":429}""";

  private final ScriptedServer server = new ScriptedServer();
  private final List<Duration> sleeps = new ArrayList<>();

  IdempotencyTests() throws IOException {}

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void postWithoutKeyGetsAGeneratedUuidThatTheRetryAfter503Reuses() {
    UUID id = UUID.randomUUID();
    server.then(problem(503, UNAVAILABLE), json(201, Fixtures.persona(id, "Santa Claus")));

    Persona persona = server.client(sleeps).build().personas().create(Fixtures.santa());

    assertThat(persona.getId()).isEqualTo(id);
    List<Received> received = server.received();
    assertThat(received).hasSize(2);
    String key = received.get(0).header("Idempotency-Key");
    assertThat(UUID.fromString(key)).isNotNull();
    assertThat(received.get(1).header("Idempotency-Key")).isEqualTo(key);
    assertThat(received.get(1).body()).isEqualTo(received.get(0).body());
    assertThat(sleeps).hasSize(1);
  }

  @Test
  void retryAfter429WaitsRetryAfterSecondsAndReusesTheKey() {
    server.then(problem(429, RATE_LIMITED, "Retry-After", "0"), json(201, Fixtures.call(UUID.randomUUID(), "scheduled")));

    Call call = server.client(sleeps).build().calls().create(Fixtures.callElla());

    assertThat(call.getStatus()).hasToString("scheduled");
    List<Received> received = server.received();
    assertThat(received).hasSize(2);
    assertThat(received.get(0).header("Idempotency-Key")).isNotBlank()
        .isEqualTo(received.get(1).header("Idempotency-Key"));
    assertThat(sleeps).containsExactly(Duration.ZERO);
  }

  @Test
  void retryAfterADroppedConnectionReusesTheKey() {
    server.then(drop(), json(201, Fixtures.call(UUID.randomUUID(), "scheduled")));

    server.client(sleeps).build().calls().create(Fixtures.callElla());

    List<Received> received = server.received();
    assertThat(received).hasSize(2);
    assertThat(received.get(0).header("Idempotency-Key")).isNotBlank()
        .isEqualTo(received.get(1).header("Idempotency-Key"));
  }

  @Test
  void eachLogicalCallGetsItsOwnKey() {
    server.then(json(201, Fixtures.persona(UUID.randomUUID(), "A")), json(201, Fixtures.persona(UUID.randomUUID(), "B")));
    Parley parley = server.client(sleeps).build();

    parley.personas().create(Fixtures.santa());
    parley.personas().create(Fixtures.santa());

    List<Received> received = server.received();
    assertThat(received.get(0).header("Idempotency-Key")).isNotEqualTo(received.get(1).header("Idempotency-Key"));
  }

  @Test
  void explicitKeyIsSentVerbatimOnEveryAttempt() {
    server.then(problem(503, UNAVAILABLE), problem(503, UNAVAILABLE), json(201, Fixtures.call(UUID.randomUUID(), "scheduled")));

    server.client(sleeps).build().calls().create(Fixtures.callElla(), RequestOptions.withIdempotencyKey("booking-4711"));

    assertThat(server.received()).extracting(r -> r.header("Idempotency-Key"))
        .containsExactly("booking-4711", "booking-4711", "booking-4711");
  }

  @Test
  void cancelWithoutReasonSendsAnEmptyObjectAndAKey() {
    UUID id = UUID.randomUUID();
    server.then(json(200, Fixtures.call(id, "canceled")), json(200, Fixtures.call(id, "canceled")));
    Parley parley = server.client(sleeps).build();

    parley.calls().cancel(id);
    parley.calls().cancel(id, new CancelCallRequest().reason("the family is travelling"));

    List<Received> received = server.received();
    assertThat(received.get(0).path()).isEqualTo("/v1/calls/" + id + "/cancel");
    assertThat(received.get(0).body()).isEqualTo("{}");
    assertThat(received.get(0).header("Idempotency-Key")).isNotBlank();
    assertThat(received.get(1).body()).contains("\"reason\":\"the family is travelling\"");
  }
}
