package io.parley.sdk;

import java.util.UUID;

/** Chooses the {@code Idempotency-Key} of one logical POST, before its first attempt, so every retry reuses it. */
final class Idempotency {
  private Idempotency() {}

  static String key(RequestOptions options) {
    String given = options == null ? null : options.idempotencyKey();
    return given != null ? given : UUID.randomUUID().toString();
  }
}
