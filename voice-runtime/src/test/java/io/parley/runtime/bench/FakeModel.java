package io.parley.runtime.bench;

import io.parley.runtime.llm.LanguageModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A streaming language model fake: a few tokens of a canned answer, the first after the configured
 * first-token latency and the rest at about 65 tokens a second. A caller asking for a story gets a
 * long one (something to interrupt). It records when the token that completes the first sentence
 * (the one the sentence splitter needs before it can release it) went out.
 */
final class FakeModel implements LanguageModel {

    static final String ID = "bench";
    static final String SHORT = "Sure thing. Let me check that for you.";
    static final String LONG = "Once upon a time there was a small cafe by the sea. Every morning the baker opened the blue shutters. "
            + "The fishermen came in for coffee and warm bread. One day a storm rolled in from the west. "
            + "The lights flickered and the waves grew tall. Everyone stayed inside and told stories. "
            + "By the evening the sky was clear again. And the cafe is still there today.";

    private static final Pattern TOKEN = Pattern.compile("\\s?[\\w']+|\\s?[^\\w\\s]");

    private final Truth truth;
    private final Latencies latencies;
    private final ScheduledExecutorService clock;

    FakeModel(Truth truth, Latencies latencies, ScheduledExecutorService clock) {
        this.truth = truth;
        this.latencies = latencies;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) tokens.add(m.group());
        return tokens;
    }

    /** Index of the token whose arrival lets the splitter release the first sentence (the one after its full stop). */
    static int releaseIndex(List<String> tokens) {
        for (int i = 0; i < tokens.size() - 1; i++) {
            if (tokens.get(i).matches("[.!?]")) return i + 1;
        }
        return tokens.size() - 1;
    }

    @Override
    public Generation generate(Request request, Listener listener) {
        long called = System.nanoTime();
        Truth.Call call = truth.call(Truth.keyOfModel(request.model()));
        Truth.Turn turn = call == null ? null : call.lastHeard;
        boolean firstForTurn = turn != null && turn.llmCalled == 0;
        if (firstForTurn) turn.llmCalled = called;
        String asked = "";
        for (Message m : request.messages()) {
            if (m.role().equals("user")) asked = m.content().toLowerCase(Locale.ROOT);
        }
        List<String> tokens = tokens(!asked.contains("question") && asked.contains("story") ? LONG : SHORT);
        int release = releaseIndex(tokens);
        Answer answer = new Answer();
        long first = latencies.llmFirstTokenNanos();
        long gap = latencies.llmInterTokenNanos();
        if (gap == 0) {
            clock.schedule(() -> {
                for (int i = 0; i < tokens.size(); i++) {
                    if (!answer.token(i == release && firstForTurn ? turn : null, tokens.get(i), listener)) return;
                }
                answer.done(tokens.size(), listener);
            }, first, TimeUnit.NANOSECONDS);
        } else {
            for (int i = 0; i < tokens.size(); i++) {
                int index = i;
                clock.schedule(() -> {
                    if (answer.token(index == release && firstForTurn ? turn : null, tokens.get(index), listener) && index == tokens.size() - 1) {
                        answer.done(tokens.size(), listener);
                    }
                }, first + i * gap, TimeUnit.NANOSECONDS);
            }
        }
        return answer;
    }

    /** One answer in flight; nothing is delivered once cancel() returned. */
    private static final class Answer implements Generation {
        private boolean cancelled;

        synchronized boolean token(Truth.Turn releasing, String text, Listener listener) {
            if (cancelled) return false;
            if (releasing != null) releasing.llmSentence = System.nanoTime();
            listener.token(text);
            return true;
        }

        synchronized void done(int tokens, Listener listener) {
            if (!cancelled) listener.done(new Usage(100, tokens));
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
        }
    }
}
