package io.parley.runtime.conversation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The check every sentence a persona is about to say passes, in code, whatever its language model was talked
 * into: a sentence that breaks a rule is not said; the persona's safe line is said instead. The rules:
 * <ul>
 *   <li><b>no instructions revealed</b>: a run of {@value #LEAK_WORDS} or more words of its own system prompt;</li>
 *   <li><b>in character</b>: talk of being a language model, of its prompt or instructions, of a "developer
 *       mode" or a jailbreak;</li>
 *   <li><b>no other callers</b>: what another caller, child or customer said, asked or booked;</li>
 *   <li><b>child safety</b> (Santa, and any persona in child-safety mode): no question after a surname, address,
 *       school, phone number, email or anything else that identifies a child or family.</li>
 * </ul>
 * A guard with no system prompt and no child safety still keeps the other rules.
 */
public final class OutputGuard {

    /** Words in a row of the system prompt that count as revealing it. */
    static final int LEAK_WORDS = 8;

    /** Why a sentence was not said. */
    public enum Rule { INSTRUCTIONS_REVEALED, OUT_OF_CHARACTER, OTHER_CALLERS, IDENTIFYING_QUESTION }

    /** The verdict on one sentence: what to say, and the rule it broke (none: said as it was). */
    public record Verdict(String say, Optional<Rule> broke) {}

    // Not "I am an AI": a persona must be able to say what the call's disclosure said; what it never talks of is the machinery
    private static final Pattern OUT_OF_CHARACTER = Pattern.compile(
            "\\b(language model|as an ai|chatgpt|gpt-?[0-9]|my (system )?prompt|system prompt|my (hidden |secret |real )?instructions|i was instructed to"
                    + "|(my|the) rules say|ignor(e|ing) (all |my |the |your )?(previous |prior )?(rules|instructions)"
                    + "|developer mode|jailbr(ea|o)k|do anything now)\\b");
    private static final Pattern OTHER_CALLERS = Pattern.compile(
            "\\b(the (last|previous|other|earlier) (child|kid|caller|customer|person|patient|family)|other (children|kids|callers|customers|patients|families)"
                    + "|another (child|kid|caller|customer|patient|family))\\b.*\\b(said|says|asked|wanted|wants|wished|wish|told|booked|called|named"
                    + "|name|names|lives|live|were|was)\\b");
    private static final Pattern IDENTIFYING = Pattern.compile(
            "\\b(surname|last name|family name|full name|home address|address|street|postcode|post code|zip code|which school|what school"
                    + "|your school|school do you|school are you|phone number|telephone|mobile number|email|e-mail|password|date of birth|birthday is"
                    + "|where do you live|where does your family live|where you live|what town|which town|what city|which city|mum's name|mom's name"
                    + "|dad's name|parents' names|parents names)\\b");

    private final Set<String> promptRuns;
    private final boolean childSafety;
    private final String safeLine;

    /**
     * @param systemPrompt the persona's instructions as the model got them (null: none to protect)
     * @param childSafety  whether identifying questions are stopped (Santa's default)
     * @param safeLine     what is said instead of a sentence that broke a rule
     */
    public OutputGuard(String systemPrompt, boolean childSafety, String safeLine) {
        this.promptRuns = runs(words(systemPrompt == null ? "" : systemPrompt));
        this.childSafety = childSafety;
        this.safeLine = safeLine;
    }

    /** Keeps only the rules that need no persona (for calls built without one). */
    public static OutputGuard basic() {
        return new OutputGuard(null, false, "Sorry, I can't help with that.");
    }

    public String safeLine() {
        return safeLine;
    }

    /** The verdict on a sentence about to be said. */
    public Verdict check(String sentence) {
        if (sentence == null || sentence.isBlank()) {
            return new Verdict(sentence, Optional.empty());
        }
        String lower = sentence.toLowerCase(Locale.ROOT).replace('’', '\'');
        List<String> words = words(sentence);
        for (int i = 0; i + LEAK_WORDS <= words.size(); i++) {
            if (promptRuns.contains(String.join(" ", words.subList(i, i + LEAK_WORDS)))) {
                return broke(Rule.INSTRUCTIONS_REVEALED);
            }
        }
        if (OUT_OF_CHARACTER.matcher(lower).find()) {
            return broke(Rule.OUT_OF_CHARACTER);
        }
        if (OTHER_CALLERS.matcher(lower).find()) {
            return broke(Rule.OTHER_CALLERS);
        }
        if (childSafety && asks(lower) && IDENTIFYING.matcher(lower).find()) {
            return broke(Rule.IDENTIFYING_QUESTION);
        }
        return new Verdict(sentence, Optional.empty());
    }

    private Verdict broke(Rule rule) {
        return new Verdict(safeLine, Optional.of(rule));
    }

    /** A question, or a request to be told. */
    private static boolean asks(String lower) {
        return lower.contains("?") || lower.matches(".*\\b(tell me|let me know|say|spell|give me|share)\\b.*");
    }

    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String w : text.toLowerCase(Locale.ROOT).replace('’', '\'').split("[^\\p{L}\\p{N}']+")) {
            if (!w.isBlank()) words.add(w);
        }
        return words;
    }

    private static Set<String> runs(List<String> words) {
        Set<String> runs = new HashSet<>();
        for (int i = 0; i + LEAK_WORDS <= words.size(); i++) {
            runs.add(String.join(" ", words.subList(i, i + LEAK_WORDS)));
        }
        return runs;
    }
}
