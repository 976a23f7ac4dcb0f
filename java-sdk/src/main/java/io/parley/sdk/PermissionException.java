package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * The credential is valid but lacks the scope or role this operation needs (403).
 */
public class PermissionException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (403)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public PermissionException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
