package io.parley.runtime.speech.offline;

import io.parley.runtime.speech.SpeechToText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Records what a stream reports as strings: {@code speaking}, {@code silent}, {@code interim:..}, {@code final:..}, {@code end}, {@code failed:..}. */
final class RecordingListener implements SpeechToText.Listener {

    private final List<String> events = new ArrayList<>();
    private final List<String> threads = new ArrayList<>();
    private volatile Exception failure;

    @Override
    public void voiceActivity(boolean speaking) {
        add(speaking ? "speaking" : "silent");
    }

    @Override
    public void interim(String text) {
        add("interim:" + text);
    }

    @Override
    public void finalText(String text) {
        add("final:" + text);
    }

    @Override
    public void endOfUtterance() {
        add("end");
    }

    @Override
    public void failed(Exception error) {
        failure = error;
        add("failed:" + error.getMessage());
    }

    private synchronized void add(String event) {
        events.add(event);
        threads.add(Thread.currentThread().getName());
        notifyAll();
    }

    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized List<String> threads() {
        return List.copyOf(threads);
    }

    /** The final texts so far. */
    synchronized List<String> finals() {
        return events.stream().filter(e -> e.startsWith("final:")).map(e -> e.substring(6)).toList();
    }

    Exception failure() {
        return failure;
    }

    /** Waits until {@code count} events match, failing after {@code timeout}; returns all events. */
    synchronized List<String> await(Predicate<String> event, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.stream().filter(event).count() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out waiting for " + count + " matching events; got " + events);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(events);
    }

    List<String> awaitUtterances(int count) throws InterruptedException {
        return await(e -> e.equals("end") || e.startsWith("failed:"), count, Duration.ofSeconds(30));
    }
}
