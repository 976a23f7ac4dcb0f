package io.parley.platform.calls;

import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ApiProblemException.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The checks a new call's fields must pass beyond the spec's schema; each failure names its field. */
final class CallRequestRules {

    static final int MAX_VARIABLES = 50;
    static final int MAX_VARIABLE_LENGTH = 2000;
    /** A little clock skew is forgiven; a time further in the past is a mistake. */
    static final Duration PAST_TOLERANCE = Duration.ofMinutes(5);
    /** Calls are booked at most a year ahead. */
    static final Duration MAX_AHEAD = Duration.ofDays(366);
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    private final List<FieldError> errors = new ArrayList<>();

    /** The number in E.164 if libphonenumber deems it a valid number of its country. */
    String phoneNumber(String to) {
        Optional<String> number = PhoneNumbers.e164(to);
        if (number.isEmpty()) {
            errors.add(new FieldError("to", "not a valid phone number in E.164 (e.g. +442071838750)"));
        }
        return number.orElse(null);
    }

    /** A new time needs one: {@code scheduledAt} or {@code localTime}. */
    void newTime(Instant scheduledAt, LocalDateTime localTime) {
        if (scheduledAt == null && localTime == null) {
            errors.add(new FieldError("scheduledAt", "give the new time: scheduledAt (an instant) or localTime (a local date-time)"));
        }
    }

    /**
     * When the call is due: {@code scheduledAt} (an instant), or {@code localTime} read in the zone (see
     * {@link CallTime}), or now when neither is given. The zone is {@code timeZone}, else the one the
     * callee's number gives; {@code to} is the number in E.164 or null when it was invalid.
     */
    Call.When when(Instant scheduledAt, LocalDateTime localTime, String timeZone, String to, Instant now) {
        ZoneId zone = null;
        Call.TimeZoneSource source = null;
        if (timeZone != null) {
            if (!ZoneRulesProvider.getAvailableZoneIds().contains(timeZone)) {
                errors.add(new FieldError("timeZone", "not an IANA time zone (e.g. Europe/London)"));
                return null;
            }
            zone = ZoneId.of(timeZone);
            source = Call.TimeZoneSource.GIVEN;
        } else if (to != null) {
            zone = CallTime.zonesOf(to).stream().findFirst().orElse(null);
            source = Call.TimeZoneSource.INFERRED;
        }
        if (scheduledAt != null && localTime != null) {
            errors.add(new FieldError("localTime", "give scheduledAt (an instant) or localTime (a local date-time), not both"));
            return null;
        }
        Instant at;
        String field;
        if (localTime != null) {
            if (zone == null) {
                if (to != null) {
                    errors.add(new FieldError("timeZone", "the callee's time zone cannot be told from the number: give timeZone with localTime"));
                }
                return null;
            }
            at = CallTime.resolve(localTime, zone);
            field = "localTime";
        } else {
            at = scheduledAt == null ? now : scheduledAt;
            field = "scheduledAt";
        }
        if (at.isBefore(now.minus(PAST_TOLERANCE))) {
            errors.add(new FieldError(field, "is in the past"));
        } else if (at.isAfter(now.plus(MAX_AHEAD))) {
            errors.add(new FieldError(field, "is more than a year ahead"));
        }
        return new Call.When(at, zone == null ? null : zone.getId(), source, localTime);
    }

    /** An email address (one mailbox, no display name), or null when none was given. */
    String email(String field, String value) {
        if (value == null) {
            return null;
        }
        String address = value.strip();
        try {
            jakarta.mail.internet.InternetAddress parsed = new jakarta.mail.internet.InternetAddress(address, true);
            if (address.length() <= 254 && parsed.getPersonal() == null && address.equals(parsed.getAddress()) && address.contains("@")) {
                return address;
            }
        } catch (jakarta.mail.internet.AddressException e) {
            // refused below
        }
        errors.add(new FieldError(field, "not an email address (e.g. parent@example.com)"));
        return null;
    }

