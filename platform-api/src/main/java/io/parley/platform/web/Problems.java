package io.parley.platform.web;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;
import org.springframework.http.ProblemDetail;

/** Builds the API's RFC 9457 problem documents: stable type, title, status, detail, request id, fields. */
public final class Problems {

    private Problems() {}

    public static ProblemDetail of(ProblemType type, String detail, List<ApiProblemException.FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        return decorate(problem, type, errors);
    }

    /** Gives a problem made by the framework our type, title, request id and field list. */
    public static ProblemDetail decorate(ProblemDetail problem, ProblemType type, List<ApiProblemException.FieldError> errors) {
        problem.setType(type.uri());
        problem.setTitle(type.title());
        String requestId = MDC.get(RequestIdFilter.MDC_KEY);
        if (requestId != null) {
            problem.setProperty("requestId", requestId);
        }
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors.stream().map(e -> Map.of("field", e.field(), "detail", e.detail())).toList());
        }
        return problem;
    }

    public static ProblemDetail withInstance(ProblemDetail problem, HttpServletRequest request) {
        if (request != null && problem.getInstance() == null) {
            problem.setInstance(URI.create(request.getRequestURI()));
        }
        return problem;
    }
}
