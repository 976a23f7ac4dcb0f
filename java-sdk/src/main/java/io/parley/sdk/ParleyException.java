package io.parley.sdk;

import io.parley.sdk.model.FieldError;
import io.parley.sdk.model.Problem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Base of every error the Parley SDK throws. It is unchecked, as in stripe-java.
 *
 * <p>When Parley answered, the exception carries the answer's RFC 9457 problem document: the HTTP
 * {@link #status()}, the {@link #problemType()} URI (e.g. {@code https://parley.dev/problems/not-found}), a
 * {@link #title()}, a {@link #detail()}, the offending fields in {@link #errors()}, and the {@link #requestId()}
 * to quote when you contact support. Catch a subclass to handle one kind of failure:
 *
 * <ul>
 *   <li>{@link InvalidRequestException}: 400, 413, 415, 422 (fix the request; retrying will not help)</li>
 *   <li>{@link AuthenticationException}: 401 (missing, wrong or revoked key)</li>
 *   <li>{@link PermissionException}: 403 (the key lacks a scope)</li>
 *   <li>{@link NotFoundException}: 404 (no such object in your tenant)</li>
 *   <li>{@link ConflictException}: 409 (state forbids it, or the idempotency key is in use)</li>
 *   <li>{@link RateLimitException}: 429, after the SDK's own retries</li>
 *   <li>{@link ServerException}: 5xx, after the SDK's own retries</li>
 *   <li>{@link ApiConnectionException}: Parley could not be reached or did not answer (status 0)</li>
 * </ul>
 *
 * <p>A plain {@code ParleyException} is thrown for anything else, e.g. an unexpected status or a response the SDK
 * could not read.
 */
public class ParleyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The problem type RFC 9457 assumes when a problem document names none. */
  public static final String ABOUT_BLANK = "about:blank";

  private final int status;
  private final String problemType;
  private final String title;
  private final String detail;
  private final String requestId;
  private final transient List<FieldError> errors;

  /**
   * An error for an HTTP answer, with a message made from the problem.
   *
   * @param status the HTTP status, or 0 when there was no answer
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  public ParleyException(int status, Problem problem, String requestId, Throwable cause) {
    this(describe(status, problem, requestId), status, problem, requestId, cause);
  }

  /**
   * An error with its own message.
   *
   * @param message the message
   * @param status the HTTP status, or 0 when there was no answer
   * @param problem the problem document Parley answered, or null
   * @param requestId the request id, or null
   * @param cause the underlying cause, or null
   */
  protected ParleyException(String message, int status, Problem problem, String requestId, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.problemType = problem == null || problem.getType() == null ? (status == 0 ? null : ABOUT_BLANK) : problem.getType();
    this.title = problem == null ? null : problem.getTitle();
    this.detail = problem == null ? null : problem.getDetail();
    this.requestId = requestId;
    this.errors = copy(problem == null ? null : problem.getErrors());
  }

  /** The HTTP status Parley answered, or 0 when it did not answer. */
  public int status() {
    return status;
  }

  /**
   * The problem type URI, e.g. {@code https://parley.dev/problems/validation-error}: stable, so match on it rather than on
   * the title or detail. {@value #ABOUT_BLANK} when the answer named none; null when there was no answer.
   */
  public String problemType() {
    return problemType;
  }

  /** The problem's short, human-readable summary, or null. */
  public String title() {
    return title;
  }

  /** The problem's explanation of this occurrence, or null. */
  public String detail() {
    return detail;
  }

  /**
   * The id Parley gave the request (from the problem document, else the {@code X-Request-Id} header), or null when
   * Parley did not answer. Quote it when you contact support.
   */
  public String requestId() {
    return requestId;
  }

  /** The offending fields (dotted body paths such as {@code voice.provider}, or parameter names); never null. */
  public List<FieldError> errors() {
    return errors == null ? List.of() : errors;
  }

  private static List<FieldError> copy(List<FieldError> errors) {
    if (errors == null || errors.isEmpty()) {
      return List.of();
    }
    List<FieldError> copy = new ArrayList<>(errors.size());
    for (FieldError e : errors) {
      if (e != null) {
        copy.add(new FieldError().field(e.getField()).detail(e.getDetail()));
      }
    }
    return Collections.unmodifiableList(copy);
  }

  static String describe(int status, Problem problem, String requestId) {
    StringBuilder sb = new StringBuilder().append(status);
    if (problem != null && problem.getTitle() != null) {
      sb.append(' ').append(problem.getTitle());
    }
    if (problem != null && problem.getDetail() != null) {
      sb.append(": ").append(problem.getDetail());
    }
    if (problem != null && problem.getErrors() != null) {
      for (FieldError e : problem.getErrors()) {
        if (e != null) {
          sb.append("; ").append(e.getField()).append(": ").append(e.getDetail());
        }
      }
    }
    sb.append(" (type=").append(problem == null || problem.getType() == null ? ABOUT_BLANK : problem.getType());
    if (requestId != null) {
      sb.append(", requestId=").append(requestId);
    }
    return sb.append(')').toString();
  }
}
