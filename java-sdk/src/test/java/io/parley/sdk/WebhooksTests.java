package io.parley.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.sdk.model.WebhookEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhooksTests {

  // the Standard Webhooks specification's test vector
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  private static Webhooks at(long epochSeconds) {
    return new Webhooks(SECRET, Webhooks.DEFAULT_TOLERANCE, Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
  }

  @Test
  void theSpecificationsVectorVerifies() {
    Webhooks webhooks = at(TIMESTAMP);
    webhooks.verifySignature(BODY, ID, Long.toString(TIMESTAMP), SIGNATURE);
    assertThat(webhooks.sign(ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
  }

  @Test
  void aSecretWithoutItsPrefixIsTheSameSecret() {
    new Webhooks(SECRET.substring("whsec_".length()), Duration.ofMinutes(5), Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC))
        .verifySignature(BODY, ID, Long.toString(TIMESTAMP), SIGNATURE);
  }

  @Test
  void oneGoodSignatureAmongOthersVerifies() {
    at(TIMESTAMP).verifySignature(BODY, ID, Long.toString(TIMESTAMP), "v1,bm90IGl0 v2,whatever " + SIGNATURE);
  }

  @Test
  void whatDoesNotVerifyIsRefusedWithItsReason() {
    Webhooks webhooks = at(TIMESTAMP);
    String ts = Long.toString(TIMESTAMP);
    assertRefused(() -> webhooks.verifySignature(BODY + " ", ID, ts, SIGNATURE), "no signature made with this secret");
    assertRefused(() -> webhooks.verifySignature(BODY, "msg_other", ts, SIGNATURE), "no signature made with this secret");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, Long.toString(TIMESTAMP + 1), SIGNATURE), "no signature");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, ts, "v2," + SIGNATURE.substring(3)), "no signature");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, ts, "garbage"), "no signature");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, ts, "v1,!!!not-base64"), "no signature");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, "yesterday", SIGNATURE), "not a number");
    assertRefused(() -> webhooks.verifySignature(BODY, null, ts, SIGNATURE), "no webhook-id");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, null, SIGNATURE), "no webhook-timestamp");
    assertRefused(() -> webhooks.verifySignature(BODY, ID, ts, ""), "no webhook-signature");
    Webhooks other = new Webhooks("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]), Duration.ofMinutes(5),
        Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC));
    assertRefused(() -> other.verifySignature(BODY, ID, ts, SIGNATURE), "no signature made with this secret");
  }

  @Test
  void aTimestampOutsideTheToleranceIsRefusedEitherWay() {
    String ts = Long.toString(TIMESTAMP);
    at(TIMESTAMP + 299).verifySignature(BODY, ID, ts, SIGNATURE);
    at(TIMESTAMP - 299).verifySignature(BODY, ID, ts, SIGNATURE);
    assertRefused(() -> at(TIMESTAMP + 301).verifySignature(BODY, ID, ts, SIGNATURE), "too old");
    assertRefused(() -> at(TIMESTAMP - 301).verifySignature(BODY, ID, ts, SIGNATURE), "in the future");
  }

  @Test
  void readsTheEventFromHeadersInAnyCase() {
    String id = "0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d42";
    String body = "{\"id\":\"" + id + "\",\"type\":\"call.completed\",\"timestamp\":\"2026-12-24T18:05:00.000Z\","
        + "\"data\":{\"callId\":\"0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d43\",\"status\":\"completed\",\"somethingNew\":1}}";
    Webhooks webhooks = at(TIMESTAMP);
    String signature = webhooks.sign(id, TIMESTAMP, body);

    WebhookEvent event = webhooks.verify(body, Map.of("Webhook-Id", List.of(id), "WEBHOOK-TIMESTAMP", List.of(Long.toString(TIMESTAMP)),
        "webhook-signature", List.of(signature)));

    assertThat(event.getType()).isEqualTo("call.completed");
    assertThat(event.getData().getCallId()).hasToString("0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d43");
    assertThat(event.getData().getStatus()).isEqualTo(io.parley.sdk.model.CallStatus.COMPLETED);
  }

  @Test
  void aSignedBodyThatIsNotTheNamedEventIsRefused() {
    Webhooks webhooks = at(TIMESTAMP);
    String notJson = "not json";
    assertRefused(() -> webhooks.verify(notJson, ID, Long.toString(TIMESTAMP), webhooks.sign(ID, TIMESTAMP, notJson)), "not a Parley event");
    String otherId = "{\"id\":\"0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d42\",\"type\":\"call.completed\",\"timestamp\":\"2026-12-24T18:05:00Z\","
        + "\"data\":{\"callId\":\"0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d43\"}}";
    String id = "0193f9a2-7b1c-7cc0-8a11-6f0e6a3b9d44";
    assertRefused(() -> webhooks.verify(otherId, id, Long.toString(TIMESTAMP), webhooks.sign(id, TIMESTAMP, otherId)), "not the event");
  }

  @Test
  void neverPrintsTheSecret() {
    assertThat(at(TIMESTAMP).toString()).doesNotContain("MfKQ9r8");
    assertThatThrownBy(() -> new Webhooks("whsec_***")).isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String reason) {
    assertThatThrownBy(call).isInstanceOf(WebhookVerificationException.class).hasMessageContaining(reason);
  }
}
