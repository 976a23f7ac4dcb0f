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
 * caller turn (and every result of the script's own tool calls) through the script. So it survives {@link ConversationEngine#restore} with nothing extra
 * in the snapshot, and a retried request gets the same answer.
 *
 * <p>Per caller turn: the first answer of the current step whose keywords (any one; a keyword may be a
 * phrase) occur as whole words in what the caller said is taken, or the catch-all answer (no keywords).
 * The bot then says the answer's reply followed by the next step's prompt. With no matching answer it
 * says {@code notUnderstoodPrefix} and the step's prompt again. A step that books (action
 * {@link #BOOK_APPOINTMENT}) takes a day and a time instead, and checks, reads back and books them with the
 * receptionist's tools ({@link BookingDialog}). A step with no answers is the end:
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
     * @param action  what the step does with the answer, else null: {@link #BOOK_APPOINTMENT} books the day and time the
     *                caller says (its first answer's reply follows the booking, {@code {answer}} being the time booked,
     *                and its {@code next} the step after)
     */
    public record Step(String id, String prompt, List<Answer> answers, String action) {
        public Step {
            Objects.requireNonNull(id, "id");
            prompt = prompt == null ? "" : prompt.strip();
            answers = answers == null ? List.of() : List.copyOf(answers);
            if (action != null && !BOOK_APPOINTMENT.equals(action)) throw new IllegalArgumentException("step " + id + ": no action " + action);
            if (action != null && answers.isEmpty()) throw new IllegalArgumentException("step " + id + ": an action needs an answer to follow it");
        }

        public Step(String id, String prompt, List<Answer> answers) {
            this(id, prompt, answers, null);
        }

        public boolean isLast() {
            return answers.isEmpty();
        }
    }

    /** The action of a step that books an appointment: what {@link BookingDialog} plays. */
    public static final String BOOK_APPOINTMENT = "book_appointment";

    /**
     * What a script that books needs to know: the business's time zone (the caller's "tomorrow at ten" is read in it)
     * and the name the booking is made in.
     */
    public record Booking(java.time.ZoneId zone, String name) {
        public Booking {
            Objects.requireNonNull(zone, "zone");
            name = name == null || name.isBlank() ? "Phone caller" : name.strip();
        }
    }

    private final String greeting;
    private final List<Step> steps;
    private final BookingDialog booking;
    private final Map<String, Step> byId = new HashMap<>();
    private final String notUnderstoodPrefix;
    private final List<List<String>> leadIns = new ArrayList<>();

    /** A script with the default "Sorry, I didn't quite catch that." retry and lead-ins. */
    public ScriptedBrain(String greeting, List<Step> steps) {
        this(greeting, steps, null);
    }

    /** As above, with what steps that book need ({@code booking}: null when none does). */
    public ScriptedBrain(String greeting, List<Step> steps, Booking booking) {
        this(greeting, steps, "Sorry, I didn't quite catch that.", DEFAULT_LEAD_INS, booking);
    }

    public ScriptedBrain(String greeting, List<Step> steps, String notUnderstoodPrefix, List<String> leadIns) {
        this(greeting, steps, notUnderstoodPrefix, leadIns, null);
    }

    public ScriptedBrain(String greeting, List<Step> steps, String notUnderstoodPrefix, List<String> leadIns, Booking booking) {
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
        boolean books = this.steps.stream().anyMatch(st -> st.action() != null);
        if (books && booking == null) throw new IllegalArgumentException("a script that books needs the business's time zone");
        this.booking = books ? new BookingDialog(booking, this.notUnderstoodPrefix) : null;
    }

    private void leadIns(String phrase) {
        List<String> words = Words.tokens(phrase);
        if (!words.isEmpty()) leadIns.add(words);
    }

    /** The persona's first message: the greeting and the first step's question. */
    public String firstMessage() {
        return join(greeting, steps.getFirst().prompt());
    }

    /**
     * The id of the step waiting for the caller's answer after {@code history}; a step that books, waiting for the
     * caller to confirm the time it read back, is its id followed by {@link #CONFIRMING}.
     */
    public String currentStep(List<ConversationMessage> history) {
        State state = replay(history, Instant.EPOCH).state;   // the phase does not depend on the time
        return state.phase == Phase.CONFIRM ? state.step.id() + CONFIRMING : state.step.id();
    }

    /** After a booking step's id: the step waits for a yes or a no to the time it read back. */
    public static final String CONFIRMING = "/confirm";

    /** What a booking step understands as a yes or a no to the time it read back. */
    public static final List<String> YES_OR_NO = java.util.stream.Stream.concat(BookingDialog.YES.stream(), BookingDialog.NO.stream()).toList();

    /**
     * Answers a model request the way a streaming model adapter would: tokens, possibly a tool call (a booking step's
     * {@code check_availability} or {@code book_appointment}, or {@code end_call} when the script is over), and a
     * completion, all for the request's turn and stamped {@code at}.
     */
    public List<ConversationInput> respond(StartLanguageModel request, Instant at) {
        Outcome outcome = replay(request.messages(), at);
        List<ConversationInput> inputs = new ArrayList<>();
        for (String token : outcome.text.split("(?<=\\s)")) {
            if (!token.isEmpty()) inputs.add(new LanguageModelToken(at, request.turnId(), token));
        }
        if (outcome.tool != null) {
            inputs.add(new LanguageModelToolCalled(at, request.turnId(), request.turnId() + "-" + outcome.tool.name(), outcome.tool.name(),
                    outcome.tool.argumentsJson()));
        } else if (outcome.state.step.isLast()) {
            inputs.add(new LanguageModelToolCalled(at, request.turnId(), request.turnId() + "-end", ConversationEngine.END_CALL_TOOL,
                    "{\"reason\":\"" + SCRIPT_COMPLETED + "\"}"));
        }
        inputs.add(new LanguageModelCompleted(at, request.turnId()));
        return inputs;
    }

    /** Where the script is: a step and, in a step that books, how far the booking has got. */
    enum Phase { ASK, CHECKING, CONFIRM, BOOKING }

    record State(Step step, Phase phase, java.time.LocalDate day, java.time.LocalTime time) {
        static State at(Step step) {
            return new State(step, Phase.ASK, null, null);
        }
    }

    /** A tool the script calls. */
    record ToolRequest(String name, String argumentsJson) {}

    /** What the bot says, where that leaves the script, and the tool it calls, if any. */
    record Outcome(String text, State state, ToolRequest tool) {
        Outcome(String text, State state) {
            this(text, state, null);
        }
    }

    /**
     * Plays every caller turn and every result of the script's own tools in {@code messages}, in order, from the first
     * step; the outcome of the last one is the answer now (with none yet, the first step's prompt).
     */
    private Outcome replay(List<ConversationMessage> messages, Instant at) {
        State state = State.at(steps.getFirst());
        Outcome last = new Outcome(state.step.prompt(), state);
        for (ConversationMessage m : messages) {
            if (m.role() == Role.USER) {
                last = answer(state, m.content(), at);
            } else if (m.role() == Role.TOOL && booking != null && BookingDialog.TOOLS.contains(m.toolName())) {
                Outcome result = booking.result(state, m.toolName(), m.content(), byId);
                if (result == null) continue;   // not the result the script waits for (still pending, or overtaken)
                last = result;
            } else {
                continue;
            }
            state = last.state;
        }
        return last;
    }

    private Outcome answer(State state, String said, Instant at) {
        Step step = state.step;
        if (step.isLast()) return new Outcome(step.prompt(), state); // already over: say goodbye again
        if (step.action() != null) return booking.answer(state, said, at);
        Answer answer = match(step, said);
        if (answer == null) return new Outcome(join(notUnderstoodPrefix, step.prompt()), state);
        Step next = answer.next() == null ? step : byId.get(answer.next());
        String reply = answer.reply().replace("{answer}", capture(said));
        if (answer.reply().startsWith("{answer}") && !reply.isEmpty()) {
            reply = reply.substring(0, 1).toUpperCase(Locale.ROOT) + reply.substring(1);
        }
        return new Outcome(join(reply, next.prompt()), State.at(next));
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

    static boolean containsPhrase(List<String> words, List<String> phrase) {
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

    static String join(String a, String b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        return a + " " + b;
    }
}
