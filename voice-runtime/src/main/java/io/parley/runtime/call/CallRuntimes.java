package io.parley.runtime.call;

import io.parley.runtime.media.twilio.CallHandler;
import io.parley.runtime.session.CallEvents;
import io.parley.runtime.session.CallSessionStore;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** Makes a {@link CallRuntime} per stream; owns the timer thread and the workers they share. */
public final class CallRuntimes implements CallHandler.Factory, AutoCloseable {

    private final CallSessionStore store;
    private final CallEvents events;
    private final Providers providers;
    private final Clock clock;
    private final String instance;
    private final ScheduledExecutorService timers = timers();
    private final java.util.concurrent.ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    private final CallMetrics metrics;

    private final VoiceActivitySource voiceActivity;

    public CallRuntimes(CallSessionStore store, CallEvents events, Providers providers, Clock clock, CallMetrics metrics,
                        VoiceActivitySource voiceActivity) {
        this.metrics = metrics;
        this.voiceActivity = voiceActivity;
        this.store = store;
        this.events = events;
        this.providers = providers;
        this.clock = clock;
        this.instance = "runtime-" + UUID.randomUUID();
    }

    /**
     * One timer thread for every call's deadlines, lease renewals and snapshot saves. Cancelled tasks
     * leave the queue at once: a call re-arms its timer many times a minute, and a cancelled
     * max-length warning would otherwise stay queued until its trigger time, minutes away.
     */
    private static ScheduledExecutorService timers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("call-timers").daemon().factory());
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    @Override
    public CallHandler create() {
        return new CallRuntime(store, events, providers, timers, workers, clock, instance, metrics, voiceActivity);
    }

    /** This instance's id in call leases. */
    public String instance() {
        return instance;
    }

    Executor workers() {
        return workers;
    }

    @Override
    public void close() {
        timers.shutdownNow();
        workers.shutdownNow();
    }
}
