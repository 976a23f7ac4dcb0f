package io.parley.runtime.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Ground truth shared by the emulated callers and the provider fakes (all in this JVM): what each
 * caller is saying and when, and when each fake did what. The persona's language carries the call's
 * key as a BCP-47 private-use subtag ({@code en-US-x-c17}), so the speech fakes find their call
 * without any change to the runtime; the model finds it after the {@code @} of its model name.
 */
final class Truth {

    private final ConcurrentHashMap<String, Call> calls = new ConcurrentHashMap<>();

    Call register(String key) {
        Call call = new Call(key);
        calls.put(key, call);
        return call;
    }

    Call call(String key) {
        return key == null ? null : calls.get(key);
    }

    void forget(String key) {
        calls.remove(key);
    }

    static String keyOfLanguage(String tag) {
        int i = tag == null ? -1 : tag.indexOf("-x-");
        return i < 0 ? null : tag.substring(i + 3);
    }

    static String keyOfModel(String model) {
        int i = model == null ? -1 : model.indexOf('@');
        return i < 0 ? null : model.substring(i + 1);
    }

    enum Kind { NORMAL, STORY, STORY_BARGE, BARGE }

    /** One caller's call. */
    static final class Call {
        final String key;
        /** Utterances the caller has begun (in order) that the recogniser has not heard yet. */
        final ConcurrentLinkedQueue<Utterance> saying = new ConcurrentLinkedQueue<>();
        private final List<Turn> turns = new ArrayList<>();
        /** The turn whose end of speech the recogniser heard last (the engine may answer before the final, on silence). */
        volatile Turn lastHeard;
        /** The newest synthesis id the voice made for this call. */
        volatile int lastSynthId;

        Call(String key) {
            this.key = key;
        }

        synchronized Turn newTurn(Kind kind, String text) {
            Turn turn = new Turn(turns.size(), kind, text);
            turns.add(turn);
            return turn;
        }

        synchronized List<Turn> turns() {
            return List.copyOf(turns);
        }

        /** The turn that owns synthesis {@code synthId} as its first reply audio, among the last few. */
        synchronized Turn replyOwning(int synthId) {
            for (int i = turns.size() - 1; i >= Math.max(0, turns.size() - 4); i--) {
                if (turns.get(i).firstSynthId == synthId) return turns.get(i);
            }
            return null;
        }

        synchronized Turn last() {
            return turns.isEmpty() ? null : turns.getLast();
        }
    }

    /** What the caller says: its words, 20 ms frames of speech in all. */
    record Utterance(Turn turn, String[] words, int frames, long wordNanos) {}

    /** One caller turn and the bot's answer to it; every time is System.nanoTime(). */
    static final class Turn {
        final int index;
        final Kind kind;
        final String text;
        // the emulated caller
        volatile long onsetSent;     // first speech frame sent
        volatile long endSent;       // last speech frame sent
        volatile long firstFrame;    // first frame of the answer received
        volatile long clearAt;       // `clear` received while this (barge-in) turn was spoken
        volatile int framesAfterClear;
        // the recogniser
        volatile long heardOnset;    // first speech frame reached the recogniser
        volatile long vadOnAt;       // voice activity reported
        volatile long heardEnd;      // last speech frame reached the recogniser
        volatile long finalAt;       // final transcript (and end of utterance) reported
        // the model
        volatile long llmCalled;     // generate() for this turn
        volatile long llmSentence;   // the token that completes the first sentence delivered
        // the voice
        volatile long ttsCalled;     // synthesize() of the first sentence
        volatile long ttsFirst;      // its first audio delivered
        volatile int firstSynthId;

        Turn(int index, Kind kind, String text) {
            this.index = index;
            this.kind = kind;
            this.text = text;
        }

        boolean answered() {
            return endSent != 0 && firstFrame != 0 && llmCalled != 0 && llmSentence != 0 && ttsCalled != 0 && ttsFirst != 0;
        }

        /** The engine answered on its own silence timer, before the final transcript came (a slow STT final). */
        boolean endpointedBeforeFinal() {
            return finalAt == 0 || finalAt > llmCalled;
        }

        long turnNanos() {
            return firstFrame - endSent;
        }

        /** What the fakes themselves took: STT final after the speech ended, model to the first sentence, voice to its first byte. */
        long providerNanos() {
            return (finalAt - heardEnd) + (llmSentence - llmCalled) + (ttsFirst - ttsCalled);
        }

        /** From the final transcript (with end of utterance) to the first frame at the caller, minus the model's and the voice's own time. */
        long runtimeAddedNanos() {
            return (firstFrame - finalAt) - (llmSentence - llmCalled) - (ttsFirst - ttsCalled);
        }
    }
}
