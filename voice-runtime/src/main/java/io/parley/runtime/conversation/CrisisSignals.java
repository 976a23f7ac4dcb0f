package io.parley.runtime.conversation;

import java.util.List;
import java.util.Optional;

/**
 * Signs, in what a caller says, that they may harm themselves: "I want to kill myself", "I don't want to live any
 * more", "I've been cutting myself". Phrases, not single words, so that "this traffic is killing me" or "my phone
 * died" are not taken for one; and a sign missed is worse than one too many, so the list leans wide. English only:
 * with another language the persona's prompt (its crisis rule) is what stands.
 *
 * <p>What follows a sign is the runtime's, not the model's: {@code CallRuntime} has the persona say its crisis line
 * (a referral to a crisis line, or for a child, to a trusted adult) in place of the reply, and reports the call.
 */
public final class CrisisSignals {

    /** Each phrase as words; a caller's words containing one, in order and next to each other, are a sign. */
    private static final List<List<String>> PHRASES = java.util.stream.Stream.of(
            "kill myself", "killing myself", "end my life", "ending my life", "take my own life", "taking my own life", "end it all",
            "suicide", "suicidal", "want to die", "wanna die", "wish i was dead", "wish i were dead", "better off dead",
            "better off without me", "don't want to live", "dont want to live", "do not want to live", "don't want to be alive",
            "dont want to be alive", "no reason to live", "nothing to live for", "hurt myself", "hurting myself", "harm myself",
            "harming myself", "self harm", "cut myself", "cutting myself", "overdose", "not want to wake up", "don't want to wake up",
            "dont want to wake up", "can't go on", "cant go on")
            .map(Words::plainWords).toList();

    /**
     * Signs as a grammar-bound recogniser must be told to expect them: the offline recogniser hears only the phrases its
     * grammar holds, so these are in every grammar it builds, whatever else the call expects (whole sentences, each of
     * which contains a phrase above).
     */
    public static final List<String> SPOKEN = List.of("i want to end my life", "i want to kill myself", "i want to die",
            "i don't want to live", "i hurt myself");

    private CrisisSignals() {}

    /** The first sign in {@code said}, as the phrase it matched; empty when there is none. */
    public static Optional<String> in(String said) {
        List<String> words = Words.plainWords(said == null ? "" : said.replace('’', '\''));
        for (List<String> phrase : PHRASES) {
            if (ScriptedBrain.containsPhrase(words, phrase)) return Optional.of(String.join(" ", phrase));
        }
        return Optional.empty();
    }
}
