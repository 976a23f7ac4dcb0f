package io.parley.runtime.llm.sse;

import io.parley.runtime.llm.LanguageModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Records callbacks as strings ({@code token:Hi}, {@code toolCall:id|name|{...}}, {@code done:in/out},
 * {@code failed}) plus the threads they came on; {@link #mark} adds a marker line, so a test can check that
 * nothing came after, say, {@code cancel()} returned.
 */
public final class RecordingListener implements LanguageModel.Listener {

    private final List<String> events = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Exception error;
    private volatile LanguageModel.Usage usage;

    @Override
    public synchronized void token(String text) {
        record("token:" + text);
    }

    @Override
    public synchronized void toolCall(String id, String name, String argumentsJson) {
        record("toolCall:" + id + "|" + name + "|" + argumentsJson);
    }

    @Override
    public synchronized void done(LanguageModel.Usage usage) {
        this.usage = usage;
        record("done:" + usage.inputTokens() + "/" + usage.outputTokens());
        ended.countDown();
    }

    @Override
    public synchronized void failed(Exception error) {
        this.error = error;
        record("failed");
        ended.countDown();
    }

    public synchronized void mark(String what) {
        events.add("mark:" + what);
        notifyAll();
    }

    private void record(String event) {
        events.add(event);
        threads.add(Thread.currentThread());
        notifyAll();
    }

    public synchronized List<String> events() {
        return List.copyOf(events);
    }

    public synchronized List<Thread> threads() {
        return List.copyOf(threads);
    }

    public synchronized List<String> tokens() {
        return events.stream().filter(e -> e.startsWith("token:")).map(e -> e.substring(6)).toList();
    }

    public Exception error() {
        return error;
    }

    public LanguageModel.Usage usage() {
        return usage;
    }

    /** Waits for {@code done} or {@code failed}. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until {@code count} events starting with {@code prefix} have come. */
    public synchronized boolean awaitEvents(String prefix, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (events.stream().filter(e -> e.startsWith(prefix)).count() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public boolean awaitTokens(int count, Duration timeout) throws InterruptedException {
        return awaitEvents("token:", count, timeout);
    }

    /** Callbacks arriving after this returns are still recorded: pause, then look. */
    public static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    public synchronized List<String> eventsAfter(String marker) {
        int at = events.indexOf("mark:" + marker);
        return at < 0 ? List.of() : new ArrayList<>(events.subList(at + 1, events.size()));
    }
}
