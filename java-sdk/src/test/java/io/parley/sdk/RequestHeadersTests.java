package io.parley.sdk;

import io.parley.sdk.ScriptedServer.Received;
import io.parley.sdk.model.CreateTenantRequest;
import io.parley.sdk.model.Persona;
import io.parley.sdk.model.TenantCreated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.parley.sdk.ScriptedServer.json;
import static org.assertj.core.api.Assertions.assertThat;

class RequestHeadersTests {
  private final ScriptedServer server = new ScriptedServer();
  private final List<Duration> sleeps = new ArrayList<>();

  RequestHeadersTests() throws IOException {}

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void getSendsBearerKeyAndUserAgentToThePath() {
    UUID id = UUID.randomUUID();
    server.then(json(200, Fixtures.persona(id, "Santa Claus")));

    Persona persona = server.client(sleeps).build().personas().get(id);

    assertThat(persona.getId()).isEqualTo(id);
    assertThat(persona.getName()).isEqualTo("Santa Claus");
    Received r = server.received().get(0);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/v1/personas/" + id);
    assertThat(r.header("Authorization")).isEqualTo("Bearer sk_test_abc123");
    assertThat(r.header("User-Agent")).isEqualTo("parley-java/" + Parley.VERSION);
    assertThat(r.header("Idempotency-Key")).as("GETs carry no idempotency key").isNull();
  }

  @Test
  void operatorTokenIsSentAsBearerForTenantCreation() {
    server.then(json(201, """
        {"id":"%s","name":"North Pole Calls Ltd","createdAt":"2026-12-01T10:00:00Z","apiKey":"sk_test_first"}"""
        .formatted(UUID.randomUUID())));

    TenantCreated tenant = server.client(sleeps).apiKey("op_token_123").build().tenants()
        .create(new CreateTenantRequest().name("North Pole Calls Ltd"));

    assertThat(tenant.getApiKey()).isEqualTo("sk_test_first");
    Received r = server.received().get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v1/tenants");
    assertThat(r.header("Authorization")).isEqualTo("Bearer op_token_123");
    assertThat(r.header("User-Agent")).startsWith("parley-java/");
    assertThat(r.header("Content-Type")).isEqualTo("application/json");
    assertThat(r.body()).contains("\"name\":\"North Pole Calls Ltd\"");
  }

  @Test
  void clientsSharingOneHttpClientEachSendTheirOwnKey() {
    UUID id = UUID.randomUUID();
    server.then(json(200, Fixtures.call(id, "scheduled")), json(200, Fixtures.call(id, "scheduled")));
    java.net.http.HttpClient shared = java.net.http.HttpClient.newHttpClient();

    server.client(sleeps).apiKey("sk_test_first").httpClient(shared).build().calls().get(id);
    server.client(sleeps).apiKey("cc_test_second").httpClient(shared).build().calls().get(id);

    assertThat(server.received()).extracting(r -> r.header("Authorization"))
        .containsExactly("Bearer sk_test_first", "Bearer cc_test_second");
  }

  @Test
  void baseUrlPathPrefixIsKept() {
    UUID id = UUID.randomUUID();
    server.then(json(200, Fixtures.call(id, "scheduled")));

    server.client(sleeps).baseUrl(server.baseUrl() + "/parley/").build().calls().get(id);

    assertThat(server.received().get(0).path()).isEqualTo("/parley/v1/calls/" + id);
  }
}
