package io.parley.sdk;

import io.parley.sdk.internal.ApiException;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Runs one logical API call, retrying it with exponential backoff and full jitter.
 *
 * <p>What is retried depends on whether repeating the request is safe:
 * <ul>
 *   <li>{@link Safety#REPEATABLE} (GETs, and POSTs, which always carry an idempotency key): network failures, 429
 *       and 5xx.</li>
 *   <li>{@link Safety#ONCE} (PATCH, DELETE: the API takes no idempotency key for them): only failures where Parley
 *       cannot have acted: a connection that could not be opened, and 429.</li>
 * </ul>
 * Other 4xx are never retried. The wait before retry {@code n} (0-based) is {@code Retry-After} seconds when the
 * answer has that header (at most {@link #MAX_RETRY_AFTER}), else a random duration in
 * {@code [0, min(MAX_DELAY, BASE_DELAY * 2^n))}.
 */
final class RequestExecutor {
  static final Duration BASE_DELAY = Duration.ofMillis(500);
  static final Duration MAX_DELAY = Duration.ofSeconds(8);
  static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

  private static final System.Logger LOG = System.getLogger("io.parley.sdk");

  enum Safety { REPEATABLE, ONCE }

  @FunctionalInterface
  interface ApiCall<T> {
    T call() throws ApiException;
  }

  private final int maxRetries;
  private final Sleeper sleeper;
  private final DoubleSupplier jitter;
  private final ErrorMapper errors;

  RequestExecutor(int maxRetries, Sleeper sleeper, DoubleSupplier jitter, ErrorMapper errors) {
    this.maxRetries = maxRetries;
    this.sleeper = sleeper;
    this.jitter = jitter;
    this.errors = errors;
  }

  <T> T execute(String operation, Safety safety, ApiCall<T> call) {
    for (int retry = 0; ; retry++) {
      try {
        return call.call();
      } catch (ApiException e) {
        if (retry >= maxRetries || !shouldRetry(e, safety)) {
          throw errors.map(e);
        }
        Duration delay = delay(retry, e.getResponseHeaders());
        int attempt = retry + 1;
        LOG.log(Level.DEBUG, () -> operation + " failed (" + describe(e) + "); retry " + attempt + " of " + maxRetries
            + " in " + delay.toMillis() + " ms");
        try {
          sleeper.sleep(delay);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          ApiConnectionException stop = new ApiConnectionException("Interrupted while waiting to retry " + operation, interrupted);
          stop.addSuppressed(errors.map(e));
          throw stop;
        }
      }
    }
  }

  static boolean shouldRetry(ApiException e, Safety safety) {
    int status = e.getCode();
    if (status == 0) {
      Throwable cause = e.getCause();
      if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
        return true; // the request never left: always safe
      }
      return safety == Safety.REPEATABLE && cause instanceof IOException; // not InterruptedException, not Jackson
    }
    if (status == 429) {
      return true;
    }
    return safety == Safety.REPEATABLE && status >= 500 && status <= 599;
  }

  Duration delay(int retry, HttpHeaders headers) {
    Duration retryAfter = retryAfter(headers);
    if (retryAfter != null) {
      return retryAfter;
    }
    long ceiling = Math.min(MAX_DELAY.toMillis(), BASE_DELAY.toMillis() << Math.min(retry, 20));
    double r = Math.min(Math.max(jitter.getAsDouble(), 0.0), 1.0);
    return Duration.ofMillis((long) (r * ceiling));
  }

  private static Duration retryAfter(HttpHeaders headers) {
    String value = ErrorMapper.header(headers, "Retry-After");
    if (value == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(value.trim());
      return seconds < 0 ? null : Duration.ofSeconds(Math.min(seconds, MAX_RETRY_AFTER.toSeconds()));
    } catch (NumberFormatException httpDate) {
      return null; // an HTTP-date: fall back to our own backoff
    }
  }

  private static String describe(ApiException e) {
    return e.getCode() == 0 ? String.valueOf(e.getCause()) : "HTTP " + e.getCode();
  }
}
