package io.parley.platform.calls.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.transaction.CannotCreateTransactionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The voice runtime's events consumed into the calls' logs, on the real PostgreSQL and Redis. Each test
 * uses streams of its own; the application's own consumer reads {@link TestServices#CALL_EVENTS_STREAM}.
 */
class RuntimeEventConsumerIntegrationTests extends IntegrationTest {

    @Autowired LettuceConnectionFactory redisFactory;
    @Autowired RuntimeEventWriter writer;
    @Autowired JsonMapper json;
    @Autowired ParleyProperties properties;

    StatefulRedisConnection<String, String> connection;
    RedisCommands<String, String> redis;
    String stream;
    final List<RuntimeEventConsumer> started = new ArrayList<>();

    @BeforeEach
    void connect() {
        connection = ((RedisClient) redisFactory.getRequiredNativeClient()).connect();
        redis = connection.sync();
        stream = "parley:call-events:test:" + UUID.randomUUID();
    }

    @AfterEach
    void close() {
        started.forEach(RuntimeEventConsumer::stop);
        redis.del(stream, stream + ":dead");
        connection.close();
    }

    record Target(TestTenant tenant, UUID callId) {}

    Target newCall() {
        TestTenant tenant = newTenant();
        String persona = createPersona(tenant, "Santa").get("id").asString();
        return new Target(tenant, UUID.fromString(createCall(tenant, persona).get("id").asString()));
    }