    void variables(Map<String, Object> variables) {
        if (variables == null) {
            return;
        }
        if (variables.size() > MAX_VARIABLES) {
            errors.add(new FieldError("variables", "at most " + MAX_VARIABLES + " variables"));
            return;
        }
        variables.forEach((name, value) -> {
            String field = "variables." + name;
            if (!VARIABLE_NAME.matcher(name).matches()) {
                errors.add(new FieldError(field, "a variable name is a letter or _ then up to 63 letters, digits or _"));
            } else if (value instanceof String s && s.length() > MAX_VARIABLE_LENGTH) {
                errors.add(new FieldError(field, "at most " + MAX_VARIABLE_LENGTH + " characters"));
            } else if (!(value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                    || value instanceof java.util.List<?>)) {
                errors.add(new FieldError(field, "must be a string, number, boolean or list of strings"));
            }
        });
    }

    /**
     * The values against the persona's declared variables: each one declared, of its type and length, and every
     * required one given. A persona that declares none takes strings, numbers and booleans.
     */
    void variables(Map<String, Object> variables, java.util.List<io.parley.platform.personas.Persona.Variable> declared) {
        Map<String, Object> given = variables == null ? Map.of() : variables;
        if (declared.isEmpty()) {
            given.forEach((name, value) -> {
                if (value instanceof java.util.List<?>) {
                    errors.add(new FieldError("variables." + name, "must be a string, number or boolean (the persona declares no list)"));
                }
            });
            return;
        }
        Map<String, io.parley.platform.personas.Persona.Variable> byName = new java.util.LinkedHashMap<>();
        declared.forEach(v -> byName.put(v.name(), v));
        given.forEach((name, value) -> {
            io.parley.platform.personas.Persona.Variable v = byName.get(name);
            if (v == null) {
                errors.add(new FieldError("variables." + name, "not a variable of this persona (it takes " + String.join(", ", byName.keySet()) + ")"));
            } else if (value != null) {
                String problem = typeProblem(v, value);
                if (problem != null) {
                    errors.add(new FieldError("variables." + name, problem));
                }
            }
        });
        byName.values().stream().filter(v -> v.required() && (given.get(v.name()) == null
                        || given.get(v.name()) instanceof String text && text.isBlank()))
                .forEach(v -> errors.add(new FieldError("variables." + v.name(), "required by the persona")));
    }

    private static String typeProblem(io.parley.platform.personas.Persona.Variable v, Object value) {
        int max = v.maxLengthOrDefault();
        return switch (v.type()) {
            case "string" -> !(value instanceof String s) ? "must be a string"
                    : s.length() > max ? "at most " + max + " characters" : null;
            case "integer" -> value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof java.math.BigInteger
                    ? null : "must be a whole number";
            case "number" -> value instanceof Number ? null : "must be a number";
            case "boolean" -> value instanceof Boolean ? null : "must be true or false";
            case "date" -> {
                if (!(value instanceof String s)) {
                    yield "must be a date, YYYY-MM-DD";
                }
                try {
                    java.time.LocalDate.parse(s);
                    yield null;
                } catch (java.time.format.DateTimeParseException e) {
                    yield "must be a date, YYYY-MM-DD";
                }
            }
            case "list" -> {
                if (!(value instanceof java.util.List<?> items) || items.stream().anyMatch(i -> !(i instanceof String))) {
                    yield "must be a list of strings";
                }
                if (items.size() > 20) {
                    yield "at most 20 items";
                }
                yield items.stream().anyMatch(i -> ((String) i).length() > max) ? "each item at most " + max + " characters" : null;
            }
            default -> null;
        };
    }

    void childSafe() {
        errors.add(new FieldError("record", "the persona is in child-safety mode (childSafety, Santa's default): its calls are never recorded"));
    }

    void unknownPersona() {
        errors.add(new FieldError("personaId", "no such persona"));
    }

    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw ApiProblemException.invalidFields(errors);
        }
    }
}
