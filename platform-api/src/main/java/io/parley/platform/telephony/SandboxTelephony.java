package io.parley.platform.telephony;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The test-mode carrier: places nothing on a real network. Its callee is chosen by the number dialled,
 * like Stripe's test cards ({@link Callee}); any number it does not list answers and talks. What it placed lives in Redis (under
 * {@code keyPrefix}), so every platform-api instance sees the same carrier, as with a real one: an
 * instance can reconcile another's attempt.
 *
 * <p>With a voice runtime ({@code streamUrl}) and a call token on the dial, the answering callee joins the
 * runtime through the Media Streams protocol and talks with the persona ({@link SandboxCallee}).
 *
 * <p>Like a real carrier asked twice about the same attempt (a retried request), it places one call per
 * attempt id and answers the same call id again. It counts the calls it placed per Parley call, which is
 * what "dialled exactly once" is measured by.
 */
public final class SandboxTelephony implements Telephony, AutoCloseable {

    /** What the sandbox's callee at a number does. */
    public enum Callee {
        /** +14155550100 (and any number not listed here): rings, answers, talks for {@code talk}, hangs up: completed. */
        ANSWERS("+14155550100"),
        /** +14155550101: busy. */
        BUSY("+14155550101"),
        /** +14155550102: rings until the carrier gives up: no_answer. */
        NO_ANSWER("+14155550102"),
        /** +14155550103: an answering machine picks up: voicemail. */
        VOICEMAIL("+14155550103"),
        /** +14155550104: the network fails the call after it was placed: failed. */
        FAILS("+14155550104"),
        /** +14155550105: the carrier refuses the dial itself; nothing is placed. */
        REFUSED("+14155550105");

        public final String number;

        Callee(String number) {
            this.number = number;
        }

        public static Callee at(String number) {
            for (Callee c : values()) {
                if (c.number.equals(number)) {
                    return c;
                }
            }
            return ANSWERS;
        }
    }

    /** Sandbox numbers whose dial the carrier refuses outright (as a real one refuses an unreachable number). */
    public static final String REFUSED_NUMBER = Callee.REFUSED.number;

    private static final Duration KEPT = Duration.ofDays(7);