    static Map<String, String> event(UUID id, UUID tenant, UUID call, String type, Instant at, String data) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("v", "1");
        fields.put("id", id.toString());
        fields.put("type", type);
        fields.put("tenantId", tenant.toString());
        fields.put("callId", call.toString());
        fields.put("at", at.toString());
        fields.put("data", data);
        return fields;
    }

    /** An event as the runtime writes it: its id is time-ordered (UUIDv7), so the call's log lists it in order. */
    static Map<String, String> event(Target target, String type, String data) {
        return event(Ids.next(), target.tenant().id(), target.callId(), type, Instant.now().truncatedTo(ChronoUnit.MILLIS), data);
    }

    String publish(Map<String, String> fields) {
        return redis.xadd(stream, fields);
    }

    RuntimeEventConsumer consumer(String name, Duration claimIdle, int maxDeliveries, RuntimeEventConsumer.Sink sink, SimpleMeterRegistry meters) {
        var settings = new ParleyProperties.CallEvents(true, stream, stream + ":dead", "platform-api", name, 50, Duration.ofMillis(200),
                claimIdle, maxDeliveries);
        RuntimeEventConsumer consumer = new RuntimeEventConsumer(settings, redisFactory, sink, json, Clock.systemUTC(), meters);
        consumer.start();
        started.add(consumer);
        return consumer;
    }

    RuntimeEventConsumer consumer(SimpleMeterRegistry meters) {
        return consumer("c-" + UUID.randomUUID(), Duration.ofMinutes(1), 5, writer::write, meters);
    }

    static double count(SimpleMeterRegistry meters, String name, String tag, String value) {
        var counter = meters.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    static double consumed(SimpleMeterRegistry meters, String outcome) {
        return count(meters, "parley.call_events.consumed", "outcome", outcome);
    }

    long pending() {
        return redis.xpending(stream, "platform-api").getCount();
    }

    static long rows(String sql, Object... args) {
        try (var c = TestServices.ownerConnection(); var s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) s.setObject(i + 1, args[i]);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static long eventRows(UUID id) {
        return rows("select count(*) from call_events where id = ?", id);
    }

    List<Map<String, String>> deadLetters() {
        return redis.xrange(stream + ":dead", io.lettuce.core.Range.create("-", "+")).stream().map(m -> m.getBody()).toList();
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void theRuntimesEventsJoinTheCallsLogAndAreListedByTheApi() {
        Target target = newCall();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        var started = event(target, "call.started", "{\"instance\":\"runtime-1\",\"persona\":\"p\"}");
        var turn = event(target, "call.turn", "{\"speaker\":\"caller\",\"text\":\"A red bicycle please\",\"interrupted\":false}");
        var ended = event(Ids.next(), target.tenant().id(), target.callId(), "call.ended", at, "{\"reason\":\"completed\"}");
        // the application's own consumer reads the stream the runtime writes to (parley.call-events.stream)
        for (var fields : List.of(started, turn, ended)) {
            redis.xadd(properties.callEvents().stream(), fields);
        }

        String path = "/v1/calls/" + target.callId() + "/events";
        await("the runtime's events listed", () -> target.tenant().api().get(path).json().get("data").size() == 4);
        JsonNode events = target.tenant().api().get(path).json().get("data");
        assertThat(events.get(0).get("type").asString()).isEqualTo("call.created");
        assertThat(events.get(0).has("data")).as("Parley's own events carry no data").isFalse();
        assertThat(events.get(1).get("type").asString()).isEqualTo("call.started");
        assertThat(events.get(1).get("actor").asString()).isEqualTo("runtime");
        assertThat(events.get(1).get("data").get("instance").asString()).isEqualTo("runtime-1");
        assertThat(events.get(2).get("data").get("text").asString()).isEqualTo("A red bicycle please");
        assertThat(events.get(3).get("id").asString()).isEqualTo(ended.get("id"));
        assertThat(events.get(3).get("reason").asString()).isEqualTo("completed");
        assertThat(Instant.parse(events.get(3).get("occurredAt").asString())).isEqualTo(at);

        JsonNode transcript = target.tenant().api().get(path + "?type=call.turn").json().get("data");
        assertThat(transcript).hasSize(1);
        assertThat(transcript.get(0).get("data").get("speaker").asString()).isEqualTo("caller");
        ApiClient.Response badType = target.tenant().api().get(path + "?type=DROP%20TABLE");
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.header("Content-Type")).startsWith("application/problem+json");
    }

    @Test
    void aRedeliveredEventIsWrittenOnce() {
        Target target = newCall();
        var fields = event(target, "call.turn", "{\"speaker\":\"bot\",\"text\":\"Ho ho ho!\"}");
        publish(fields);
        publish(fields); // the runtime retried its append, or a consumer applied it and died before acknowledging
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer(meters);

        await("both delivered", () -> consumed(meters, "applied") + consumed(meters, "duplicate") == 2);
        assertThat(consumed(meters, "applied")).isEqualTo(1);
        assertThat(consumed(meters, "duplicate")).isEqualTo(1);
        assertThat(eventRows(UUID.fromString(fields.get("id")))).isEqualTo(1);
        await("acknowledged", () -> pending() == 0);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void anEventNamingAnotherTenantsCallIsDeadLetteredAndWritesNothing() {
        Target victim = newCall();
        Target other = newCall();
        var forged = event(UUID.randomUUID(), other.tenant().id(), victim.callId(), "call.turn", Instant.now(), "{\"text\":\"injected\"}");
        String sourceId = publish(forged);
        var unknownCall = event(UUID.randomUUID(), victim.tenant().id(), UUID.randomUUID(), "call.turn", Instant.now(), "{}");
        publish(unknownCall);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer(meters);

        await("dead-lettered", () -> deadLetters().size() == 2);
        Map<String, String> dead = deadLetters().getFirst();
        assertThat(dead).containsAllEntriesOf(forged).containsEntry("sourceId", sourceId).containsKeys("consumer", "deadAt");
        assertThat(dead.get("error")).contains("has no call " + victim.callId());
        assertThat(deadLetters().get(1).get("error")).contains("has no call " + unknownCall.get("callId"));
        assertThat(eventRows(UUID.fromString(forged.get("id")))).isZero();
        assertThat(rows("select count(*) from call_events where call_id = ?", victim.callId())).as("only call.created").isEqualTo(1);
        assertThat(consumed(meters, "dead_lettered")).isEqualTo(2);
        await("acknowledged", () -> pending() == 0);
    }

    @Test
    void malformedEventsAreDeadLetteredWithTheReasonAndTheirNeighboursApplied() {
        Target target = newCall();
        Map<String, String> good = event(target, "call.turn", "{\"text\":\"fine\"}");
        Map<String, Map<String, String>> bad = new LinkedHashMap<>();
        bad.put("unsupported format version: 2", with(event(target, "call.turn", "{}"), "v", "2"));
        bad.put("id is not a UUID: 42", with(event(target, "call.turn", "{}"), "id", "42"));
        bad.put("tenantId is missing", without(event(target, "call.turn", "{}"), "tenantId"));
        bad.put("type is not call.<name>: DROP TABLE", with(event(target, "call.turn", "{}"), "type", "DROP TABLE"));
        bad.put("at is not an ISO-8601 instant: yesterday", with(event(target, "call.turn", "{}"), "at", "yesterday"));
        bad.put("data is not JSON", event(target, "call.turn", "{\"text\":"));
        bad.put("data is not a JSON object", event(target, "call.turn", "[1,2]"));
        bad.put("data holds a NUL character", event(target, "call.turn", "{\"text\":\"a\\u0000b\"}"));
        bad.put("call.ended needs a reason", event(target, "call.ended", "{}"));
        bad.put("data is larger than", event(target, "call.turn", "{\"text\":\"" + "x".repeat(RuntimeEvent.MAX_DATA_CHARS) + "\"}"));
        bad.values().forEach(this::publish);
        publish(good);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer(meters);

        await("all resolved", () -> deadLetters().size() == bad.size() && consumed(meters, "applied") == 1);
        List<String> errors = deadLetters().stream().map(d -> d.get("error")).toList();
        List<String> expected = new ArrayList<>(bad.keySet());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(errors.get(i)).startsWith(expected.get(i));
        }
        assertThat(rows("select count(*) from call_events where call_id = ?", target.callId())).as("call.created and the good one").isEqualTo(2);
        assertThat(eventRows(UUID.fromString(good.get("id")))).isEqualTo(1);
        await("acknowledged", () -> pending() == 0);
    }

    @Test
    void eventsADeadConsumerLeftPendingAreTakenOverAfterClaimIdle() {
        Target target = newCall();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var fields = event(target, "call.turn", "{\"text\":\"turn " + i + "\"}");
            ids.add(UUID.fromString(fields.get("id")));
            publish(fields);
        }
        redis.xgroupCreate(StreamOffset.from(stream, "0-0"), "platform-api", XGroupCreateArgs.Builder.mkstream());
        // an instance reads them and dies before acknowledging
        assertThat(redis.xreadgroup(Consumer.from("platform-api", "crashed"), StreamOffset.lastConsumed(stream))).hasSize(3);

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer("survivor", Duration.ofMillis(300), 5, writer::write, meters);

        await("taken over", () -> consumed(meters, "applied") == 3);
        ids.forEach(id -> assertThat(eventRows(id)).isEqualTo(1));
        await("acknowledged", () -> pending() == 0);
    }

    @Test
    void aConsumerFinishesItsOwnPendingEventsWhenItStartsAgain() {
        Target target = newCall();
        var fields = event(target, "call.turn", "{\"text\":\"before the restart\"}");
        publish(fields);
        redis.xgroupCreate(StreamOffset.from(stream, "0-0"), "platform-api", XGroupCreateArgs.Builder.mkstream());
        assertThat(redis.xreadgroup(Consumer.from("platform-api", "pod-a"), StreamOffset.lastConsumed(stream))).hasSize(1);

        // the same pod back, long before anyone else would take the event over
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer("pod-a", Duration.ofHours(1), 5, writer::write, meters);

        await("applied", () -> consumed(meters, "applied") == 1);
        assertThat(eventRows(UUID.fromString(fields.get("id")))).isEqualTo(1);
        await("acknowledged", () -> pending() == 0);
    }

    @Test
    void aConsumerStoppedAndStartedAgainGoesOnConsuming() {
        // Spring pauses the contexts it caches for tests (and a deployment may stop and start lifecycles)
        Target target = newCall();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RuntimeEventConsumer consumer = consumer(meters);
        publish(event(target, "call.turn", "{\"text\":\"before\"}"));
        await("first applied", () -> consumed(meters, "applied") == 1);

        consumer.stop();
        assertThat(consumer.isRunning()).isFalse();
        publish(event(target, "call.turn", "{\"text\":\"while stopped\"}"));
        consumer.start();

        await("second applied", () -> consumed(meters, "applied") == 2);
        assertThat(count(meters, "parley.call_events.failures", "cause", "redis")).isZero();
    }

    @Test
    void anEventDeliveredMoreThanMaxDeliveriesIsDeadLettered() {
        Target target = newCall();
        var fields = event(target, "call.turn", "{\"text\":\"crashes every instance\"}");
        String id = publish(fields);
        redis.xgroupCreate(StreamOffset.from(stream, "0-0"), "platform-api", XGroupCreateArgs.Builder.mkstream());
        redis.xreadgroup(Consumer.from("platform-api", "first"), StreamOffset.lastConsumed(stream));
        redis.xclaim(stream, Consumer.from("platform-api", "second"), XClaimArgs.Builder.minIdleTime(0), id);
        redis.xclaim(stream, Consumer.from("platform-api", "third"), XClaimArgs.Builder.minIdleTime(0), id);

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer("fourth", Duration.ofMillis(100), 3, writer::write, meters);

        await("dead-lettered", () -> deadLetters().size() == 1);
        assertThat(deadLetters().getFirst().get("error")).isEqualTo("not applied after 3 deliveries");
        assertThat(eventRows(UUID.fromString(fields.get("id")))).isZero();
        await("acknowledged", () -> pending() == 0);
    }

    @Test
    void aDatabaseOutageIsRetriedInPlaceAndNothingIsDeadLettered() {
        Target target = newCall();
        var fields = event(target, "call.turn", "{\"text\":\"during the outage\"}");
        publish(fields);
        AtomicInteger attempts = new AtomicInteger();
        RuntimeEventConsumer.Sink flaky = event -> {
            if (attempts.incrementAndGet() <= 3) throw new CannotCreateTransactionException("connection refused");
            return writer.write(event);
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer("c", Duration.ofMinutes(1), 2, flaky, meters);

        await("applied", () -> consumed(meters, "applied") == 1);
        assertThat(count(meters, "parley.call_events.failures", "cause", "database")).isEqualTo(3);
        assertThat(deadLetters()).isEmpty();
        assertThat(eventRows(UUID.fromString(fields.get("id")))).isEqualTo(1);
    }

    @Test
    void anUnexpectedFailureLeavesTheEventPendingUntilItIsDeliveredAgain() {
        Target target = newCall();
        var fields = event(target, "call.turn", "{\"text\":\"second time lucky\"}");
        publish(fields);
        var next = event(target, "call.turn", "{\"text\":\"behind it\"}");
        publish(next);
        AtomicInteger attempts = new AtomicInteger();
        RuntimeEventConsumer.Sink buggy = event -> {
            if (event.id().toString().equals(fields.get("id")) && attempts.incrementAndGet() == 1) throw new IllegalStateException("a bug");
            return writer.write(event);
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        consumer("c", Duration.ofMillis(300), 5, buggy, meters);

        await("both applied", () -> consumed(meters, "applied") == 2);
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(count(meters, "parley.call_events.failures", "cause", "unexpected")).isEqualTo(1);
        assertThat(deadLetters()).isEmpty();
        await("acknowledged", () -> pending() == 0);
    }

    @Test
    void twoConsumersApplyFiveHundredEventsExactlyOnce() {
        List<Target> calls = List.of(newCall(), newCall(), newCall(), newCall(), newCall());
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        consumer(first);
        consumer(second);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            var fields = event(calls.get(i % calls.size()), "call.turn", "{\"text\":\"turn " + i + "\"}");
            ids.add(UUID.fromString(fields.get("id")));
            publish(fields);
        }

        await("all applied", () -> consumed(first, "applied") + consumed(second, "applied") == 500);
        assertThat(consumed(first, "duplicate") + consumed(second, "duplicate")).isZero();
        Object[] callIds = calls.stream().map(Target::callId).toArray();
        assertThat(rows("select count(*) from call_events where type = 'call.turn' and call_id in (?, ?, ?, ?, ?)", callIds)).isEqualTo(500);
        assertThat(rows("select count(distinct id) from call_events where type = 'call.turn' and call_id in (?, ?, ?, ?, ?)", callIds)).isEqualTo(500);
        await("acknowledged", () -> pending() == 0);
        assertThat(deadLetters()).isEmpty();
    }

    private static Map<String, String> with(Map<String, String> fields, String name, String value) {
        Map<String, String> changed = new HashMap<>(fields);
        changed.put(name, value);
        return changed;
    }

    private static Map<String, String> without(Map<String, String> fields, String name) {
        Map<String, String> changed = new HashMap<>(fields);
        changed.remove(name);
        return changed;
    }
}
