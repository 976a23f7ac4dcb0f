package io.parley.sdk;

import java.util.Objects;

/**
 * Per-request options for the operations that change something (every POST).
 *
 * <p>{@code idempotencyKey} makes a POST safe to repeat: Parley answers a repeated key with the same body, within
 * 24 hours, with the first response again instead of acting twice. Without one, the SDK makes a random key for
 * each call and reuses it for that call's automatic retries, which protects against network failures inside one
 * call. Give your own key (e.g. your order id) to also make a call safe to repeat across process restarts:
 *
 * <pre>{@code
 * Call call = parley.calls().create(request, RequestOptions.withIdempotencyKey("booking-4711"));
 * }</pre>
 *
 * <p>Instances are immutable.
 */
public final class RequestOptions {
  private static final RequestOptions NONE = new RequestOptions(null);
  private static final int MAX_KEY_LENGTH = 255;

  private final String idempotencyKey;

  private RequestOptions(String idempotencyKey) {
    this.idempotencyKey = idempotencyKey;
  }

  /** Options with nothing set: the SDK makes the idempotency key. */
  public static RequestOptions none() {
    return NONE;
  }

  /**
   * Options with this idempotency key.
   *
   * @param idempotencyKey 1 to 255 characters, unique per operation you mean (a UUID is ideal)
   * @throws IllegalArgumentException when blank or longer than 255 characters
   */
  public static RequestOptions withIdempotencyKey(String idempotencyKey) {
    return builder().idempotencyKey(idempotencyKey).build();
  }

  /** A builder for options. */
  public static Builder builder() {
    return new Builder();
  }

  /** The caller's idempotency key, or null when the SDK makes one. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** Builds {@link RequestOptions}. */
  public static final class Builder {
    private String idempotencyKey;

    private Builder() {}

    /**
     * Sets the idempotency key.
     *
     * @param idempotencyKey 1 to 255 characters (a UUID is ideal), or null to let the SDK make one
     * @throws IllegalArgumentException when blank or longer than 255 characters
     */
    public Builder idempotencyKey(String idempotencyKey) {
      if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_KEY_LENGTH)) {
        throw new IllegalArgumentException("idempotencyKey must be 1 to " + MAX_KEY_LENGTH + " non-blank characters");
      }
      this.idempotencyKey = idempotencyKey;
      return this;
    }

    /** The options. */
    public RequestOptions build() {
      return idempotencyKey == null ? NONE : new RequestOptions(idempotencyKey);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RequestOptions && Objects.equals(idempotencyKey, ((RequestOptions) o).idempotencyKey);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(idempotencyKey);
  }

  @Override
  public String toString() {
    return "RequestOptions{idempotencyKey=" + idempotencyKey + '}';
  }
}
