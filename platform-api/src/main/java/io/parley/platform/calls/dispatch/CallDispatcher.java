package io.parley.platform.calls.dispatch;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.platform.calls.CallingWindow;
import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.DispatchLedger.Begun;
import io.parley.platform.calls.DispatchLedger.Claim;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.telephony.Carriers;
import io.parley.platform.telephony.Telephony;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Places due calls, each attempt exactly once, with any number of instances doing the same.
 *
 * <p>One loop claims due calls ({@link DispatchLedger#claim}: a lease and a fencing token each) and hands
 * each to a virtual thread, at most {@code parallelism} at once, which:
 * <ol>
 *   <li>(the loop, per batch) waits for dial slots of the caller number (calls per second, shared by all
 *       instances in Redis);</li>
 *   <li>begins the attempt in the call's tenant ({@link DispatchLedger#begin}): only if the claim is still
 *       this one's, the call still scheduled and due, its number one that may be dialled (else blocked), the
 *       callee's local time inside the calling window (else deferred to its next opening) and the tenant
 *       under its limit of calls under way (else deferred); the attempt is committed before the carrier hears of it;</li>
 *   <li>hands the call to the voice runtime ({@link RuntimeHandoff}: its bootstrap in Redis, a call token for
 *       the carrier) and dials, unless {@code dialDeadline} passed since the commit (a stalled instance must not
 *       dial what the reconciler may already have given up on), and records the carrier's id.</li>
 * </ol>
 * The same loop reconciles every {@code reconcileEvery}: attempts older than {@code reconcileAfter} still
 * without a carrier id are looked up at the carrier; found, they are recorded; not found, abandoned and the
 * call made due again. An instance that dies anywhere in between therefore loses no call (its claims expire,
 * its unconfirmed attempts are reconciled) and dials none twice.
 */
public final class CallDispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CallDispatcher.class);
    private static final Duration MAX_RATE_WAIT = Duration.ofSeconds(1);

    private final ParleyProperties.Dispatch settings;
    private final String name;
    private final String from;
    private final CallingWindow window;
    private final DispatchLedger ledger;
    private final Carriers carriers;
    private final RuntimeHandoff handoff;
    private final RedisBuckets buckets;
    private final Clock clock;
    private final BucketConfiguration dialRate;
    private final Semaphore inFlight;
    private final Counter dialed;
    private final Counter deferred;
    private final Counter refused;
    private final Counter unknown;
    private final Counter tooLate;
    private final Counter reconciledFound;
    private final Counter reconciledAbandoned;
    private final Timer lateness;

    private volatile boolean running;
    private volatile Thread loop;
    private volatile ExecutorService dials;
    private Instant nextReconcile = Instant.MIN;

    public CallDispatcher(ParleyProperties.Dispatch settings, String name, String from, CallingWindow window, DispatchLedger ledger,
                          Telephony telephony, RuntimeHandoff handoff, RedisBuckets buckets, Clock clock, MeterRegistry meters) {
        this(settings, name, Carriers.only(telephony, from), window, ledger, handoff, buckets, clock, meters);
    }

    public CallDispatcher(ParleyProperties.Dispatch settings, String name, Carriers carriers, CallingWindow window, DispatchLedger ledger,
                          RuntimeHandoff handoff, RedisBuckets buckets, Clock clock, MeterRegistry meters) {
        if (settings.reconcileAfter().compareTo(settings.dialDeadline().multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("parley.dispatch.reconcile-after must be at least twice dial-deadline");
        }
        this.settings = settings;
        this.name = name;
        this.from = carriers.limitedNumber();
        this.carriers = carriers;
        this.window = window;
        this.ledger = ledger;
        this.handoff = handoff;
        this.buckets = buckets;
        this.clock = clock;
        this.inFlight = new Semaphore(settings.parallelism());
        double perSecond = settings.callsPerSecondPerNumber();
        long capacity = Math.max(1, (long) Math.ceil(perSecond));
        this.dialRate = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofNanos((long) (capacity * 1e9 / perSecond))).build())
                .build();
        this.dialed = counter(meters, "dialed", "Attempts the carrier took");
        this.deferred = counter(meters, "deferred", "Due calls put back because their tenant was at its limit");
        this.refused = counter(meters, "refused", "Dials the carrier refused");
        this.unknown = counter(meters, "unknown", "Dials whose outcome was not known (left to the reconciler)");
        this.tooLate = counter(meters, "too_late", "Attempts not dialled because the dial deadline had passed");
        this.reconciledFound = counter(meters, "reconciled.found", "Unconfirmed attempts the carrier had placed");
        this.reconciledAbandoned = counter(meters, "reconciled.abandoned", "Unconfirmed attempts the carrier never saw, made due again");
        this.lateness = Timer.builder("parley.dispatch.lateness").description("From a call's due time to its dial")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    private static Counter counter(MeterRegistry meters, String name, String description) {
        return Counter.builder("parley.dispatch." + name).description(description).register(meters);
    }

    public String name() {
        return name;
    }

    @Override
    public void start() {
        running = true;
        dials = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dial-" + name + "-", 0).factory());
        loop = Thread.ofPlatform().name("dispatcher-" + name).daemon().start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ExecutorService d = dials;
        if (d != null) {
            d.shutdown();
            try {
                d.awaitTermination(settings.dialDeadline().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            d.shutdownNow();   // a dial still hanging is past its deadline's use: the reconciler resolves it
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the web server and the event consumer: dispatch starts last and stops first. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 100;
    }

    private void run() {
        Duration backoff = settings.poll();
        while (running) {
            try {
                if (!clock.instant().isBefore(nextReconcile)) {
                    reconcile();
                    nextReconcile = clock.instant().plus(settings.reconcileEvery());
                }
                inFlight.acquire();
                int free = 1 + inFlight.drainPermits();
                List<Claim> claims = ledger.claim(name, Math.min(free, settings.batchSize()), settings.lease(), clock.instant());
                inFlight.release(free - claims.size());
                awaitDialSlots(claims.size());
                for (Claim claim : claims) {
                    dials.execute(() -> {
                        try {
                            dispatch(claim);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
                backoff = settings.poll();
                if (claims.size() < Math.min(free, settings.batchSize())) {
                    Thread.sleep(settings.poll());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("Dispatcher {}: {}; retrying in {}", name, e.toString(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
            }
        }
    }

    /** One claimed call: begin the attempt, then dial it. */
    void dispatch(Claim claim) {
        try {
            DispatchLedger.Result result = ledger.begin(claim, name, carriers::route, settings.maxActiveCallsPerTenant(),
                    settings.deferBy(), window, clock.instant());
            if (result.begun() == null) {
                if (result.notBegun() == DispatchLedger.NotBegun.DEFERRED) {
                    deferred.increment();
                }
                return;
            }
            dial(result.begun());
        } catch (RuntimeException e) {
            // the claim expires and the call is claimed again; a committed attempt is reconciled
            log.warn("Dispatcher {}: call {} not dispatched: {}", name, claim.callId(), e.toString());
        }
    }

    private void dial(Begun begun) {
        Instant now = clock.instant();
        if (now.isAfter(begun.at().plus(settings.dialDeadline()))) {
            tooLate.increment();
            log.warn("Dispatcher {}: attempt {} not dialled, {} after it was recorded; the reconciler resolves it",
                    name, begun.attemptId(), Duration.between(begun.at(), now));
            return;
        }
        String streamToken;
        try {
            streamToken = handoff.prepare(begun).orElse(null);
        } catch (RuntimeException e) {
            unknown.increment();
            log.warn("Dispatcher {}: attempt {} could not be handed to the voice runtime ({}); not dialled, the reconciler requeues it",
                    name, begun.attemptId(), e.toString());
            return;
        }
        Telephony telephony = carriers.named(begun.carrier());
        Telephony.Placed placed;
        try {
            placed = telephony.dial(new Telephony.Dial(begun.attemptId(), begun.callId(), begun.tenant(), begun.mode(), begun.from(),
                    begun.to(), now, streamToken, begun.snapshot() == null ? null : begun.snapshot().voicemailMessage(),
                    begun.snapshot() != null && begun.snapshot().record()));
        } catch (Telephony.Refused e) {
            refused.increment();
            ledger.refused(begun.tenant(), begun.attemptId(), e.getMessage(), clock.instant());
            return;
        } catch (RuntimeException e) {
            unknown.increment();
            log.warn("Dispatcher {}: the carrier's answer to attempt {} is unknown ({}); the reconciler resolves it",
                    name, begun.attemptId(), e.toString());
            return;
        }
        dialed.increment();
        lateness.record(Duration.between(begun.scheduledAt(), now).isNegative() ? Duration.ZERO : Duration.between(begun.scheduledAt(), now));
        if (!ledger.placed(begun.tenant(), begun.attemptId(), placed.providerCallId(), clock.instant())) {
            log.warn("Dispatcher {}: attempt {} was resolved while it was dialled; hanging up {}", name, begun.attemptId(), placed.providerCallId());
            telephony.hangUp(placed.providerCallId());
        }
    }

    /**
     * Waits until the caller number may place {@code n} more calls, taking the slots from the bucket all
     * instances share in one go (one compare-and-swap per batch, not per call: a per-call bucket round trip
     * by every dialling thread makes the shared key the bottleneck). Lets the dials through if Redis cannot answer.
     */
    private void awaitDialSlots(int n) throws InterruptedException {
        long wanted = n;
        while (wanted > 0 && running) {
            long got;
            try {
                got = buckets.buckets().builder().build("parley:dial-rate:" + from, () -> dialRate).tryConsumeAsMuchAsPossible(wanted);
            } catch (RuntimeException e) {
                log.warn("Dial rate limiter unavailable, dialling: {}", e.toString());
                return;
            }
            wanted -= got;
            if (wanted > 0) {
                Thread.sleep(Math.max(1, Math.min(MAX_RATE_WAIT.toMillis(), (long) (1000 / settings.callsPerSecondPerNumber()))));
            }
        }
    }

    /** Resolves attempts some dispatcher recorded but never confirmed. Returns how many it resolved. */
    int reconcile() {
        int resolved = 0;
        for (DispatchLedger.Unconfirmed u : ledger.unconfirmed(clock.instant().minus(settings.reconcileAfter()), 500)) {
            try {
                Optional<DispatchLedger.AttemptView> view = ledger.view(u);
                if (view.isEmpty() || !view.get().unconfirmed()) {
                    continue;
                }
                Optional<Telephony.Placed> found = carriers.named(view.get().carrier()).find(u.attemptId(), view.get().to(), view.get().createdAt());
                if (found.isPresent()) {
                    if (ledger.placed(u.tenant(), u.attemptId(), found.get().providerCallId(), clock.instant())) {
                        reconciledFound.increment();
                        resolved++;
                    }
                } else if (ledger.abandon(u, name, clock.instant())) {
                    reconciledAbandoned.increment();
                    resolved++;
                }
            } catch (RuntimeException e) {
                log.warn("Dispatcher {}: attempt {} not reconciled: {}", name, u.attemptId(), e.toString());
            }
        }
        return resolved;
    }
}
