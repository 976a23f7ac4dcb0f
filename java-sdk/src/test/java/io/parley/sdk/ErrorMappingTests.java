package io.parley.sdk;

import io.parley.sdk.model.FieldError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static io.parley.sdk.ScriptedServer.json;
import static io.parley.sdk.ScriptedServer.problem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ErrorMappingTests {
  private final ScriptedServer server = new ScriptedServer();
  private final List<Duration> sleeps = new ArrayList<>();

  ErrorMappingTests() throws IOException {}

  @AfterEach
  void stop() {
    server.close();
  }

  static Stream<Arguments> clientErrors() {
    return Stream.of(
        Arguments.of(400, "bad-request", InvalidRequestException.class),
        Arguments.of(401, "unauthorized", AuthenticationException.class),
        Arguments.of(402, "subscription-inactive", PaymentRequiredException.class),
        Arguments.of(403, "forbidden", PermissionException.class),
        Arguments.of(404, "not-found", NotFoundException.class),
        Arguments.of(409, "idempotency-key-in-use", ConflictException.class),
        Arguments.of(413, "content-too-large", InvalidRequestException.class),
        Arguments.of(415, "unsupported-media-type", InvalidRequestException.class),
        Arguments.of(422, "validation-error", InvalidRequestException.class));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("clientErrors")
  void clientErrorsAreNotRetriedAndMapToTypedExceptions(int status, String type, Class<? extends ParleyException> expected) {
    server.then(problem(status, """
        {"type":"https://parley.dev/problems/%s","title":"Title %d","status":%d,"detail":"Detail %d",
         "instance":"/v1/calls","requestId":"req_%d","errors":[{"field":"to","detail":"must be E.164"}]}"""
        .formatted(type, status, status, status, status), "X-Request-Id", "req_header"),
        json(201, Fixtures.call(UUID.randomUUID(), "scheduled")));

    Throwable thrown = catchThrowableOfType(ParleyException.class,
        () -> server.client(sleeps).build().calls().create(Fixtures.callElla()));

    assertThat(thrown).isExactlyInstanceOf(expected);
    ParleyException e = (ParleyException) thrown;
    assertThat(e.status()).isEqualTo(status);
    assertThat(e.problemType()).isEqualTo("https://parley.dev/problems/" + type);
    assertThat(e.title()).isEqualTo("Title " + status);
    assertThat(e.detail()).isEqualTo("Detail " + status);
    assertThat(e.requestId()).as("the body's requestId wins").isEqualTo("req_" + status);
    assertThat(e.errors()).extracting(FieldError::getField, FieldError::getDetail).containsExactly(
        org.assertj.core.groups.Tuple.tuple("to", "must be E.164"));
    assertThat(e.getMessage()).contains(String.valueOf(status), "Detail " + status, "req_" + status, "to: must be E.164");
    assertThat(server.received()).hasSize(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void notFoundOnGetCarriesTheHeaderRequestIdWhenTheBodyHasNone() {
    UUID id = UUID.randomUUID();
    server.then(problem(404, """
        {"type":"https://parley.dev/problems/not-found","title":"Not Found","status":404,"detail":"No persona %s"}"""
        .formatted(id), "X-Request-Id", "req_from_header"));

    assertThatThrownBy(() -> server.client(sleeps).build().personas().get(id))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.requestId()).isEqualTo("req_from_header");
          assertThat(e.detail()).isEqualTo("No persona " + id);
          assertThat(e.errors()).isEmpty();
        });
    assertThat(server.received()).hasSize(1);
  }

  @Test
  void nonProblemBodyStillMapsByStatus() {
    server.then(json(502, "<html>bad gateway</html>", "X-Request-Id", "req_gw"),
        json(502, "<html>bad gateway</html>"), json(502, "<html>bad gateway</html>"));

    assertThatThrownBy(() -> server.client(sleeps).build().calls().list())
        .isInstanceOfSatisfying(ServerException.class, e -> {
          assertThat(e.status()).isEqualTo(502);
          assertThat(e.problemType()).isEqualTo("about:blank");
          assertThat(e.title()).isEqualTo("Bad Gateway");
          assertThat(e.detail()).isNull();
        });
    assertThat(server.received()).hasSize(3);
  }

  @Test
  void unexpectedStatusIsAPlainParleyException() {
    server.then(json(418, "{\"type\":\"https://parley.dev/problems/teapot\",\"title\":\"Teapot\",\"status\":418}"));

    assertThatThrownBy(() -> server.client(sleeps).build().apiKeys().list())
        .isExactlyInstanceOf(ParleyException.class)
        .satisfies(e -> assertThat(((ParleyException) e).problemType()).isEqualTo("https://parley.dev/problems/teapot"));
  }
}
