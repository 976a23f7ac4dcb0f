package io.parley.platform.calls.runtime;

import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import io.lettuce.core.models.stream.PendingMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.platform.config.ParleyProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.transaction.CannotCreateTransactionException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes the voice runtime's event stream ({@code parley:call-events}) into the calls' event logs,
 * at least once, each event applied once by its id.
 *
 * <p>Every platform-api instance is one consumer of one group, so each new event goes to one instance.
 * An event is acknowledged only after its transaction committed (or after it was dead-lettered), so an
 * instance that dies leaves its events pending, and another takes them over once they have been idle
 * for {@code claim-idle} ({@code XAUTOCLAIM}); at start an instance first finishes its own pending ones.
 * What happens to an event:
 * <ul>
 *   <li>applied, or found already applied (a redelivery): acknowledged;</li>
 *   <li>malformed, or naming a call its tenant does not have (another tenant's call included): moved to
 *       the dead-letter stream with the reason, at once, since no retry can mend it;</li>
 *   <li>the database unreachable: retried in place with backoff, holding back the events behind it, for
 *       as long as the outage lasts; nothing is lost or dead-lettered for an outage;</li>
 *   <li>any other failure: left unacknowledged, so it is delivered again after {@code claim-idle}; after
 *       {@code max-deliveries} deliveries (an event that crashed or hung instances counts too) it is
 *       dead-lettered.</li>
 * </ul>
 * Dead letters keep the event's fields and add {@code error}, {@code sourceId}, {@code consumer} and
 * {@code deadAt}: to replay one, append its fields to the stream again.
 */
public final class RuntimeEventConsumer implements SmartLifecycle {

    /** Where events are written; {@link RuntimeEventWriter#write} in the application. */
    @FunctionalInterface
    public interface Sink {
        RuntimeEventWriter.Outcome write(RuntimeEvent event) throws RuntimeEventWriter.UnknownCall;
    }

    private static final Logger log = LoggerFactory.getLogger(RuntimeEventConsumer.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration LAST_BACKOFF = Duration.ofSeconds(30);
    static final long DEAD_LETTERS_KEPT = 100_000;

    private final ParleyProperties.CallEvents settings;
    private final LettuceConnectionFactory redisFactory;
    private final Sink sink;
    private final JsonMapper json;
    private final Clock clock;
    private final String name;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter deadLettered;
    private final Counter databaseFailures;
    private final Counter redisFailures;
    private final Counter unexpectedFailures;
    private final Timer lag;

    private volatile boolean running;
    private volatile Thread worker;
    private volatile StatefulRedisConnection<String, String> connection;
    private boolean groupReady;
    private boolean ownPendingDone;
    private String ownPendingCursor = "0-0";
    private String claimCursor = "0-0";
    private long nextClaimNanos;

    public RuntimeEventConsumer(ParleyProperties.CallEvents settings, LettuceConnectionFactory redisFactory, Sink sink, JsonMapper json,
                                Clock clock, MeterRegistry meters) {
        this.settings = settings;
        this.redisFactory = redisFactory;
        this.sink = sink;
        this.json = json;
        this.clock = clock;
        this.name = consumerName(settings.consumer());
        Counter.Builder consumed = Counter.builder("parley.call_events.consumed").description("Voice runtime events taken off the stream, by outcome")
                .tag("stream", settings.stream());
        this.applied = consumed.tag("outcome", "applied").register(meters);
        this.duplicates = consumed.tag("outcome", "duplicate").register(meters);
        this.deadLettered = consumed.tag("outcome", "dead_lettered").register(meters);
        Counter.Builder failures = Counter.builder("parley.call_events.failures").description("Failures while consuming voice runtime events, by cause")
                .tag("stream", settings.stream());
        this.databaseFailures = failures.tag("cause", "database").register(meters);
        this.redisFailures = failures.tag("cause", "redis").register(meters);
        this.unexpectedFailures = failures.tag("cause", "unexpected").register(meters);
        this.lag = Timer.builder("parley.call_events.lag").description("From an event happening in a call to it being written to the call's log")
                .tag("stream", settings.stream()).register(meters);
    }

    /** This consumer's name in the group. */
    public String name() {
        return name;
    }

    @Override
    public synchronized void start() {
        if (running) return;
        running = true;
        worker = Thread.ofVirtual().name("call-events-" + name).start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = worker;
        if (thread != null) {
            try {
                // a read waits at most `block`; an event being written finishes its transaction
                thread.join(settings.block().plusSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        StatefulRedisConnection<String, String> open = connection;
        connection = null; // a stopped consumer may be started again (Spring pauses idle contexts)
        if (open != null) open.close();
    }

    @Override
    public void stop(Runnable callback) {
        Thread.ofVirtual().name("call-events-stop").start(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        });
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after Redis's connection factory and stops before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        while (running) {
            try {
                RedisCommands<String, String> redis = commands();
                if (!groupReady) {
                    createGroup(redis);
                }
                if (!ownPendingDone) {
                    // what this consumer read before it last stopped and never acknowledged
                    List<StreamMessage<String, String>> mine = redis.xreadgroup(consumer(), XReadArgs.Builder.count(settings.batchSize()),
                            StreamOffset.from(settings.stream(), ownPendingCursor));
                    if (mine.isEmpty()) {
                        ownPendingDone = true;
                    } else {
                        handle(redis, mine, deliveries(redis, mine));
                        ownPendingCursor = mine.getLast().getId();
                    }
                    continue;
                }
                if (System.nanoTime() - nextClaimNanos >= 0) {
                    claim(redis);
                }
                List<StreamMessage<String, String>> fresh = redis.xreadgroup(consumer(),
                        XReadArgs.Builder.count(settings.batchSize()).block(settings.block()), StreamOffset.lastConsumed(settings.stream()));
                handle(redis, fresh, null);
                backoff = FIRST_BACKOFF;
            } catch (RedisCommandExecutionException e) {
                if (String.valueOf(e.getMessage()).startsWith("NOGROUP")) {
                    groupReady = false; // the stream or the group was deleted: make them again
                }
                backoff = failed(e, backoff);
            } catch (RuntimeException e) {
                // Redis unreachable or closed under us, or its connection factory not (yet) started
                backoff = failed(e, backoff);
            }
        }
    }

    private Duration failed(RuntimeException e, Duration backoff) {
        if (!running) return backoff;
        StatefulRedisConnection<String, String> open = connection;
        if (open != null && !open.isOpen()) {
            connection = null; // closed for good (Lettuce reconnects an open one by itself): make a new one
            open.close();
        }
        redisFailures.increment();
        log.warn("Reading the call events stream {} failed, retrying in {} ms: {}", settings.stream(), backoff.toMillis(), e.toString());
        pause(backoff);
        return min(backoff.multipliedBy(2), LAST_BACKOFF);
    }

    private RedisCommands<String, String> commands() {
        StatefulRedisConnection<String, String> open = connection;
        if (open == null) {
            // a connection of its own: a blocking read must not hold up the application's other Redis commands
            open = ((RedisClient) redisFactory.getRequiredNativeClient()).connect();
            open.setTimeout(settings.block().plusSeconds(10));
            connection = open;
        }
        return open.sync();
    }

    private void createGroup(RedisCommands<String, String> redis) {
        try {
            // from the stream's beginning: events appended before the first platform-api started are applied too
            redis.xgroupCreate(StreamOffset.from(settings.stream(), "0-0"), settings.group(), XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // the group exists: another instance, or an earlier start, made it
        }
        groupReady = true;
    }

    /** Takes over one page of events that other (dead or stuck) consumers left unacknowledged for claim-idle. */
    private void claim(RedisCommands<String, String> redis) {
        ClaimedMessages<String, String> claimed = redis.xautoclaim(settings.stream(), new XAutoClaimArgs<String>()
                .consumer(consumer()).minIdleTime(settings.claimIdle()).startId(claimCursor).count(settings.batchSize()));
        claimCursor = claimed.getId();
        boolean more = !"0-0".equals(claimCursor);
        // a full pass over the pending entries at most every claim-idle / 4; the next page at once
        nextClaimNanos = System.nanoTime() + (more ? 0 : settings.claimIdle().toNanos() / 4);
        if (!claimed.getMessages().isEmpty()) {
            handle(redis, claimed.getMessages(), deliveries(redis, claimed.getMessages()));
        }
    }

    /** How often each of {@code messages} has been delivered, this delivery included. */
    private Map<String, Long> deliveries(RedisCommands<String, String> redis, List<StreamMessage<String, String>> messages) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (StreamMessage<String, String> message : messages) {
            List<PendingMessage> pending = redis.xpending(settings.stream(), settings.group(),
                    Range.create(message.getId(), message.getId()), Limit.from(1));
            counts.put(message.getId(), pending.isEmpty() ? 1 : pending.getFirst().getRedeliveryCount());
        }
        return counts;
    }

    /**
     * Applies or dead-letters each message, then acknowledges those done. Stops early, leaving the rest
     * pending, when the consumer stops.
     */
    private void handle(RedisCommands<String, String> redis, List<StreamMessage<String, String>> messages, Map<String, Long> deliveries) {
        List<String> done = new ArrayList<>(messages.size());
        try {
            for (StreamMessage<String, String> message : messages) {
                if (!running) break;
                if (message.getBody() == null || message.getBody().isEmpty()) {
                    done.add(message.getId()); // trimmed off the stream while pending: nothing left to apply
                    continue;
                }
                long delivered = deliveries == null ? 1 : deliveries.getOrDefault(message.getId(), 1L);
                if (delivered > settings.maxDeliveries()) {
                    deadLetter(redis, message, "not applied after " + (delivered - 1) + " deliveries");
                    done.add(message.getId());
                } else if (resolve(redis, message)) {
                    done.add(message.getId());
                }
            }
        } finally {
            if (!done.isEmpty()) {
                redis.xack(settings.stream(), settings.group(), done.toArray(String[]::new));
            }
        }
    }

    /** True when the event is applied, found applied, or dead-lettered; false to leave it pending. */
    private boolean resolve(RedisCommands<String, String> redis, StreamMessage<String, String> message) {
        RuntimeEvent event;
        try {
            event = RuntimeEvent.parse(message.getBody(), json);
        } catch (RuntimeEvent.Invalid e) {
            deadLetter(redis, message, e.getMessage());
            return true;
        }
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            try {
                RuntimeEventWriter.Outcome outcome = sink.write(event);
                (outcome == RuntimeEventWriter.Outcome.APPLIED ? applied : duplicates).increment();
                lag.record(Duration.between(event.at(), clock.instant()).abs());
                return true;
            } catch (RuntimeEventWriter.UnknownCall e) {
                deadLetter(redis, message, e.getMessage());
                return true;
            } catch (TransientDataAccessException | RecoverableDataAccessException | DataAccessResourceFailureException
                     | CannotCreateTransactionException e) {
                databaseFailures.increment();
                if (!running) return false;
                log.warn("Writing call event {} failed, retrying in {} ms: {}", event.id(), backoff.toMillis(), e.toString());
                pause(backoff);
                backoff = min(backoff.multipliedBy(2), LAST_BACKOFF);
            } catch (RuntimeException e) {
                unexpectedFailures.increment();
                log.error("Writing call event {} ({}) failed; it is delivered again after {}", event.id(), message.getId(), settings.claimIdle(), e);
                return false;
            }
        }
    }

    private void deadLetter(RedisCommands<String, String> redis, StreamMessage<String, String> message, String error) {
        Map<String, String> fields = new LinkedHashMap<>(message.getBody());
        fields.put("error", error);
        fields.put("sourceId", message.getId());
        fields.put("consumer", name);
        fields.put("deadAt", clock.instant().toString());
        redis.xadd(settings.deadLetterStream(), XAddArgs.Builder.maxlen(DEAD_LETTERS_KEPT).approximateTrimming(), fields);
        deadLettered.increment();
        log.warn("Call event {} from {} dead-lettered to {}: {}", message.getId(), settings.stream(), settings.deadLetterStream(), error);
    }

    private Consumer<String> consumer() {
        return Consumer.from(settings.group(), name);
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String consumerName(String configured) {
        if (configured != null && !configured.isBlank()) return configured;
        return "platform-api-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
