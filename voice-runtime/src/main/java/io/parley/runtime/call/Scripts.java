package io.parley.runtime.call;

import io.parley.runtime.conversation.ConversationSettings;
import io.parley.runtime.conversation.ScriptedBrain;
import io.parley.runtime.session.CallBootstrap;
import io.parley.runtime.conversation.SpokenTime;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns a call's bootstrap into the engine's settings and, for personas without a model, its script. */
final class Scripts {

    private static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");
    /** A variable is a value, never an instruction: one line, bounded. */
    static final int MAX_VARIABLE_CHARS = 200;

    private Scripts() {}

    /** The scripted brain of a persona whose bootstrap carries a script; null when it has none. */
    static ScriptedBrain brain(CallBootstrap call) {
        CallBootstrap.Persona persona = call.persona();
        Map<String, Object> variables = call.variables();
        if (persona.script() == null || persona.script().isEmpty()) {
            return null;
        }
        List<ScriptedBrain.Step> steps = new ArrayList<>();
        for (CallBootstrap.ScriptStep step : persona.script()) {
            List<ScriptedBrain.Answer> answers = new ArrayList<>();
            if (step.answers() != null) {
                for (CallBootstrap.ScriptAnswer answer : step.answers()) {
                    answers.add(new ScriptedBrain.Answer(answer.keywords(), fill(answer.reply(), variables), answer.next()));
                }
            }
            steps.add(new ScriptedBrain.Step(step.id(), fill(step.prompt(), variables), answers, step.action()));
        }
        return new ScriptedBrain(fill(persona.firstMessage(), variables), steps, booking(call));
    }

    /**
     * What a script's booking steps need: the business's time zone (else the caller's, else UTC) and the name to book
     * in: the call's {@code caller_name}, else "Caller" and their number.
     */
    static ScriptedBrain.Booking booking(CallBootstrap call) {
        String zone = call.persona().bookingTimeZone() != null ? call.persona().bookingTimeZone() : call.timeZone();
        ZoneId id;
        try {
            id = zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
        } catch (DateTimeException e) {
            id = ZoneOffset.UTC;
        }
        String name = text(call.variables() == null ? null : call.variables().get("caller_name"));
        if (name.isEmpty()) name = call.to() == null ? "Phone caller" : "Caller " + call.to();
        return new ScriptedBrain.Booking(id, name.length() > 100 ? name.substring(0, 100) : name);
    }

    /** For a persona with neither a model this instance has nor a script: greet, listen once, say goodbye. */
    static ScriptedBrain fallback(CallBootstrap.Persona persona, Map<String, Object> variables) {
        String goodbye = persona.limits() != null && persona.limits().goodbyeText() != null ? persona.limits().goodbyeText() : "Goodbye!";
        return new ScriptedBrain(fill(persona.firstMessage(), variables), List.of(
                new ScriptedBrain.Step("listen", "", List.of(ScriptedBrain.Answer.anything("Thank you for telling me.", "goodbye"))),
                new ScriptedBrain.Step("goodbye", fill(goodbye, variables), List.of())));
    }

    /**
     * The words each step listens for (the offline recogniser's grammar); a step that books listens for a day and a
     * time, and then for a yes or a no to the time it read back (its id followed by {@link ScriptedBrain#CONFIRMING}).
     */
    static Map<String, List<String>> keywords(CallBootstrap.Persona persona) {
        Map<String, List<String>> keywords = new LinkedHashMap<>();
        if (persona.script() != null) {
            for (CallBootstrap.ScriptStep step : persona.script()) {
                if (ScriptedBrain.BOOK_APPOINTMENT.equals(step.action())) {
                    keywords.put(step.id(), SpokenTime.phrases());
                    List<String> confirm = new ArrayList<>(ScriptedBrain.YES_OR_NO);
                    confirm.addAll(SpokenTime.phrases());
                    keywords.put(step.id() + ScriptedBrain.CONFIRMING, confirm);
                    continue;
                }
                List<String> words = new ArrayList<>();
                if (step.answers() != null) {
                    step.answers().forEach(a -> { if (a.keywords() != null) words.addAll(a.keywords()); });
                }
                keywords.put(step.id(), words);
            }
        }
        return keywords;
    }

    /**
     * What the recogniser is told to expect at a step: its keywords and the end-call phrases. A step that listens for
     * no keyword takes any answer, so it expects nothing in particular: the recogniser's own vocabulary (offline, its
     * everyday answers, goodbyes among them). Told to expect only the end-call phrases there, an offline grammar
     * heard every answer as a goodbye and ended the call.
     */
    static List<String> expectedPhrases(List<String> stepKeywords, List<String> endCallPhrases) {
        if (stepKeywords.isEmpty()) {
            return List.of();
        }
        List<String> phrases = new ArrayList<>(stepKeywords);
        phrases.addAll(endCallPhrases);
        return phrases;
    }

