package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * The object's state forbids the operation (409), e.g. {@code invalid-call-transition} when canceling a call
 * that is already dialling, or {@code idempotency-key-in-use} while a request with the same idempotency key is still
 * running. Check {@link #problemType()}.
 */
public class ConflictException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (409)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public ConflictException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
