package io.parley.runtime.speech.offline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSGF grammar for one dialog step, built from what the caller is likely to say:
 * <pre>
 * #JSGF V1.0;
 * grammar parley;
 * public &lt;utt&gt; = yes | no | a red bicycle | &lt;numbers&gt; ;
 * &lt;numbers&gt; = &lt;number&gt; &lt;number&gt;* ;
 * &lt;number&gt; = zero | one | two ;
 * </pre>
 * Phrases are lower-cased, stripped of punctuation, digits spelled out ({@code 42} is "four two");
 * words the dictionary cannot pronounce are dropped, and a phrase left with no word is dropped.
 * An utterance is one phrase, or any sequence of the phrases that are a single number word
 * ({@link #NUMBER_WORDS}), so a grammar of digits takes a phone number. Letting every phrase repeat
 * made the decoder insert short words ("no" heard as "three no").
 *
 * <p>Silence and noise between words need no rule: pocketsphinx adds its filler words
 * ({@code <sil>}, {@code [NOISE]}, {@code [SPEECH]}) at every state of the grammar by itself and
 * leaves them out of its hypotheses. It has no garbage model for out-of-grammar speech in this mode:
 * such speech comes out as the closest phrase, or as nothing.
 *
 * <p>With no phrase expected, the grammar is the {@link #DEFAULT_VOCABULARY}: open vocabulary does not
 * work well enough on telephone audio to be offered. Every grammar also holds the spoken signs of self-harm
 * ({@link io.parley.runtime.conversation.CrisisSignals#SPOKEN}), so that the crisis protocol works offline too. (Where
 * the grammar has number words, their runs still win over a long sentence on telephone audio: the default vocabulary's
 * digits take "I want to end my life" for "five one ten five five". A flow step listening for words hears it.)
 *
 * @param phrases the phrases in the grammar, normalised
 * @param dropped the words left out because the dictionary lacks them
 * @param jsgf    the grammar's text
 */
record JsgfGrammar(List<String> phrases, Set<String> dropped, String jsgf) {

    /** What the grammar holds when no phrase is expected: answers, numbers, greetings. */
    static final List<String> DEFAULT_VOCABULARY = List.of(
            "yes", "yeah", "no", "nope", "okay", "sure", "please", "thank you", "hello", "goodbye", "bye",
            "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred");

    /** Single-word phrases that may follow one another in an utterance: digits and number words. */
    static final Set<String> NUMBER_WORDS = Set.of(
            "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty",
            "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand", "double", "triple");

    private static final String[] DIGITS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
    private static final Pattern SEPARATORS = Pattern.compile("[^a-z0-9']+");

    static JsgfGrammar of(List<String> expectedPhrases, PronunciationDictionary dictionary) {
        Set<String> phrases = new LinkedHashSet<>();
        Set<String> dropped = new LinkedHashSet<>();
        add(expectedPhrases == null ? List.of() : expectedPhrases, dictionary, phrases, dropped, false);
        if (phrases.isEmpty()) {
            phrases.addAll(DEFAULT_VOCABULARY);
        }
        // signs of self-harm are heard whatever else is expected: the runtime answers them with the crisis line
        add(io.parley.runtime.conversation.CrisisSignals.SPOKEN, dictionary, phrases, new LinkedHashSet<>(), true);
        return new JsgfGrammar(List.copyOf(phrases), Set.copyOf(dropped), text(phrases));
    }

    /**
     * Adds each phrase's words that the dictionary has; the words it lacks go to {@code dropped}. With {@code whole}, a
     * phrase missing a word is left out altogether (a fragment of a sign of self-harm is not one).
     */
    private static void add(List<String> expected, PronunciationDictionary dictionary, Set<String> phrases, Set<String> dropped,
                            boolean whole) {
        for (String phrase : expected) {
            if (phrase == null) {
                continue;
            }
            List<String> words = new ArrayList<>();
            for (String word : words(phrase)) {
                if (dictionary.contains(word)) {
                    words.add(word);
                } else {
                    dropped.add(word);
                }
            }
            if (!words.isEmpty() && (!whole || words.size() == words(phrase).size())) {
                phrases.add(String.join(" ", words));
            }
        }
    }

    /** The default vocabulary's grammar (every word of it is in the CMU dictionary). */
    static String fallback() {
        return text(DEFAULT_VOCABULARY);
    }

    private static List<String> words(String phrase) {
        List<String> words = new ArrayList<>();
        for (String token : SEPARATORS.split(phrase.toLowerCase(Locale.ROOT))) {
            token = trimApostrophes(token);
            if (token.isEmpty()) {
                continue;
            }
            if (token.chars().allMatch(Character::isDigit)) {
                token.chars().forEach(digit -> words.add(DIGITS[digit - '0']));
            } else {
                words.add(token);
            }
        }
        return words;
    }

    private static String trimApostrophes(String token) {
        int start = 0;
        int end = token.length();
        while (start < end && token.charAt(start) == '\'') {
            start++;
        }
        while (end > start && token.charAt(end - 1) == '\'') {
            end--;
        }
        return token.substring(start, end);
    }

    private static String text(Collection<String> phrases) {
        List<String> alternatives = new ArrayList<>(phrases.stream().filter(p -> !NUMBER_WORDS.contains(p)).toList());
        List<String> numbers = phrases.stream().filter(NUMBER_WORDS::contains).toList();
        StringBuilder jsgf = new StringBuilder("#JSGF V1.0;\ngrammar parley;\n");
        if (!numbers.isEmpty()) {
            alternatives.add("<numbers>");
        }
        jsgf.append("public <utt> = ").append(String.join(" | ", alternatives)).append(" ;\n");
        if (!numbers.isEmpty()) {
            // not <number>+: sphinxbase (5prealpha) loops a "+" back to a state that every alternative
            // of <utt> starts from, so "two no" would be allowed; a "*" after one number loops back
            // to the state after that number
            jsgf.append("<numbers> = <number> <number>* ;\n<number> = ").append(String.join(" | ", numbers)).append(" ;\n");
        }
        return jsgf.toString();
    }
}
