package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * Too many requests (429), still so after the SDK's automatic retries. Slow down and try again later.
 */
public class RateLimitException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (429)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public RateLimitException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
