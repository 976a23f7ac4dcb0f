package io.parley.runtime.conversation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads what the caller has said so far: whether it sounds unfinished (so endpointing waits the
 * extended silence), which words are only backchannels, and whether it is a goodbye.
 *
 * <p>"Unfinished" means the text ends with a trailing comma or ellipsis, or its last word is: a number
 * (any token with a digit: "0 7 7", "21st"), a number word ("five", "twenty", "double", "first"), a
 * spelled letter ("S M I", "s-m-i", "s.m.i"; a lone final letter other than "a"/"i"), or a
 * continuation word from the settings ("and", "um", "the", ...). Erring on "unfinished" only costs
 * {@code extended - normal} of latency; erring the other way cuts the caller off. English only for now.
 */
final class TurnDetector {

    private static final Set<String> NUMBER_WORDS = Set.of(
            "zero", "oh", "nought", "nil", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
            "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
            "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand",
            "million", "double", "triple", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
            "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
            "seventeenth", "eighteenth", "nineteenth", "twentieth", "thirtieth");
    private static final Pattern SPELLED = Pattern.compile("[a-z]([-.][a-z])+");

    private final ConversationSettings settings;
    private final Set<String> continuationWords;
    private final List<List<String>> backchannels;
    private final Set<List<String>> endCallPhrases;

    TurnDetector(ConversationSettings settings) {
        this.settings = settings;
        this.continuationWords = new HashSet<>();
        for (String w : settings.continuationWords()) continuationWords.addAll(Words.tokens(w));
        this.backchannels = new ArrayList<>();
        for (String b : settings.backchannels()) {
            List<String> words = Words.plainWords(b);
            if (!words.isEmpty()) backchannels.add(words);
        }
        backchannels.sort(Comparator.comparingInt((List<String> l) -> l.size()).reversed());
        this.endCallPhrases = new HashSet<>();
        for (String p : settings.endCallPhrases()) {
            List<String> words = Words.plainWords(p);
            if (!words.isEmpty()) endCallPhrases.add(words);
        }
    }

    /** The silence that ends an utterance reading {@code text}. */
    Duration silenceThreshold(String text) {
        return isIncomplete(text) ? settings.extendedEndOfUtteranceSilence() : settings.endOfUtteranceSilence();
    }

    /** Whether {@code text} sounds cut off mid-way (see the class comment). */
    boolean isIncomplete(String text) {
        String trimmed = text == null ? "" : text.strip();
        if (trimmed.isEmpty()) return false;
        if (trimmed.endsWith(",") || trimmed.endsWith("…") || trimmed.endsWith("...") || trimmed.endsWith("-")) return true;
        List<String> tokens = Words.tokens(trimmed);
        if (tokens.isEmpty()) return false;
        String last = tokens.getLast();
        if (last.chars().anyMatch(Character::isDigit)) return true;
        for (String part : last.split("-")) {
            if (NUMBER_WORDS.contains(part)) return true;
        }
        if (SPELLED.matcher(last).matches()) return true;
        if (isLetter(last)) {
            boolean previousIsLetter = tokens.size() > 1
                    && (isLetter(tokens.get(tokens.size() - 2)) || SPELLED.matcher(tokens.get(tokens.size() - 2)).matches());
            if (previousIsLetter || !(last.equals("a") || last.equals("i"))) return true;
        }
        return continuationWords.contains(last);
    }

    /** Words of {@code text} that are not part of a backchannel phrase. */
    int nonBackchannelWordCount(String text) {
        List<String> words = Words.plainWords(text);
        int count = 0;
        int i = 0;
        while (i < words.size()) {
            int matched = backchannelAt(words, i);
            if (matched > 0) {
                i += matched;
            } else {
                count++;
                i++;
            }
        }
        return count;
    }

    /** Whether {@code text} has words and all of them are backchannels. */
    boolean isBackchannelOnly(String text) {
        return !Words.plainWords(text).isEmpty() && nonBackchannelWordCount(text) == 0;
    }

    /** Whether the whole utterance is an end-call phrase, possibly after backchannels ("okay, bye"). */
    boolean isEndCallPhrase(String text) {
        List<String> words = Words.plainWords(text);
        int i = 0;
        while (i < words.size()) {
            if (endCallPhrases.contains(words.subList(i, words.size()))) return true;
            int matched = backchannelAt(words, i);
            if (matched == 0) return false;
            i += matched;
        }
        return false;
    }

    private int backchannelAt(List<String> words, int i) {
        for (List<String> phrase : backchannels) {
            if (i + phrase.size() <= words.size() && words.subList(i, i + phrase.size()).equals(phrase)) return phrase.size();
        }
        return 0;
    }

    private static boolean isLetter(String token) {
        return token.length() == 1 && Character.isLetter(token.charAt(0));
    }
}
