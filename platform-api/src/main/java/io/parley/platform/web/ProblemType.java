package io.parley.platform.web;

import java.net.URI;
import org.springframework.http.HttpStatus;

/**
 * The stable problem types of the API. A {@code type} URI never changes meaning once published;
 * clients may switch on it.
 */
public enum ProblemType {
    MALFORMED_REQUEST("malformed-request", HttpStatus.BAD_REQUEST, "Malformed request"),
    INVALID_PARAMETER("invalid-parameter", HttpStatus.BAD_REQUEST, "Invalid parameter"),
    VALIDATION_ERROR("validation-error", HttpStatus.UNPROCESSABLE_CONTENT, "Validation failed"),
    UNAUTHORIZED("unauthorized", HttpStatus.UNAUTHORIZED, "Missing or invalid credentials"),
    FORBIDDEN("forbidden", HttpStatus.FORBIDDEN, "Not allowed"),
    NOT_FOUND("not-found", HttpStatus.NOT_FOUND, "Not found"),
    METHOD_NOT_ALLOWED("method-not-allowed", HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", HttpStatus.NOT_ACCEPTABLE, "Not acceptable"),
    CONFLICT("conflict", HttpStatus.CONFLICT, "Conflict"),
    SLOT_TAKEN("slot-taken", HttpStatus.CONFLICT, "The slot is already booked"),
    INVALID_CALL_TRANSITION("invalid-call-transition", HttpStatus.CONFLICT, "The call cannot change that way"),
    DO_NOT_CALL("do-not-call", HttpStatus.UNPROCESSABLE_CONTENT, "The number is on the do-not-call list"),
    IDEMPOTENCY_KEY_IN_USE("idempotency-key-in-use", HttpStatus.CONFLICT, "Idempotency key in use"),
    IDEMPOTENCY_KEY_REUSED("idempotency-key-reused", HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency key reused"),
    SUBSCRIPTION_INACTIVE("subscription-inactive", HttpStatus.PAYMENT_REQUIRED, "The subscription does not allow this"),
    PLAN_LIMIT_REACHED("plan-limit-reached", HttpStatus.PAYMENT_REQUIRED, "A limit of the plan was reached"),
    SPEND_CAP_REACHED("spend-cap-reached", HttpStatus.PAYMENT_REQUIRED, "The spend cap was reached"),
    BILLING_NOT_CONFIGURED("billing-not-configured", HttpStatus.CONFLICT, "Billing is not configured for this"),
    STRIPE_FAILED("stripe-failed", HttpStatus.BAD_GATEWAY, "Stripe could not do it"),
    WEBHOOK_SIGNATURE_INVALID("webhook-signature-invalid", HttpStatus.BAD_REQUEST, "The webhook's signature is not valid"),
    RATE_LIMITED("rate-limited", HttpStatus.TOO_MANY_REQUESTS, "Too many requests"),
    CONTENT_TOO_LARGE("content-too-large", HttpStatus.CONTENT_TOO_LARGE, "Request body too large"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported media type"),
    INTERNAL_ERROR("internal-error", HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

    public static final String BASE = "https://parley.dev/problems/";

    private final String slug;
    private final HttpStatus status;
    private final String title;

    ProblemType(String slug, HttpStatus status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    public URI uri() {
        return URI.create(BASE + slug);
    }

    public HttpStatus status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The type a framework-made error of this status gets when no more precise type applies. */
    public static ProblemType forStatus(int status) {
        return switch (status) {
            case 400 -> MALFORMED_REQUEST;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> CONTENT_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 422 -> VALIDATION_ERROR;
            case 429 -> RATE_LIMITED;
            default -> status >= 500 ? INTERNAL_ERROR : MALFORMED_REQUEST;
        };
    }
}
