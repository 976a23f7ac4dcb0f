package io.parley.platform.web;

import java.util.List;

/** An error the client caused, answered as a problem document of {@link #type()}. */
public class ApiProblemException extends RuntimeException {

    /** One offending field: a dotted body path ({@code voice.provider}) or a parameter name. */
    public record FieldError(String field, String detail) {}

    private final ProblemType type;
    private final List<FieldError> errors;

    public ApiProblemException(ProblemType type, String detail, List<FieldError> errors) {
        super(detail);
        this.type = type;
        this.errors = List.copyOf(errors);
    }

    public ApiProblemException(ProblemType type, String detail) {
        this(type, detail, List.of());
    }

    public ProblemType type() {
        return type;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** 404: no such object in the caller's tenant (another tenant's objects answer exactly this). */
    public static ApiProblemException notFound(String what) {
        return new ApiProblemException(ProblemType.NOT_FOUND, "No such " + what);
    }

    /** 422 naming one field. */
    public static ApiProblemException invalidField(String field, String detail) {
        return new ApiProblemException(ProblemType.VALIDATION_ERROR, field + ": " + detail, List.of(new FieldError(field, detail)));
    }

    /** 422 naming each invalid field, its detail the list of them. */
    public static ApiProblemException invalidFields(List<FieldError> errors) {
        return new ApiProblemException(ProblemType.VALIDATION_ERROR,
                errors.stream().map(e -> e.field() + ": " + e.detail()).reduce((a, b) -> a + "; " + b).orElse("Invalid"), errors);
    }

    /** 400 naming one query or path parameter. */
    public static ApiProblemException invalidParameter(String parameter, String detail) {
        return new ApiProblemException(ProblemType.INVALID_PARAMETER, parameter + ": " + detail, List.of(new FieldError(parameter, detail)));
    }
}
