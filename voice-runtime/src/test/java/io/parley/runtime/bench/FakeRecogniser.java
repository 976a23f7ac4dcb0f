package io.parley.runtime.bench;

import io.parley.runtime.speech.SpeechToText;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Speech-to-text fake that hears what the emulated caller really sends: it tells speech from
 * silence by the energy of the audio the runtime hands it, takes the words of each stretch of speech
 * from the caller's ground truth, reports voice on/off when the speech starts and stops reaching it,
 * an interim per word, and the final transcript plus end of utterance after its configured latency.
 */
final class FakeRecogniser implements SpeechToText {

    static final String ID = "bench";
    /** Mean absolute sample above which a 20 ms frame is speech (the caller's tone is about 5,000; silence 0). */
    static final int SPEECH_LEVEL = 1_500;

    private final Truth truth;
    private final Latencies latencies;
    private final ScheduledExecutorService clock;
    final AtomicLong unexpectedSpeech = new AtomicLong();
    final AtomicLong unknownCalls = new AtomicLong();

    FakeRecogniser(Truth truth, Latencies latencies, ScheduledExecutorService clock) {
        this.truth = truth;
        this.latencies = latencies;
        this.clock = clock;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Stream open(StreamSettings settings, Listener listener) {
        Truth.Call call = truth.call(Truth.keyOfLanguage(settings.language()));
        if (call == null) unknownCalls.incrementAndGet();
        return new Ears(call, listener);
    }

    private final class Ears implements Stream {
        private final Truth.Call call;
        private final Listener listener;
        private boolean closed;
        private Heard current;

        Ears(Truth.Call call, Listener listener) {
            this.call = call;
            this.listener = listener;
        }

        @Override
        public void audio(byte[] ulaw, int offset, int length) {
            long now = System.nanoTime();
            long sum = 0;
            for (int i = offset; i < offset + length; i++) sum += Math.abs(io.parley.runtime.media.Mulaw.decode(ulaw[i]));
            boolean speech = length > 0 && sum / length > SPEECH_LEVEL;
            synchronized (this) {
                if (closed || call == null) return;
                if (current == null) {
                    if (!speech) return;
                    Truth.Utterance u = call.saying.poll();
                    if (u == null) {
                        unexpectedSpeech.incrementAndGet();
                        return;
                    }
                    current = new Heard(u);
                    begin(now, current);
                }
                if (speech && ++current.frames < current.utterance.frames()) return;
                end(now, current); // the last frame of the utterance (by the ground truth) or silence after speech
                current = null;
            }
        }

        private void begin(long now, Heard heard) {
            Truth.Turn turn = heard.utterance.turn();
            turn.heardOnset = now;
            emit(0, () -> {
                turn.vadOnAt = System.nanoTime();
                listener.voiceActivity(true);
            });
            String[] words = heard.utterance.words();
            for (int i = 0; i < words.length - 1; i++) {
                String partial = String.join(" ", Arrays.copyOf(words, i + 1));
                long at = (i + 1) * heard.utterance.wordNanos() + latencies.sttInterimNanos();
                emit(at, () -> {
                    if (!heard.finalSent) listener.interim(partial);
                });
            }
        }

        private void end(long now, Heard heard) {
            Truth.Turn turn = heard.utterance.turn();
            turn.heardEnd = now;
            call.lastHeard = turn;
            emit(0, () -> listener.voiceActivity(false));
            String text = String.join(" ", heard.utterance.words());
            emit(latencies.sttFinalNanos(), () -> {
                heard.finalSent = true;
                turn.finalAt = System.nanoTime();
                listener.finalText(text);
                listener.endOfUtterance();
            });
        }

        /** Runs {@code report} on the providers' thread after {@code delayNanos}, unless the stream closed. */
        private void emit(long delayNanos, Runnable report) {
            clock.schedule(() -> {
                synchronized (this) {
                    if (!closed) report.run();
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void expect(List<String> phrases) {}

        @Override
        public synchronized void close() {
            closed = true;
        }
    }

    private static final class Heard {
        final Truth.Utterance utterance;
        int frames;
        volatile boolean finalSent;

        Heard(Truth.Utterance utterance) {
            this.utterance = utterance;
        }
    }
}
