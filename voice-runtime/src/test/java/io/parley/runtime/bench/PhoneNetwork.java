package io.parley.runtime.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Twilio's side for many calls at once: one JDK HttpClient for every socket (two named platform
 * threads, so the profile can tell the load generator from the runtime), one clock thread that sends
 * every call's 20 ms of caller audio on time and runs the callers' scripts, and one timer thread that
 * echoes marks when each call's playout buffer reaches them.
 */
final class PhoneNetwork implements AutoCloseable {

    /** What the callers measure while a capacity window is open. */
    static final class Window {
        final Histogram jitter = new Histogram();     // |inter-arrival - 20 ms| of paced frames (after the lead burst)
        final Histogram lateness = new Histogram();   // arrival - ideal paced schedule, frames after the lead
        final Histogram senderLag = new Histogram();  // how late this emulator sent caller frames (load generator health)
        final Histogram sendJitter = new Histogram();  // the same, where the runtime's writer calls sendText (SendTap)
        final Histogram sendBlocked = new Histogram(); // how long that sendText blocked
        final LongAdder frames = new LongAdder();
        final LongAdder underruns = new LongAdder();  // a sentence's next frame arrived after the caller's buffer ran dry
        final LongAdder skippedSends = new LongAdder();
        final LongAdder sendBacklog = new LongAdder();
    }

    final URI uri;
    final HttpClient http;
    private final ExecutorService httpThreads;
    final ScheduledExecutorService markTimer;
    private final Thread clock;
    private final Set<Caller> callers = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    volatile Window window;
    final AtomicInteger threadCounter = new AtomicInteger();

    PhoneNetwork(URI uri) {
        this.uri = uri;
        this.httpThreads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "emu-http-" + threadCounter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().executor(httpThreads).build();
        this.markTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "emu-marks");
            t.setDaemon(true);
            return t;
        });
        this.clock = new Thread(this::run, "emu-clock");
        clock.setDaemon(true);
        clock.setPriority(Thread.MAX_PRIORITY);
        clock.start();
    }

    void add(Caller caller) {
        callers.add(caller);
    }

    void remove(Caller caller) {
        callers.remove(caller);
    }

    int size() {
        return callers.size();
    }

    private void run() {
        while (running) {
            long now = System.nanoTime();
            long next = now + 2_000_000;
            for (Caller caller : callers) {
                try {
                    next = Math.min(next, caller.tick(now));
                } catch (RuntimeException e) {
                    caller.fail("emulator: " + e);
                }
            }
            long wait = next - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
        }
    }

    @Override
    public void close() {
        running = false;
        for (Caller caller : callers) caller.abort();
        markTimer.shutdownNow();
        http.shutdownNow();
        httpThreads.shutdownNow();
    }
}
