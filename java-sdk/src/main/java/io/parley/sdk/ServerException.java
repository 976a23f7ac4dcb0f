package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * Parley failed (5xx), still so after the SDK's automatic retries. A POST may be retried safely with the same
 * idempotency key.
 */
public class ServerException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (500 to 599)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public ServerException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
