package io.parley.runtime.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts a stream of model tokens into sentences for speech synthesis, so the first sentence can be
 * spoken while the model is still writing the rest.
 *
 * <p>A sentence ends at a newline, or at a run of {@code . ! ?} or an ellipsis (closing quotes and
 * brackets stay with it) that is followed by white space. Not an end: a period inside a token
 * ({@code 3.5}, {@code e.g.,}); a single period after a known abbreviation ({@code Mr. Dr. St.}), after
 * a dotted word ({@code a.m.}) or after a single letter ({@code J. R. R.}); and a period or ellipsis
 * followed by a lowercase word ({@code Hmm... let me see}). Deciding needs the next non-blank character,
 * so a sentence is released when that character arrives, or on {@link #flush()}. Pieces with no letter
 * or digit are dropped.
 *
 * <p>Not thread-safe; one per model turn.
 */
final class SentenceSplitter {

    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "st", "prof", "sr", "jr", "vs", "mt", "ft", "rev", "gen", "sgt", "capt", "lt",
            "col", "hon", "fig", "approx", "dept", "est", "ave", "blvd", "rd");
    private static final String TERMINATORS = ".!?…";
    private static final String CLOSERS = "\"')]}”’»";

    private final StringBuilder buffer;

    SentenceSplitter() {
        this("");
    }

    /** Resumes with text received but not yet released (see {@link #pending()}). */
    SentenceSplitter(String pending) {
        this.buffer = new StringBuilder(pending == null ? "" : pending);
    }

    /** Adds a token; returns the sentences it completed, in order. */
    List<String> append(String token) {
        buffer.append(token);
        return drain(false);
    }

    /** The stream ended: returns the sentences left, including an unterminated remainder. */
    List<String> flush() {
        return drain(true);
    }

    /** Text received but not released yet. */
    String pending() {
        return buffer.toString();
    }

    private List<String> drain(boolean end) {
        List<String> out = new ArrayList<>();
        int cut;
        while ((cut = boundary(end)) >= 0) {
            emit(buffer.substring(0, cut), out);
            buffer.delete(0, cut);
            int blank = 0;
            while (blank < buffer.length() && Character.isWhitespace(buffer.charAt(blank))) blank++;
            buffer.delete(0, blank);
        }
        if (end) {
            emit(buffer.toString(), out);
            buffer.setLength(0);
        }
        return out;
    }

    /** Index just past the first sentence in the buffer, or -1 if no sentence is complete yet. */
    private int boundary(boolean end) {
        int len = buffer.length();
        for (int i = 0; i < len; i++) {
            char c = buffer.charAt(i);
            if (c == '\n') return i + 1;
            if (TERMINATORS.indexOf(c) < 0) continue;
            int j = i;
            while (j < len && TERMINATORS.indexOf(buffer.charAt(j)) >= 0) j++;
            int runEnd = j;
            while (j < len && CLOSERS.indexOf(buffer.charAt(j)) >= 0) j++;
            if (j == len) return end ? len : -1;
            if (!Character.isWhitespace(buffer.charAt(j))) {
                i = j - 1; // "3.5", "e.g.,", "Wait...what"
                continue;
            }
            int k = j;
            while (k < len && Character.isWhitespace(buffer.charAt(k)) && buffer.charAt(k) != '\n') k++;
            if (k == len) return end ? j : -1;
            if (buffer.charAt(k) == '\n') return j;
            String run = buffer.substring(i, runEnd);
            boolean exclaims = run.indexOf('!') >= 0 || run.indexOf('?') >= 0;
            if (!exclaims) {
                if (run.equals(".") && isAbbreviation(wordBefore(i))) {
                    i = j - 1;
                    continue;
                }
                if (Character.isLowerCase(buffer.charAt(k))) { // "Hmm... let me see", "approx. five"
                    i = j - 1;
                    continue;
                }
            }
            return j;
        }
        return -1;
    }

    private String wordBefore(int index) {
        int start = index;
        while (start > 0 && (Character.isLetter(buffer.charAt(start - 1)) || buffer.charAt(start - 1) == '.')) start--;
        return buffer.substring(start, index).toLowerCase(Locale.ROOT);
    }

    private static boolean isAbbreviation(String word) {
        if (word.isEmpty()) return false;
        if (word.length() == 1) return true; // an initial: "J. R. R. Tolkien"
        if (word.indexOf('.') >= 0) return true; // "a.m.", "e.g.", "U.S."
        return ABBREVIATIONS.contains(word);
    }

    private static void emit(String piece, List<String> out) {
        String s = piece.strip();
        if (s.codePoints().anyMatch(Character::isLetterOrDigit)) out.add(s);
    }
}