    private final StringRedisTemplate redis;
    private final String keyPrefix;
    private final CarrierEvents events;
    private final Duration ring;
    private final Duration talk;
    private final Clock clock;
    private final java.net.URI streamUrl;
    private volatile CarrierRecordings recordings;
    private final ScheduledExecutorService callees = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("sandbox-callees").daemon().factory());

    /**
     * @param events where the callee's progress is reported (ringing, answered, the outcome), as a real
     *               carrier's status callbacks would; none: placed calls stay where they are
     * @param ring   how long a callee rings (before answering, or giving up for no_answer)
     * @param talk   how long an answering callee stays on the line
     */
    public SandboxTelephony(StringRedisTemplate redis, String keyPrefix, CarrierEvents events, Duration ring, Duration talk, Clock clock) {
        this(redis, keyPrefix, events, ring, talk, clock, null);
    }

    /**
     * @param streamUrl where an answered call that carries a call token is connected (the voice runtime's Media
     *                  Streams WebSocket); null: the answering callee stays silent for {@code talk}
     */
    public SandboxTelephony(StringRedisTemplate redis, String keyPrefix, CarrierEvents events, Duration ring, Duration talk, Clock clock,
                            java.net.URI streamUrl) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
        this.events = events;
        this.ring = ring;
        this.talk = talk;
        this.clock = clock;
        this.streamUrl = streamUrl;
    }

    /** A sandbox whose placed calls never progress (tests of dialling alone). */
    public SandboxTelephony(StringRedisTemplate redis, String keyPrefix) {
        this(redis, keyPrefix, null, Duration.ZERO, Duration.ZERO, Clock.systemUTC());
    }

    @Override
    public String carrier() {
        return "sandbox";
    }

    @Override
    public Placed dial(Dial dial) throws Refused {
        if (Callee.at(dial.to()) == Callee.REFUSED) {
            throw new Refused("the sandbox refuses every call to " + REFUSED_NUMBER);
        }
        String id = "SB" + HexFormat.of().formatHex(randomBytes());
        Boolean placed = redis.opsForValue().setIfAbsent(attemptKey(dial.attemptId()), id, KEPT);
        if (Boolean.TRUE.equals(placed)) {
            redis.opsForHash().increment(placementsKey(), dial.callId().toString(), 1);
            redis.expire(placementsKey(), KEPT);
            if (Callee.at(dial.to()) == Callee.ANSWERS && streamUrl != null && dial.streamToken() != null && events != null) {
                converse(id, dial.streamToken(), dial.record());
            } else {
                play(Callee.at(dial.to()), id);
            }
            return new Placed(id);
        }
        String existing = redis.opsForValue().get(attemptKey(dial.attemptId()));
        return new Placed(existing != null ? existing : id);
    }

    @Override
    public Optional<Placed> find(UUID attemptId, String to, Instant requestedAt) {
        return Optional.ofNullable(redis.opsForValue().get(attemptKey(attemptId))).map(Placed::new);
    }

    @Override
    public void hangUp(String providerCallId) {
        redis.opsForValue().set(keyPrefix + "hung-up:" + providerCallId, "1", KEPT);
    }

    /**
     * Puts the call through to {@code to}, as Twilio's redirect does: the simulated callee's stream to the voice runtime
     * stops (within a second, on whichever instance runs it) and the call completes, "transferred to {@code to}".
     */
    @Override
    public void transfer(String providerCallId, String to) {
        redis.opsForValue().set(transferKey(providerCallId), to, KEPT);
    }

    /** The number the sandbox call was put through to, if it was. */
    public Optional<String> transferredTo(String providerCallId) {
        return Optional.ofNullable(redis.opsForValue().get(transferKey(providerCallId)));
    }

    private String transferKey(String providerCallId) {
        return keyPrefix + "transferred:" + providerCallId;
    }

    /** The callee's script, reported as a carrier reports: ringing, then answered, then the outcome. */
    private void play(Callee callee, String id) {
        if (events == null) {
            return;
        }
        List<String[]> script = switch (callee) {
            case ANSWERS -> List.of(new String[] {"ringing", null}, new String[] {"in_progress", "human"}, new String[] {"completed", null});
            case BUSY -> List.<String[]>of(new String[] {"busy", null});
            case NO_ANSWER -> List.of(new String[] {"ringing", null}, new String[] {"no_answer", null});
            case VOICEMAIL -> List.of(new String[] {"ringing", null}, new String[] {"in_progress", "machine"}, new String[] {"voicemail", "machine"});
            case FAILS -> List.of(new String[] {"ringing", null}, new String[] {"failed", null});
            case REFUSED -> List.of();
        };
        long at = 0;
        for (String[] step : script) {
            at += switch (step[0]) {
                case "ringing" -> 50;
                case "in_progress", "no_answer", "failed" -> ring.toMillis();
                case "completed" -> talk.toMillis();
                default -> 50;
            };
            String reason = switch (step[0]) {
                case "busy" -> "the sandbox callee " + callee.number + " is busy";
                case "no_answer" -> "the sandbox callee " + callee.number + " did not answer";
                case "voicemail" -> "an answering machine picked up";
                case "failed" -> "the sandbox network failed the call to " + callee.number;
                default -> null;
            };
            report(new CarrierEvents.Report(carrier(), id, step[0], null, step[1], reason), at, 0);
        }
    }

    /**
     * The answering callee with a voice: rings, answers, and joins the voice runtime over Media Streams
     * ({@link SandboxCallee}); when the call ends there it hangs up (completed), or the call failed when the runtime
     * could not be reached.
     */
    private void converse(String id, String token, boolean record) {
        report(new CarrierEvents.Report(carrier(), id, "ringing", null, null, null), 50, 0);
        callees.schedule(() -> {
            report(new CarrierEvents.Report(carrier(), id, "in_progress", null, "human", null), 0, 0);
            talk(id, token, record, null);
        }, 50 + ring.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The callee (or caller) talks with the runtime until the call ends there; then the outcome, then the recording. */
    private void talk(String id, String token, boolean record, List<String> lines) {
        CallRecorder recorder = record && recordings != null ? new CallRecorder(talk.plusSeconds(5)) : null;
        SandboxCallee.join(streamUrl, id, token, talk, recorder, lines, () -> transferredTo(id).orElse(null)).whenComplete((why, failure) -> {
            boolean transferred = failure == null && why.startsWith(SandboxCallee.TRANSFERRED);
            boolean talked = failure == null && ("runtime_ended".equals(why) || "talk_limit".equals(why) || transferred);
            report(new CarrierEvents.Report(carrier(), id, talked ? "completed" : "failed", null, null,
                    transferred ? why : talked ? null : failure != null ? failure.toString() : why), 0, 0);
            if (recorder != null && talked) {
                callees.schedule(() -> {
                    try {
                        recordings.recorded(carrier(), id, recorder.wav(), recorder.duration());
                    } catch (RuntimeException e) {
                        LoggerFactory.getLogger(SandboxTelephony.class).warn("Sandbox recording of {} not kept: {}", id, e.toString());
                    }
                }, 200, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Where answered calls that record leave their recordings (none: nothing is recorded). */
    public void recordInto(CarrierRecordings recordings) {
        this.recordings = recordings;
    }

    /**
     * A simulated caller's call to one of the tenants' sandbox numbers, already recorded in progress as {@code id}:
     * the caller joins the voice runtime with {@code token} and talks until the persona ends the call (completed);
     * without a runtime to join (no token) the call completes at once. The caller says {@code lines}, one each time the
     * persona falls silent (null: the sandbox's default lines).
     */
    public void callIn(String id, String token, boolean record, List<String> lines) {
        if (events == null) {
            return;
        }
        if (streamUrl == null || token == null) {
            report(new CarrierEvents.Report(carrier(), id, "completed", null, null, "no voice runtime answered"), 50, 0);
            return;
        }
        callees.execute(() -> talk(id, token, record, lines));
    }

    /** Reports a step; a report that outran the dial's answer (the attempt not yet known by this id) is sent again, as carriers retry. */
    private void report(CarrierEvents.Report report, long delayMillis, int tries) {
        callees.schedule(() -> {
            try {
                CarrierEvents.Report now = new CarrierEvents.Report(report.carrier(), report.providerCallId(), report.status(), clock.instant(),
                        report.answeredBy(), report.reason());
                if (!events.progress(now) && tries < 50) {
                    report(report, 100, tries + 1);
                }
            } catch (RuntimeException e) {
                if (tries < 50) {
                    report(report, 100, tries + 1);
                } else {
                    LoggerFactory.getLogger(SandboxTelephony.class).warn("Sandbox report {} of {} not applied: {}", report.status(),
                            report.providerCallId(), e.toString());
                }
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops the simulated callees. */
    @Override
    public void close() {
        callees.shutdownNow();
    }

    /** How many calls this carrier placed for each Parley call (for tests and the dispatch benchmark). */
    public Map<UUID, Long> placements() {
        Map<UUID, Long> placements = new HashMap<>();
        redis.opsForHash().entries(placementsKey()).forEach((call, count) ->
                placements.put(UUID.fromString((String) call), Long.parseLong((String) count)));
        return placements;
    }

    private String attemptKey(UUID attemptId) {
        return keyPrefix + "attempt:" + attemptId;
    }

    private String placementsKey() {
        return keyPrefix + "placements";
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
