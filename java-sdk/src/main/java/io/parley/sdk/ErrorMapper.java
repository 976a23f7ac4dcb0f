package io.parley.sdk;

import io.parley.sdk.internal.ApiException;
import io.parley.sdk.model.Problem;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.http.HttpHeaders;

/** Turns the generated client's checked {@link ApiException} into the SDK's typed, unchecked exceptions. */
final class ErrorMapper {
  static final String REQUEST_ID_HEADER = "X-Request-Id";

  private final ObjectMapper mapper;
  private final String baseUrl;

  ErrorMapper(ObjectMapper mapper, String baseUrl) {
    this.mapper = mapper;
    this.baseUrl = baseUrl;
  }

  ParleyException map(ApiException e) {
    int status = e.getCode();
    if (status == 0) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof InterruptedException) {
        return new ApiConnectionException("Interrupted while calling Parley at " + baseUrl, cause);
      }
      if (cause instanceof IOException) {
        return new ApiConnectionException("Could not reach Parley at " + baseUrl + ": " + cause, cause);
      }
      // Jackson could not write the request or read a successful response.
      return new ParleyException("Could not encode the request or decode Parley's response: " + cause, 0, null, null, cause);
    }
    Problem problem = parse(e.getResponseBody());
    if (problem == null) {
      problem = new Problem().status(status).title(reason(status));
    }
    String requestId = problem.getRequestId() != null ? problem.getRequestId() : header(e.getResponseHeaders(), REQUEST_ID_HEADER);
    switch (status) {
      case 400:
      case 413:
      case 415:
      case 422:
        return new InvalidRequestException(status, problem, requestId, e);
      case 401:
        return new AuthenticationException(status, problem, requestId, e);
      case 402:
        return new PaymentRequiredException(status, problem, requestId, e);
      case 403:
        return new PermissionException(status, problem, requestId, e);
      case 404:
        return new NotFoundException(status, problem, requestId, e);
      case 409:
        return new ConflictException(status, problem, requestId, e);
      case 429:
        return new RateLimitException(status, problem, requestId, e);
      default:
        return status >= 500 && status <= 599
            ? new ServerException(status, problem, requestId, e)
            : new ParleyException(status, problem, requestId, e);
    }
  }

  private Problem parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      Problem p = mapper.readValue(body, Problem.class);
      return p != null && (p.getType() != null || p.getTitle() != null || p.getStatus() != null) ? p : null;
    } catch (RuntimeException notAProblem) { // Jackson 3 exceptions are unchecked
      return null;
    }
  }

  static String header(HttpHeaders headers, String name) {
    return headers == null ? null : headers.firstValue(name).orElse(null);
  }

  private static String reason(int status) {
    switch (status) {
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 409: return "Conflict";
      case 413: return "Content Too Large";
      case 415: return "Unsupported Media Type";
      case 422: return "Unprocessable Content";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      case 504: return "Gateway Timeout";
      default: return "HTTP " + status;
    }
  }
}
