package io.parley.platform.web;

import io.parley.platform.web.ApiProblemException.FieldError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.MethodParameter;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.lang.Nullable;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * The one place errors become RFC 9457 problems. Every client mistake answers 4xx naming what was
 * wrong; anything unexpected answers a bare 500 whose detail reveals nothing (it is logged here).
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    /** Java parameter names of the generated interfaces whose wire names differ. */
    private static final java.util.Map<String, String> WIRE_NAMES = java.util.Map.of("idempotencyKey", "Idempotency-Key");

    @ExceptionHandler(ApiProblemException.class)
    ResponseEntity<Object> apiProblem(ApiProblemException e, WebRequest request) {
        return problem(e.type(), e.getMessage(), e.errors(), request);
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<Object> concurrentChange(OptimisticLockingFailureException e, WebRequest request) {
        return problem(ProblemType.CONFLICT, "The object was changed by another request at the same time; retry", List.of(), request);
    }

    /** Tomcat refuses query parameters it cannot decode (bad percent-encoding, too many) when they are first read. */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<Object> unreadableParameters(org.apache.tomcat.util.http.InvalidParameterException e, WebRequest request) {
        return problem(ProblemType.MALFORMED_REQUEST, "The query string could not be read (bad percent-encoding or too many parameters)", List.of(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
        if (causedBy(e, BodySizeLimitFilter.BodyTooLargeException.class) != null) {
            return problem(ProblemType.CONTENT_TOO_LARGE, causedBy(e, BodySizeLimitFilter.BodyTooLargeException.class).getMessage(), List.of(), request);
        }
        log.error("Unexpected error", e);
        return problem(ProblemType.INTERNAL_ERROR, "Something went wrong on our side; the request id identifies it", List.of(), request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        BodySizeLimitFilter.BodyTooLargeException tooLarge = causedBy(e, BodySizeLimitFilter.BodyTooLargeException.class);
        if (tooLarge != null) {
            return problem(ProblemType.CONTENT_TOO_LARGE, tooLarge.getMessage(), List.of(), request);
        }
        UnrecognizedPropertyException unknown = causedBy(e, UnrecognizedPropertyException.class);
        if (unknown != null) {
            String field = path(unknown);
            return problem(ProblemType.MALFORMED_REQUEST, field + ": unknown field", List.of(new FieldError(field, "unknown field")), request);
        }
        InvalidFormatException format = causedBy(e, InvalidFormatException.class);
        if (format != null && format.getOriginalMessage() != null && format.getOriginalMessage().startsWith(JsonConfiguration.NUL_MESSAGE)) {
            String field = path(format);
            return problem(ProblemType.MALFORMED_REQUEST, field + ": " + JsonConfiguration.NUL_MESSAGE,
                    List.of(new FieldError(field, JsonConfiguration.NUL_MESSAGE)), request);
        }
        if (format != null) {
            return wrongValue(path(format), format.getTargetType(), request);
        }
        ValueInstantiationException instantiation = causedBy(e, ValueInstantiationException.class);
        if (instantiation != null && !instantiation.getPath().isEmpty()) {
            // the generated enums refuse unknown values in their @JsonCreator
            return wrongValue(path(instantiation), instantiation.getType() == null ? null : instantiation.getType().getRawClass(), request);
        }
        MismatchedInputException mismatch = causedBy(e, MismatchedInputException.class);
        if (mismatch != null && !mismatch.getPath().isEmpty()) {
            String field = path(mismatch);
            String detail = "must be " + describe(mismatch.getTargetType());
            return problem(ProblemType.MALFORMED_REQUEST, field + ": " + detail, List.of(new FieldError(field, detail)), request);
        }
        if (causedBy(e, StreamReadException.class) != null) {
            return problem(ProblemType.MALFORMED_REQUEST, "The body is not valid JSON", List.of(), request);
        }
        return problem(ProblemType.MALFORMED_REQUEST, "The body is missing or is not the JSON object this operation takes", List.of(), request);
    }

    private ResponseEntity<Object> wrongValue(String field, Class<?> type, WebRequest request) {
        String detail = type != null && type.isEnum()
                ? "must be one of: " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "))
                : "must be " + describe(type);
        return problem(ProblemType.MALFORMED_REQUEST, field + ": " + detail, List.of(new FieldError(field, detail)), request);
    }

    /** Parameter constraints checked by method validation (limit, cursor, Idempotency-Key). */
    @ExceptionHandler(ConstraintViolationException.class)
    ResponseEntity<Object> invalidParameter(ConstraintViolationException e, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> violation : e.getConstraintViolations()) {
            String name = null;
            for (Path.Node node : violation.getPropertyPath()) {
                name = node.getName();
            }
            errors.add(new FieldError(WIRE_NAMES.getOrDefault(name, name), violation.getMessage()));
        }
        errors.sort((a, b) -> a.field().compareTo(b.field()));
        return problem(ProblemType.INVALID_PARAMETER, summary(errors), errors, request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        e.getBindingResult().getFieldErrors().forEach(f -> errors.add(new FieldError(f.getField(), message(f.getDefaultMessage(), f.getCode()))));
        e.getBindingResult().getGlobalErrors().forEach(g -> errors.add(new FieldError(g.getObjectName(), message(g.getDefaultMessage(), g.getCode()))));
        errors.sort((a, b) -> a.field().compareTo(b.field()));
        return problem(ProblemType.VALIDATION_ERROR, summary(errors), errors, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e, HttpHeaders headers,
                                                                           HttpStatusCode status, WebRequest request) {
        List<FieldError> errors = new ArrayList<>();
        e.getParameterValidationResults().forEach(result -> {
            String name = parameterName(result.getMethodParameter());
            result.getResolvableErrors().forEach(err -> errors.add(new FieldError(name, message(err.getDefaultMessage(), null))));
        });
        return problem(ProblemType.INVALID_PARAMETER, summary(errors), errors, request);
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException m ? parameterName(m.getParameter()) : e.getPropertyName();
        Class<?> type = e.getRequiredType();
        String detail = type != null && type.isEnum()
                ? "must be one of: " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "))
                : type == java.util.UUID.class ? "not a valid id" : "must be " + describe(type);
        return problem(ProblemType.INVALID_PARAMETER, name + ": " + detail, List.of(new FieldError(name, detail)), request);
    }

    /** Every other framework-made problem (405, 415, 404 for unknown paths...) gets our type and request id. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception e, @Nullable Object body, HttpHeaders headers,
                                                             HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p : ProblemDetail.forStatus(status);
        Problems.decorate(problem, ProblemType.forStatus(status.value()), List.of());
        instance(problem, request);
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(problem, out, status);
    }

    private ResponseEntity<Object> problem(ProblemType type, String detail, List<FieldError> errors, WebRequest request) {
        ProblemDetail problem = Problems.of(type, detail, errors);
        instance(problem, request);
        return ResponseEntity.status(type.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static void instance(ProblemDetail problem, WebRequest request) {
        if (request instanceof NativeWebRequest nativeRequest) {
            Problems.withInstance(problem, nativeRequest.getNativeRequest(HttpServletRequest.class));
        }
    }

    private static String parameterName(MethodParameter parameter) {
        RequestHeader header = parameter.getParameterAnnotation(RequestHeader.class);
        if (header != null && !header.value().isEmpty()) return header.value();
        RequestParam param = parameter.getParameterAnnotation(RequestParam.class);
        if (param != null && !param.value().isEmpty()) return param.value();
        org.springframework.web.bind.annotation.PathVariable path = parameter.getParameterAnnotation(org.springframework.web.bind.annotation.PathVariable.class);
        if (path != null && !path.value().isEmpty()) return path.value();
        return parameter.getParameterName();
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) path.append('.');
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) return "another type";
        if (type == String.class) return "a string";
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) return "an integer";
        if (Number.class.isAssignableFrom(type)) return "a number";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == java.util.UUID.class) return "an id (a UUID)";
        if (type == java.time.OffsetDateTime.class) return "a date-time with offset (RFC 3339, e.g. 2026-12-24T18:00:00Z)";
        if (java.util.List.class.isAssignableFrom(type)) return "an array";
        return "an object";
    }

    private static String message(String message, String code) {
        return message != null ? message : code != null ? code : "invalid";
    }

    private static String summary(List<FieldError> errors) {
        return errors.stream().map(e -> e.field() + ": " + e.detail()).collect(Collectors.joining("; "));
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T causedBy(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) return (T) t;
            if (t.getCause() == t) break;
        }
        return null;
    }
}
