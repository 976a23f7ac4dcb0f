package io.parley.runtime.media.twilio;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One timer thread for every call's outbound audio: every {@link #TICK_MILLIS} it lets each open
 * connection send what is due. Sending itself happens on each connection's writer, so a slow
 * socket never delays another call.
 */
public final class PlayoutScheduler implements AutoCloseable {

    static final int TICK_MILLIS = 5;

    private final Set<MediaStreamConnection> connections = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("playout").daemon().factory());
    private final LongSupplier nanoTime;

    public PlayoutScheduler(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        timer.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    void register(MediaStreamConnection connection) {
        connections.add(connection);
    }

    void unregister(MediaStreamConnection connection) {
        connections.remove(connection);
    }

    long now() {
        return nanoTime.getAsLong();
    }

    private void tick() {
        long now = nanoTime.getAsLong();
        for (MediaStreamConnection connection : connections) {
            try {
                connection.pump(now);
            } catch (RuntimeException e) {
                connection.fail("playout failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
