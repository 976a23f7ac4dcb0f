package io.parley.sdk;

/**
 * A webhook post did not verify: a header missing or malformed, a timestamp outside the tolerance, no signature
 * made with your secret, or a body that is not a Parley event. Answer it with 400 and do not act on it.
 */
public final class WebhookVerificationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WebhookVerificationException(String message) {
    super(message);
  }

  WebhookVerificationException(String message, Throwable cause) {
    super(message, cause);
  }
}
