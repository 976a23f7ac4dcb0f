package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * Parley did not accept the credential (401): the API key is missing, malformed, unknown or revoked.
 */
public class AuthenticationException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (401)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public AuthenticationException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
