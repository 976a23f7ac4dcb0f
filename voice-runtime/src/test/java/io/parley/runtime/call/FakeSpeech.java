package io.parley.runtime.call;

import io.parley.runtime.speech.SpeechToText;
import io.parley.runtime.speech.TextToSpeech;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fakes of our own speech ports for runtime tests (src/test only): a recogniser the test makes
 * "hear" words, and a voice that turns each word into 100 ms of a tone, delivered in pieces.
 */
final class FakeSpeech {

    private FakeSpeech() {}

    /** The caller "speaks" through {@link #say}: voice on, interims, final, voice off, end of utterance. */
    static final class Recogniser implements SpeechToText {
        final List<Stream> streams = new CopyOnWriteArrayList<>();
        final AtomicLong samples = new AtomicLong();

        final class Stream implements SpeechToText.Stream {
            final Listener listener;
            final List<List<String>> expectations = new CopyOnWriteArrayList<>();
            final AtomicBoolean closed = new AtomicBoolean();

            Stream(StreamSettings settings, Listener listener) {
                this.listener = listener;
                expectations.add(settings.expectedPhrases());
            }

            @Override public void audio(byte[] ulaw, int offset, int length) { samples.addAndGet(length); }
            @Override public void expect(List<String> phrases) { expectations.add(phrases); }
            @Override public void close() { closed.set(true); }

            void say(String text) {
                if (closed.get()) return;
                listener.voiceActivity(true);
                String[] words = text.split(" ");
                StringBuilder partial = new StringBuilder();
                for (String word : words) {
                    partial.append(partial.isEmpty() ? "" : " ").append(word);
                    listener.interim(partial.toString());
                }
                listener.finalText(text);
                listener.voiceActivity(false);
                listener.endOfUtterance();
            }

            void voice(boolean on) {
                listener.voiceActivity(on);
            }
        }

        @Override public String id() { return "offline"; }

        @Override
        public Stream open(StreamSettings settings, Listener listener) {
            Stream stream = new Stream(settings, listener);
            streams.add(stream);
            return stream;
        }

        Stream last() {
            return streams.getLast();
        }
    }

    /** 100 ms of a 0x55 tone per word, in 100 ms pieces, on its own thread; what was said is recorded. */
    static final class ToneVoice implements TextToSpeech {
        final List<String> spoken = new CopyOnWriteArrayList<>();
        final Map<String, Boolean> cancelled = new ConcurrentHashMap<>();

        @Override public String id() { return "offline"; }

        @Override
        public Synthesis synthesize(String text, Voice voice, AudioSink sink) {
            spoken.add(text);
            AtomicBoolean stop = new AtomicBoolean();
            Object lock = new Object();
            Thread.ofVirtual().start(() -> {
                int words = Math.max(1, text.split("\\s+").length);
                for (int i = 0; i < words; i++) {
                    byte[] audio = new byte[800];
                    java.util.Arrays.fill(audio, (byte) 0x55);
                    synchronized (lock) {
                        if (stop.get()) return;
                        sink.audio(audio);
                    }
                }
                synchronized (lock) {
                    if (!stop.get()) sink.done();
                }
            });
            return () -> {
                synchronized (lock) {
                    stop.set(true);
                    cancelled.put(text, true);
                }
            };
        }
    }
}
