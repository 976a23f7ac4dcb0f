package io.parley.runtime.conversation;

import io.parley.runtime.conversation.ConversationCommand.StartLanguageModel;
import io.parley.runtime.conversation.ConversationInput.LanguageModelCompleted;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToken;
import io.parley.runtime.conversation.ConversationInput.LanguageModelToolCalled;
import io.parley.runtime.conversation.ConversationMessage.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Plays the language model's part for personas without one: a fixed script of steps, each asking
 * something and listing the answers it understands. It answers a
 * {@link ConversationCommand.StartLanguageModel} with the same inputs a model adapter would produce
 * (word tokens, {@code end_call} when the script is over, completion), so one
 * {@link ConversationEngine} runs scripted and model-driven personas alike.
 *
 * <p>Stateless: the current step is recomputed from the history in the request, by replaying every
 * caller turn through the script. So it survives {@link ConversationEngine#restore} with nothing extra
 * in the snapshot, and a retried request gets the same answer.
 *
 * <p>Per caller turn: the first answer of the current step whose keywords (any one; a keyword may be a
 * phrase) occur as whole words in what the caller said is taken, or the catch-all answer (no keywords).
 * The bot then says the answer's reply followed by the next step's prompt. With no matching answer it
 * says {@code notUnderstoodPrefix} and the step's prompt again. A step with no answers is the end:
 * its prompt is the goodbye, followed by {@code end_call} with reason {@code script_completed}. Key
 * presses reach the script as {@code [DTMF 1]}, so a keyword {@code "1"} matches the key 1.
 *
 * <p>In a reply, {@code {answer}} stands for what the caller said, without a leading "my name is",
 * "I'm", "it's", "I want" and the like, and without trailing punctuation.
 */
public final class ScriptedBrain {

    /** The {@code end_call} reason when the script reaches its end. */
    public static final String SCRIPT_COMPLETED = "script_completed";

    public static final List<String> DEFAULT_LEAD_INS = List.of(
            "my name is", "my name's", "i am", "i'm", "im", "it is", "it's", "its", "this is", "call me",
            "i would like", "i'd like", "i want", "i wish for", "i'd love");

    /**
     * What the caller may say at a step and what follows.
     *
     * @param keywords words or phrases, any of which selects this answer; empty for a catch-all
     * @param reply    said first ({@code {answer}} is replaced), may be empty
     * @param next     the step that follows; {@code null} to stay on this step
     */
    public record Answer(List<String> keywords, String reply, String next) {
        public Answer {
            keywords = keywords == null ? List.of() : List.copyOf(keywords);
            reply = reply == null ? "" : reply.strip();
        }

        public static Answer anything(String reply, String next) {
            return new Answer(List.of(), reply, next);
        }

        public static Answer when(List<String> keywords, String reply, String next) {
            return new Answer(keywords, reply, next);
        }
    }

    /**
     * One question of the script.
     *
     * @param id      unique within the script
     * @param prompt  what the bot asks (for the last step, its goodbye)
     * @param answers in order of preference; none makes this the last step
     */
    public record Step(String id, String prompt, List<Answer> answers) {
        public Step {
            Objects.requireNonNull(id, "id");
            prompt = prompt == null ? "" : prompt.strip();
            answers = answers == null ? List.of() : List.copyOf(answers);
        }

        public boolean isLast() {
            return answers.isEmpty();
        }
    }

    private final String greeting;
    private final List<Step> steps;
    private final Map<String, Step> byId = new HashMap<>();
    private final String notUnderstoodPrefix;
    private final List<List<String>> leadIns = new ArrayList<>();

    /** A script with the default "Sorry, I didn't quite catch that." retry and lead-ins. */
    public ScriptedBrain(String greeting, List<Step> steps) {
        this(greeting, steps, "Sorry, I didn't quite catch that.", DEFAULT_LEAD_INS);
    }

    public ScriptedBrain(String greeting, List<Step> steps, String notUnderstoodPrefix, List<String> leadIns) {
        this.greeting = greeting == null ? "" : greeting.strip();
        this.steps = List.copyOf(steps);
        this.notUnderstoodPrefix = notUnderstoodPrefix == null ? "" : notUnderstoodPrefix.strip();
        if (this.steps.isEmpty()) throw new IllegalArgumentException("a script needs at least one step");
        for (Step s : this.steps) {
            if (byId.put(s.id(), s) != null) throw new IllegalArgumentException("duplicate step id " + s.id());
        }
        for (Step s : this.steps) {
            for (Answer a : s.answers()) {
                if (a.next() != null && !byId.containsKey(a.next())) {
                    throw new IllegalArgumentException("step " + s.id() + " leads to unknown step " + a.next());
                }
            }
        }
        for (String l : leadIns) leadIns(l);
        this.leadIns.sort((a, b) -> b.size() - a.size());
    }

    private void leadIns(String phrase) {
        List<String> words = Words.tokens(phrase);
        if (!words.isEmpty()) leadIns.add(words);
    }

    /** The persona's first message: the greeting and the first step's question. */
    public String firstMessage() {
        return join(greeting, steps.getFirst().prompt());
    }

    /** The id of the step waiting for the caller's answer after {@code history}. */
    public String currentStep(List<ConversationMessage> history) {
        Step step = steps.getFirst();
        for (String said : callerTurns(history)) step = advance(step, said).step;
        return step.id();
    }

    /**
     * Answers a model request the way a streaming model adapter would: tokens, possibly an
     * {@code end_call} tool call, and a completion, all for the request's turn and stamped {@code at}.
     */
    public List<ConversationInput> respond(StartLanguageModel request, Instant at) {
        List<String> said = callerTurns(request.messages());
        Outcome outcome;
        if (said.isEmpty()) {
            Step first = steps.getFirst();
            outcome = new Outcome(first.prompt(), first);
        } else {
            Step step = steps.getFirst();
            for (int i = 0; i < said.size() - 1; i++) step = advance(step, said.get(i)).step;
            outcome = advance(step, said.getLast());
        }
        List<ConversationInput> inputs = new ArrayList<>();
        for (String token : outcome.text.split("(?<=\\s)")) {
            if (!token.isEmpty()) inputs.add(new LanguageModelToken(at, request.turnId(), token));
        }
        if (outcome.step.isLast()) {
            inputs.add(new LanguageModelToolCalled(at, request.turnId(), request.turnId() + "-end", ConversationEngine.END_CALL_TOOL,
                    "{\"reason\":\"" + SCRIPT_COMPLETED + "\"}"));
        }
        inputs.add(new LanguageModelCompleted(at, request.turnId()));
        return inputs;
    }

    private record Outcome(String text, Step step) {}

    private Outcome advance(Step step, String said) {
        if (step.isLast()) return new Outcome(step.prompt(), step); // already over: say goodbye again
        Answer answer = match(step, said);
        if (answer == null) return new Outcome(join(notUnderstoodPrefix, step.prompt()), step);
        Step next = answer.next() == null ? step : byId.get(answer.next());
        String reply = answer.reply().replace("{answer}", capture(said));
        if (answer.reply().startsWith("{answer}") && !reply.isEmpty()) {
            reply = reply.substring(0, 1).toUpperCase(Locale.ROOT) + reply.substring(1);
        }
        return new Outcome(join(reply, next.prompt()), next);
    }

    private static Answer match(Step step, String said) {
        List<String> words = Words.plainWords(said);
        for (Answer a : step.answers()) {
            if (a.keywords().isEmpty()) return a;
            for (String keyword : a.keywords()) {
                List<String> phrase = Words.plainWords(keyword);
                if (!phrase.isEmpty() && containsPhrase(words, phrase)) return a;
            }
        }
        return null;
    }

    private static boolean containsPhrase(List<String> words, List<String> phrase) {
        for (int i = 0; i + phrase.size() <= words.size(); i++) {
            if (words.subList(i, i + phrase.size()).equals(phrase)) return true;
        }
        return false;
    }

    /** What the caller said, without a lead-in ("my name is") and trailing punctuation. */
    private String capture(String said) {
        List<String> raw = new ArrayList<>(); // the caller's words as written, one per normalised token
        List<String> tokens = new ArrayList<>();
        for (String r : said.strip().split("\\s+")) {
            List<String> t = Words.tokens(r);
            if (t.size() == 1) {
                raw.add(r);
                tokens.add(t.getFirst());
            }
        }
        int skip = 0;
        for (List<String> leadIn : leadIns) {
            if (tokens.size() > leadIn.size() && tokens.subList(0, leadIn.size()).equals(leadIn)) {
                skip = leadIn.size();
                break;
            }
        }
        return String.join(" ", raw.subList(skip, raw.size())).replaceAll("^[\\s,]+|[\\s.,!?;:]+$", "");
    }

    private static List<String> callerTurns(List<ConversationMessage> messages) {
        return messages.stream().filter(m -> m.role() == Role.USER).map(ConversationMessage::content).toList();
    }

    private static String join(String a, String b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return a + " " + b;
    }
}
