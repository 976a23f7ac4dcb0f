package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * No such object in the caller's tenant (404). Another tenant's objects answer this too, exactly as if they did
 * not exist.
 */
public class NotFoundException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (404)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public NotFoundException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
