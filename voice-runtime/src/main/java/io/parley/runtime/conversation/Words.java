package io.parley.runtime.conversation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Word-level helpers shared by turn detection and the scripted brain. */
final class Words {

    private Words() {}

    /**
     * Lowercase tokens split on white space, each stripped of leading and trailing punctuation; inner
     * hyphens, apostrophes and dots are kept ("uh-huh", "it's", "s.m.i"). Empty tokens are dropped.
     */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) return out;
        String normalised = text.toLowerCase(Locale.ROOT).replace('’', '\'').replace('‘', '\'');
        for (String raw : normalised.split("\\s+")) {
            int start = 0;
            int end = raw.length();
            while (start < end && !Character.isLetterOrDigit(raw.charAt(start))) start++;
            while (end > start && !Character.isLetterOrDigit(raw.charAt(end - 1))) end--;
            if (start < end) out.add(raw.substring(start, end));
        }
        return out;
    }

    /** {@link #tokens} with hyphenated tokens split too: "uh-huh" and "uh huh" give the same words. */
    static List<String> plainWords(String text) {
        List<String> out = new ArrayList<>();
        for (String token : tokens(text)) {
            for (String part : token.split("-")) {
                if (!part.isEmpty()) out.add(part);
            }
        }
        return out;
    }

    /** Number of white-space separated words. */
    static int count(String text) {
        String s = text == null ? "" : text.strip();
        return s.isEmpty() ? 0 : s.split("\\s+").length;
    }
}
