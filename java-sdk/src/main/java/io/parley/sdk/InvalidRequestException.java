package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * Parley refused the request as malformed (400), too large (413), not JSON (415) or invalid (422, e.g. a bad
 * phone number or time zone, or an idempotency key reused with another body). {@link #errors()} names the fields.
 * The SDK never retries it: fix the request.
 */
public class InvalidRequestException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (400, 413, 415 or 422)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public InvalidRequestException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
