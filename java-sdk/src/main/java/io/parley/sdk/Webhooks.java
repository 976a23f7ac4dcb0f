package io.parley.sdk;

import io.parley.sdk.internal.ApiClient;
import io.parley.sdk.model.WebhookEvent;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Verifies the webhooks Parley posts to your endpoint (the Standard Webhooks scheme) and reads their event.
 *
 * <pre>{@code
 * Webhooks webhooks = new Webhooks(System.getenv("PARLEY_WEBHOOK_SECRET"));   // whsec_..., from createWebhookEndpoint
 * // in your handler, with the body exactly as received (not re-serialised):
 * WebhookEvent event = webhooks.verify(rawBody, request.headers());        // or verify(rawBody, id, timestamp, signature)
 * if (alreadyHandled(event.getId())) return 200;                           // retries carry the same id
 * }</pre>
 *
 * <p>A post verifies when its {@code webhook-signature} header holds a {@code v1,} signature made with your secret
 * over {@code <webhook-id>.<webhook-timestamp>.<body>} (signatures are compared in constant time; other versions
 * and other secrets' signatures in the same header are ignored, so a secret can be rotated) and its
 * {@code webhook-timestamp} is within the tolerance (5 minutes by default) of now, either way, which stops an
 * old post being replayed. Immutable and thread-safe.
 */
public final class Webhooks {
  /** How far a post's timestamp may be from now, either way, by default. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final String SECRET_PREFIX = "whsec_";
  private static final ObjectMapper JSON = ApiClient.createDefaultObjectMapper();

  private final byte[] key;
  private final Duration tolerance;
  private final Clock clock;

  /** Verifies with {@code secret} (the endpoint's {@code whsec_...}) and the default tolerance. */
  public Webhooks(String secret) {
    this(secret, DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /** Verifies with {@code secret}, accepting timestamps within {@code tolerance} of {@code clock}'s now. */
  public Webhooks(String secret, Duration tolerance, Clock clock) {
    Objects.requireNonNull(secret, "secret");
    String base64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    try {
      this.key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a webhook secret (whsec_ and base64)");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("not a webhook secret (whsec_ and base64)");
    }
    this.tolerance = Objects.requireNonNull(tolerance, "tolerance");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Verifies a post from its body and its headers (any letter case; each name to its values, as servlet and
   * {@code java.net.http} headers come), and reads its event.
   *
   * @throws WebhookVerificationException when it does not verify
   */
  public WebhookEvent verify(String body, Map<String, List<String>> headers) {
    Objects.requireNonNull(headers, "headers");
    return verify(body, header(headers, "webhook-id"), header(headers, "webhook-timestamp"), header(headers, "webhook-signature"));
  }

  /**
   * Verifies a post from its body and its three headers, and reads its event.
   *
   * @throws WebhookVerificationException when it does not verify
   */
  public WebhookEvent verify(String body, String webhookId, String webhookTimestamp, String webhookSignature) {
    verifySignature(body, webhookId, webhookTimestamp, webhookSignature);
    try {
      WebhookEvent event = JSON.readValue(body, WebhookEvent.class);
      if (event == null || event.getId() == null || event.getType() == null || !webhookId.equals(event.getId().toString())) {
        throw new WebhookVerificationException("the body is not the event its webhook-id names");
      }
      return event;
    } catch (JacksonException e) {
      throw new WebhookVerificationException("the body is not a Parley event", e);
    }
  }

  /**
   * Checks the signature and timestamp only (the body is left unread).
   *
   * @throws WebhookVerificationException when it does not verify
   */
  public void verifySignature(String body, String webhookId, String webhookTimestamp, String webhookSignature) {
    if (body == null) throw new WebhookVerificationException("no body");
    if (webhookId == null || webhookId.isEmpty()) throw new WebhookVerificationException("no webhook-id header");
    if (webhookTimestamp == null || webhookTimestamp.isEmpty()) throw new WebhookVerificationException("no webhook-timestamp header");
    if (webhookSignature == null || webhookSignature.isEmpty()) throw new WebhookVerificationException("no webhook-signature header");
    long seconds;
    try {
      seconds = Long.parseLong(webhookTimestamp.trim());
    } catch (NumberFormatException e) {
      throw new WebhookVerificationException("webhook-timestamp is not a number of seconds");
    }
    Instant now = clock.instant();
    Instant at = Instant.ofEpochSecond(seconds);
    if (at.isBefore(now.minus(tolerance))) throw new WebhookVerificationException("webhook-timestamp is too old");
    if (at.isAfter(now.plus(tolerance))) throw new WebhookVerificationException("webhook-timestamp is in the future");
    byte[] expected = sign(webhookId + "." + webhookTimestamp.trim() + "." + body);
    for (String candidate : webhookSignature.trim().split(" +")) {
      int comma = candidate.indexOf(',');
      if (comma < 0 || !candidate.substring(0, comma).equals("v1")) continue;
      byte[] given;
      try {
        given = Base64.getDecoder().decode(candidate.substring(comma + 1));
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (MessageDigest.isEqual(expected, given)) return;
    }
    throw new WebhookVerificationException("no signature made with this secret");
  }

  /** The {@code v1,...} signature of one message: for tests of your handler. */
  public String sign(String webhookId, long webhookTimestamp, String body) {
    return "v1," + Base64.getEncoder().encodeToString(sign(webhookId + "." + webhookTimestamp + "." + body));
  }

  private byte[] sign(String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static String header(Map<String, List<String>> headers, String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey() != null && e.getKey().toLowerCase(Locale.ROOT).equals(name) && e.getValue() != null && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "Webhooks{tolerance=" + tolerance + '}'; // never the secret
  }
}
