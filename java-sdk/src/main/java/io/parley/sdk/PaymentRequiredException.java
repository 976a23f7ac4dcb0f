package io.parley.sdk;

import io.parley.sdk.model.Problem;

/**
 * The tenant's subscription does not allow this (402): none in this mode, canceled, unpaid, or past due beyond the grace
 * period. {@link #detail()} says which, and how to lift it; {@link Parley#billing()} shows where the tenant stands.
 */
public class PaymentRequiredException extends ParleyException {
  private static final long serialVersionUID = 1L;

  /**
   * @param status the HTTP status (402)
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public PaymentRequiredException(int status, Problem problem, String requestId, Throwable cause) {
    super(status, problem, requestId, cause);
  }
}
