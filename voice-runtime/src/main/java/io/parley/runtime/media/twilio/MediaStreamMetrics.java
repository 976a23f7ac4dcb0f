package io.parley.runtime.media.twilio;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counters of the media layer: what was refused and why, sockets closed for cause, active calls. */
public final class MediaStreamMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> closed = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();
    private final Counter droppedOutbound;

    public MediaStreamMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("parley.runtime.calls.active", active);
        this.droppedOutbound = Counter.builder("parley.runtime.frames.dropped").description("Outbound messages dropped because a socket did not keep up").register(registry);
    }

    /** A frame refused or ignored, by reason (not_json, unknown_event, wrong_stream, duplicate_chunk, binary, ...). */
    public void rejected(String reason) {
        rejected.computeIfAbsent(reason, r -> Counter.builder("parley.runtime.frames.rejected").tag("reason", r).register(registry)).increment();
    }

    /** A socket closed by us for a cause (invalid_token, bad_signature, too_many_errors, ...). */
    public void closedForCause(String reason) {
        closed.computeIfAbsent(reason, r -> Counter.builder("parley.runtime.sockets.closed").tag("reason", r).register(registry)).increment();
    }

    public double rejectedCount(String reason) {
        Counter c = rejected.get(reason);
        return c == null ? 0 : c.count();
    }

    public double closedCount(String reason) {
        Counter c = closed.get(reason);
        return c == null ? 0 : c.count();
    }

    void callStarted() {
        active.incrementAndGet();
    }

    void callEnded() {
        active.decrementAndGet();
    }

    public int activeCalls() {
        return active.get();
    }

    void droppedOutbound() {
        droppedOutbound.increment();
    }
}
