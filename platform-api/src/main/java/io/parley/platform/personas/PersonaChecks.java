package io.parley.platform.personas;

import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ApiProblemException.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What makes a persona's variables and flow well formed; every error at once, as one 422. */
final class PersonaChecks {

    static final int MAX_VARIABLES = 30;
    static final int MAX_STEPS = 30;
    static final int MAX_ANSWERS = 10;
    static final int MAX_KEYWORDS = 20;
    static final int MAX_TEXT = 1000;
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_]{0,39}$");
    /** A variable in a prompt, as the runtime fills it. */
    static final Pattern REFERENCE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private PersonaChecks() {}

    /**
     * @param tools the platform tools the persona may use (a step that books needs the booking tools)
     */
    static void check(List<Persona.Variable> variables, List<Persona.Step> flow, String systemPrompt, String firstMessage,
                      List<String> tools) {
        List<FieldError> errors = new ArrayList<>();
        Set<String> declared = variables(variables, errors);
        Set<String> steps = new HashSet<>();
        if (flow != null) {
            if (flow.size() > MAX_STEPS) {
                errors.add(new FieldError("flow", "at most " + MAX_STEPS + " steps"));
            }
            for (int i = 0; i < flow.size(); i++) {
                Persona.Step step = flow.get(i);
                if (step == null || step.id() == null || !NAME.matcher(step.id()).matches()) {
                    errors.add(new FieldError("flow[" + i + "].id", "snake_case, a letter first, at most 40 characters"));
                } else if (!steps.add(step.id())) {
                    errors.add(new FieldError("flow[" + i + "].id", "two steps are named " + step.id()));
                }
            }
            for (int i = 0; i < flow.size(); i++) {
                step(flow.get(i), "flow[" + i + "]", steps, errors);
                action(flow.get(i), "flow[" + i + "]", tools, errors);
            }
        }
        // with variables declared, a prompt may name only those (a typo would otherwise be said as nothing)
        if (!declared.isEmpty()) {
            references("systemPrompt", systemPrompt, declared, errors);
            references("firstMessage", firstMessage, declared, errors);
            if (flow != null) {
                for (int i = 0; i < flow.size(); i++) {
                    Persona.Step step = flow.get(i);
                    if (step == null) continue;
                    references("flow[" + i + "].prompt", step.prompt(), declared, errors);
                    List<Persona.Answer> answers = step.answers() == null ? List.of() : step.answers();
                    for (int j = 0; j < answers.size(); j++) {
                        if (answers.get(j) != null) {
                            references("flow[" + i + "].answers[" + j + "].reply", answers.get(j).reply(), declared, errors);
                        }
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ApiProblemException.invalidFields(errors);
        }
    }

    private static Set<String> variables(List<Persona.Variable> variables, List<FieldError> errors) {
        Set<String> names = new LinkedHashSet<>();
        if (variables == null) {
            return names;
        }
        if (variables.size() > MAX_VARIABLES) {
            errors.add(new FieldError("variables", "at most " + MAX_VARIABLES + " variables"));
        }
        for (int i = 0; i < variables.size(); i++) {
            Persona.Variable v = variables.get(i);
            String at = "variables[" + i + "]";
            if (v == null || v.name() == null || !NAME.matcher(v.name()).matches()) {
                errors.add(new FieldError(at + ".name", "snake_case, a letter first, at most 40 characters"));
                continue;
            }
            if (!names.add(v.name())) {
                errors.add(new FieldError(at + ".name", "declared twice"));
            }
            if (v.type() == null || !Persona.Variable.TYPES.contains(v.type())) {
                errors.add(new FieldError(at + ".type", "one of " + String.join(", ", new java.util.TreeSet<>(Persona.Variable.TYPES))));
            }
            if (v.maxLength() != null && (v.maxLength() < 1 || v.maxLength() > 2000)) {
                errors.add(new FieldError(at + ".maxLength", "1 to 2000 characters"));
            }
            if (v.description() != null && v.description().length() > 300) {
                errors.add(new FieldError(at + ".description", "at most 300 characters"));
            }
        }
        return names;
    }

    private static void step(Persona.Step step, String at, Set<String> steps, List<FieldError> errors) {
        if (step == null) {
            return;
        }
        text(at + ".prompt", step.prompt(), errors);
        List<Persona.Answer> answers = step.answers() == null ? List.of() : step.answers();
        if (answers.size() > MAX_ANSWERS) {
            errors.add(new FieldError(at + ".answers", "at most " + MAX_ANSWERS + " answers"));
        }
        for (int j = 0; j < answers.size(); j++) {
            Persona.Answer answer = answers.get(j);
            String a = at + ".answers[" + j + "]";
            if (answer == null) {
                errors.add(new FieldError(a, "an answer"));
                continue;
            }
            List<String> keywords = answer.keywords() == null ? List.of() : answer.keywords();
            if (keywords.size() > MAX_KEYWORDS || keywords.stream().anyMatch(k -> k == null || k.isBlank() || k.length() > 60)) {
                errors.add(new FieldError(a + ".keywords", "at most " + MAX_KEYWORDS + " words or phrases, each 1 to 60 characters"));
            }
            text(a + ".reply", answer.reply(), errors);
            if (answer.next() != null && !steps.contains(answer.next())) {
                errors.add(new FieldError(a + ".next", "no step is named " + answer.next()));
            }
        }
    }

    /**
     * A step that books needs an answer to follow the booking and both booking tools. Not the persona's booking hours:
     * a receptionist made from the template gets them afterwards (until then its callers hear that the diary cannot
     * be seen).
     */
    private static void action(Persona.Step step, String at, List<String> tools, List<FieldError> errors) {
        if (step == null || step.action() == null) {
            return;
        }
        if (!Persona.Step.BOOK_APPOINTMENT.equals(step.action())) {
            errors.add(new FieldError(at + ".action", "book_appointment, or none"));
            return;
        }
        if (step.answers() == null || step.answers().isEmpty() || step.answers().getFirst() == null) {
            errors.add(new FieldError(at + ".answers", "a step that books needs an answer: its reply follows the booking, its next is the step after"));
        }
        List<String> has = tools == null ? List.of() : tools;
        if (!has.contains("check_availability") || !has.contains("book_appointment")) {
            errors.add(new FieldError(at + ".action", "a step that books needs check_availability and book_appointment in the persona's tools"));
        }
    }

    /**
     * Settings that hang together: a time warning before the end of the call, end-call phrases that are words. The
     * ranges of each value are the spec's (checked before this).
     */
    static Persona.Settings settings(Persona.Settings settings) {
        List<FieldError> errors = new ArrayList<>();
        Persona.Limits limits = settings.limits();
        if (limits != null) {
            if (limits.maxCallSeconds() != null && limits.warningSecondsBefore() != null && limits.warningSecondsBefore() > 0
                    && limits.warningSecondsBefore() >= limits.maxCallSeconds()) {
                errors.add(new FieldError("limits.warningSecondsBefore", "must be less than maxCallSeconds (" + limits.maxCallSeconds() + ")"));
            }
            if (limits.endCallPhrases() != null && limits.endCallPhrases().stream().anyMatch(p -> p == null || p.isBlank())) {
                errors.add(new FieldError("limits.endCallPhrases", "each a word or phrase, not blank"));
            }
            for (String[] line : new String[][] {{"warningText", limits.warningText()}, {"goodbyeText", limits.goodbyeText()},
                    {"stillThereText", limits.stillThereText()}}) {
                if (line[1] != null && line[1].isBlank()) errors.add(new FieldError("limits." + line[0], "must not be blank"));
            }
        }
        if (settings.callingWindow() != null && settings.callingWindow().start() != null && settings.callingWindow().end() != null
                && settings.callingWindow().start().compareTo(settings.callingWindow().end()) >= 0) {
            errors.add(new FieldError("callingWindow.end", "must be after start (HH:MM, the same day)"));
        }
        if (settings.llm() != null && settings.llm().model() != null && settings.llm().model().isBlank()) {
            errors.add(new FieldError("llm.model", "must not be blank"));
        }
        if (!errors.isEmpty()) {
            throw ApiProblemException.invalidFields(errors);
        }
        return settings;
    }

    private static void text(String field, String value, List<FieldError> errors) {
        if (value != null && value.length() > MAX_TEXT) {
            errors.add(new FieldError(field, "at most " + MAX_TEXT + " characters"));
        }
    }

    private static void references(String field, String text, Set<String> declared, List<FieldError> errors) {
        if (text == null) {
            return;
        }
        Matcher m = REFERENCE.matcher(text);
        Set<String> unknown = new LinkedHashSet<>();
        while (m.find()) {
            if (!declared.contains(m.group(1))) {
                unknown.add(m.group(1));
            }
        }
        if (!unknown.isEmpty()) {
            errors.add(new FieldError(field, "names {{" + String.join("}}, {{", unknown) + "}}, not among the persona's variables ("
                    + String.join(", ", declared) + ")"));
        }
    }

    static final java.util.List<String> WEEKDAYS = java.util.List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");
    private static final Pattern TIME = Pattern.compile("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$");

    /** The booking settings with their defaults, or null for none; every error at once, as one 422. */
    static Persona.BookingSettings booking(Persona.BookingSettings given) {
        if (given == null) {
            return null;
        }
        List<FieldError> errors = new ArrayList<>();
        try {
            if (given.timeZone() == null || !java.time.ZoneId.getAvailableZoneIds().contains(given.timeZone())) {
                errors.add(new FieldError("booking.timeZone", "an IANA time zone, e.g. Europe/London"));
            }
        } catch (RuntimeException e) {
            errors.add(new FieldError("booking.timeZone", "an IANA time zone, e.g. Europe/London"));
        }
        int slot = given.slotMinutes() == 0 ? 30 : given.slotMinutes();
        if (slot < 5 || slot > 480) {
            errors.add(new FieldError("booking.slotMinutes", "5 to 480 minutes"));
        }
        if (given.bufferMinutes() < 0 || given.bufferMinutes() > 240) {
            errors.add(new FieldError("booking.bufferMinutes", "0 to 240 minutes"));
        }
        java.util.Map<String, List<Persona.Hours>> hours = given.hours() == null ? java.util.Map.of() : given.hours();
        hours.forEach((day, openings) -> {
            if (!WEEKDAYS.contains(day)) {
                errors.add(new FieldError("booking.hours." + day, "a weekday: " + String.join(", ", WEEKDAYS)));
                return;
            }
            List<Persona.Hours> sorted = new ArrayList<>(openings == null ? List.of() : openings);
            for (int i = 0; i < sorted.size(); i++) {
                Persona.Hours h = sorted.get(i);
                if (h == null || h.start() == null || h.end() == null || !TIME.matcher(h.start()).matches() || !TIME.matcher(h.end()).matches()
                        || h.start().compareTo(h.end()) >= 0) {
                    errors.add(new FieldError("booking.hours." + day + "[" + i + "]", "start before end, each HH:MM"));
                    return;
                }
            }
            sorted.sort(java.util.Comparator.comparing(Persona.Hours::start));
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i).start().compareTo(sorted.get(i - 1).end()) < 0) {
                    errors.add(new FieldError("booking.hours." + day, "openings overlap"));
                }
            }
        });
        List<String> holidays = given.holidays() == null ? List.of() : given.holidays();
        for (int i = 0; i < holidays.size(); i++) {
            try {
                java.time.LocalDate.parse(holidays.get(i));
            } catch (RuntimeException e) {
                errors.add(new FieldError("booking.holidays[" + i + "]", "a date, YYYY-MM-DD"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiProblemException.invalidFields(errors);
        }
        return new Persona.BookingSettings(given.timeZone(), slot, given.bufferMinutes(), new java.util.TreeMap<>(hours), List.copyOf(holidays));
    }
}