    static ConversationSettings settings(CallBootstrap.Persona persona, Map<String, Object> variables, ScriptedBrain brain) {
        String instructions = fillAsData(persona.systemPrompt(), variables);
        boolean santa = "santa".equals(persona.kind());
        ConversationSettings.Builder settings = ConversationSettings.builder()
                .systemPrompt(instructions)
                // child safety (Santa's default), and an answer in character when a sentence is not said
                .outputGuard(new io.parley.runtime.conversation.OutputGuard(instructions, persona.talksWithChildren(),
                        santa ? "Ho ho ho! Let's talk about Christmas instead." : "Sorry, I can't help with that. Let's get back to our conversation."))
                .firstMessage(brain != null ? brain.firstMessage() : fill(persona.firstMessage(), variables));
        CallBootstrap.Limits limits = persona.limits();
        if (limits != null) {
            if (limits.silenceTimeoutSeconds() > 0) settings.silenceTimeout(Duration.ofSeconds(limits.silenceTimeoutSeconds()));
            if (limits.stillThereText() != null) settings.repromptLine(fill(limits.stillThereText(), variables));
            if (limits.maxCallSeconds() > 0) {
                settings.maxCallLength(Duration.ofSeconds(limits.maxCallSeconds()));
                if (limits.warningSecondsBefore() > 0) settings.maxCallLengthWarningBefore(Duration.ofSeconds(limits.warningSecondsBefore()));
                if (limits.warningText() != null) settings.maxCallLengthWarningLine(fill(limits.warningText(), variables));
            }
            if (limits.goodbyeText() != null) {
                settings.goodbyeLine(fill(limits.goodbyeText(), variables));
                settings.maxCallLengthGoodbyeLine(fill(limits.goodbyeText(), variables));
            }
            if (limits.optOutDigit() != null) settings.optOutDigit(limits.optOutDigit());
        }
        turnTaking(settings, persona.turnTaking());
        return settings.build();
    }

    /** The persona's turn-taking, each value brought into its range (see {@link CallBootstrap.TurnTaking}). */
    static void turnTaking(ConversationSettings.Builder settings, CallBootstrap.TurnTaking turns) {
        ConversationSettings defaults = ConversationSettings.builder().build();
        long silence = defaults.endOfUtteranceSilence().toMillis();
        long extended = defaults.extendedEndOfUtteranceSilence().toMillis();
        long minVoice = defaults.bargeInMinVoice().toMillis();
        long yield = defaults.bargeInYield().toMillis();
        if (turns != null) {
            if (turns.endOfUtteranceSilenceMillis() != null) silence = clamp(turns.endOfUtteranceSilenceMillis(), 200, 5_000);
            if (turns.extendedSilenceMillis() != null) extended = turns.extendedSilenceMillis();
            if (turns.bargeInMinVoiceMillis() != null) minVoice = clamp(turns.bargeInMinVoiceMillis(), 100, 2_000);
            if (turns.bargeInYieldMillis() != null) yield = turns.bargeInYieldMillis();
            if (turns.greetingInterruptible() != null) settings.firstMessageInterruptible(turns.greetingInterruptible());
        }
        settings.endOfUtteranceSilence(Duration.ofMillis(silence))
                .extendedEndOfUtteranceSilence(Duration.ofMillis(clamp(extended, silence, 8_000)))
                .bargeInMinVoice(Duration.ofMillis(minVoice))
                .bargeInYield(Duration.ofMillis(clamp(yield, 0, minVoice - 1)));
    }

    private static long clamp(long value, long min, long max) {
        return Math.max(min, Math.min(max, value));
    }

    /**
     * Replaces {@code {{name}}} with the call's value, as it is said: one line, at most {@link #MAX_VARIABLE_CHARS},
     * a list as "a, b and c"; unknown names stay empty.
     */
    static String fill(String template, Map<String, Object> variables) {
        return fill(template, variables, false);
    }

    /**
     * As {@link #fill}, for a language model's instructions: each value in double quotes (a quote inside it becomes
     * a single one), so that the model reads it as data, a value it was given, however it is worded; one not given
     * is {@code (not given)}.
     */
    static String fillAsData(String template, Map<String, Object> variables) {
        return fill(template, variables, true);
    }

    private static String fill(String template, Map<String, Object> variables, boolean quoted) {
        if (template == null) return null;
        Matcher m = VARIABLE.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String text = text(variables == null ? null : variables.get(m.group(1)));
            if (quoted) {
                text = text.isEmpty() ? "(not given)" : '"' + text.replace('"', '\'') + '"';
            }
            m.appendReplacement(out, Matcher.quoteReplacement(text));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** A value on one line, without braces, bounded; a list said as "a, b and c". */
    static String text(Object value) {
        if (value == null) return "";
        String text;
        if (value instanceof List<?> items) {
            List<String> said = items.stream().filter(java.util.Objects::nonNull).map(Object::toString).map(String::strip)
                    .filter(i -> !i.isEmpty()).toList();
            text = said.size() <= 1 ? String.join("", said)
                    : String.join(", ", said.subList(0, said.size() - 1)) + " and " + said.getLast();
        } else {
            text = value.toString();
        }
        text = text.replaceAll("[\\r\\n\\t{}]+", " ").replaceAll(" {2,}", " ").strip();
        return text.length() > MAX_VARIABLE_CHARS ? text.substring(0, MAX_VARIABLE_CHARS) : text;
    }
}
