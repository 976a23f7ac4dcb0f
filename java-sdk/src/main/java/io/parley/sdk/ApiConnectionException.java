package io.parley.sdk;

/**
 * Parley could not be reached or did not answer: connection refused or reset, a timeout, a dropped connection, or
 * the thread was interrupted. {@link #status()} is 0 and there is no problem document or request id. Whether the
 * request took effect is unknown: a POST can be retried safely with the same idempotency key (see
 * {@link RequestOptions}).
 */
public class ApiConnectionException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed
   * @param cause the underlying I/O error or interruption
   */
  public ApiConnectionException(String message, Throwable cause) {
    super(message, 0, null, null, cause);
  }
}
