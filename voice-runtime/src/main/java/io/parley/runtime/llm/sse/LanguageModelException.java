package io.parley.runtime.llm.sse;

import java.net.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Why a streaming model call failed, as reported to {@code Listener.failed}: the provider, what kind of
 * failure, and whatever the vendor said (HTTP status, its error type/code/message, its request id, to quote
 * to their support). {@link #getMessage()} puts it all on one line.
 */
public class LanguageModelException extends Exception {

    /** What went wrong. */
    public enum Kind {
        /** The vendor answered with a non-2xx status (401 bad key, 429 rate limit, 5xx...). */
        HTTP_STATUS,
        /** The stream started, then the vendor sent an error event (OpenAI {@code data: {"error":..}}, Anthropic {@code event: error}). */
        STREAM_ERROR,
        /** No connection within the connect timeout, or nothing received within the idle timeout. */
        TIMEOUT,
        /** The connection failed or closed before the reply was complete. */
        CONNECTION,
        /** The vendor sent something this adapter cannot make sense of (bad JSON, tool arguments not a JSON object). */
        PROTOCOL
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 409, 425, 429, 500, 502, 503, 504, 529);
    private static final Set<String> RETRYABLE_TYPES = Set.of("overloaded_error", "rate_limit_error", "api_error", "server_error",
            "rate_limit_exceeded", "timeout_error");
    private static final int MAX_QUOTED_BODY = 500;

    private final String provider;
    private final Kind kind;
    private final int status;
    private final String errorType;
    private final String errorCode;
    private final String vendorMessage;
    private final String requestId;

    public LanguageModelException(String provider, Kind kind, int status, String errorType, String errorCode, String vendorMessage,
                                  String requestId, Throwable cause) {
        super(describe(provider, kind, status, errorType, errorCode, vendorMessage, requestId), cause);
        this.provider = provider;
        this.kind = kind;
        this.status = status;
        this.errorType = errorType;
        this.errorCode = errorCode;
        this.vendorMessage = vendorMessage;
        this.requestId = requestId;
    }

    /** A non-2xx answer; {@code body} is the vendor's error document (JSON, or whatever a proxy sent). */
    public static LanguageModelException httpStatus(String provider, int status, String requestId, String body) {
        VendorError error = VendorError.parse(body);
        return new LanguageModelException(provider, Kind.HTTP_STATUS, status, error.type, error.code, error.message,
                requestId != null ? requestId : error.requestId, null);
    }

    /** An error event inside a 200 stream; {@code error} is the event's {@code error} member (or the whole event). */
    public static LanguageModelException streamError(String provider, JsonNode error, String requestId) {
        VendorError parsed = VendorError.of(error);
        return new LanguageModelException(provider, Kind.STREAM_ERROR, 0, parsed.type, parsed.code, parsed.message,
                requestId != null ? requestId : parsed.requestId, null);
    }

    public static LanguageModelException timeout(String provider, String what, String requestId, Throwable cause) {
        return new LanguageModelException(provider, Kind.TIMEOUT, 0, null, null, what, requestId, cause);
    }

    public static LanguageModelException connection(String provider, String what, String requestId, Throwable cause) {
        return new LanguageModelException(provider, Kind.CONNECTION, 0, null, null, what, requestId, cause);
    }

    public static LanguageModelException protocol(String provider, String what, String requestId, Throwable cause) {
        return new LanguageModelException(provider, Kind.PROTOCOL, 0, null, null, what, requestId, cause);
    }

    /** The request id the vendor gave this call ({@code x-request-id} for OpenAI & co, {@code request-id} for Anthropic). */
    public static String requestIdOf(HttpHeaders headers) {
        return headers.firstValue("x-request-id").or(() -> headers.firstValue("request-id")).orElse(null);
    }

    /** The adapter's id, e.g. {@code openai}. */
    public String provider() {
        return provider;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status for {@link Kind#HTTP_STATUS}, else 0. */
    public int status() {
        return status;
    }

    /** The vendor's error type ({@code invalid_request_error}, {@code overloaded_error}...), or {@code null}. */
    public String errorType() {
        return errorType;
    }

    /** The vendor's error code (OpenAI {@code invalid_api_key}, {@code rate_limit_exceeded}...), or {@code null}. */
    public String errorCode() {
        return errorCode;
    }

    /** The vendor's own message, or ours for timeouts and broken connections. */
    public String vendorMessage() {
        return vendorMessage;
    }

    /** The vendor's request id, or {@code null}. */
    public String requestId() {
        return requestId;
    }

    /** Whether trying again (later, or on another provider) may work: rate limits, overload, 5xx, timeouts, broken connections. */
    public boolean isRetryable() {
        return kind == Kind.TIMEOUT || kind == Kind.CONNECTION || RETRYABLE_STATUSES.contains(status)
                || (errorType != null && RETRYABLE_TYPES.contains(errorType)) || (errorCode != null && RETRYABLE_TYPES.contains(errorCode));
    }

    private static String describe(String provider, Kind kind, int status, String type, String code, String message, String requestId) {
        StringBuilder s = new StringBuilder(provider).append(": ");
        switch (kind) {
            case HTTP_STATUS -> s.append("HTTP ").append(status);
            case STREAM_ERROR -> s.append("error event in stream");
            default -> s.append(kind.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
        if (type != null || code != null) {
            s.append(" [");
            if (type != null) s.append("type=").append(type);
            if (type != null && code != null) s.append(", ");
            if (code != null) s.append("code=").append(code);
            s.append(']');
        }
        if (message != null && !message.isBlank()) s.append(": ").append(message);
        if (requestId != null) s.append(" (request id ").append(requestId).append(')');
        return s.toString();
    }

    /**
     * The error documents vendors send: OpenAI & compatibles {@code {"error":{"message","type","code"}}},
     * Anthropic {@code {"type":"error","error":{"type","message"},"request_id"}}, older vLLM
     * {@code {"object":"error","message","type","code"}}, Ollama {@code {"error":"..."}}, FastAPI {@code {"detail":..}}.
     */
    private record VendorError(String type, String code, String message, String requestId) {

        static VendorError parse(String body) {
            if (body == null || body.isBlank()) {
                return new VendorError(null, null, null, null);
            }
            try {
                JsonNode root = JSON.readTree(body);
                if (root != null && root.isObject()) {
                    return of(root);
                }
            } catch (JacksonException notJson) {
                // an HTML page from a proxy, say: quoted below
            }
            String trimmed = body.strip();
            return new VendorError(null, null, trimmed.length() > MAX_QUOTED_BODY ? trimmed.substring(0, MAX_QUOTED_BODY) + "..." : trimmed, null);
        }

        static VendorError of(JsonNode node) {
            if (node == null || !node.isObject()) {
                return new VendorError(null, null, node == null ? null : node.toString(), null);
            }
            String requestId = text(node.get("request_id"));
            JsonNode error = node.get("error");
            if (error != null && error.isObject()) {
                return new VendorError(text(error.get("type")), text(error.get("code")), text(error.get("message")), requestId);
            }
            if (error != null && error.isString()) {
                return new VendorError(null, null, error.asString(), requestId);
            }
            String type = text(node.get("type"));
            String message = text(node.get("message"));
            if (message == null && node.get("detail") != null) {
                message = node.get("detail").isString() ? node.get("detail").asString() : node.get("detail").toString();
            }
            return new VendorError("error".equals(type) ? null : type, text(node.get("code")), message, requestId);
        }

        private static String text(JsonNode value) {
            if (value == null || value.isNull()) return null;
            if (value.isString()) return value.asString();
            if (value.isNumber() || value.isBoolean()) return value.toString();
            return null;
        }
    }
}
