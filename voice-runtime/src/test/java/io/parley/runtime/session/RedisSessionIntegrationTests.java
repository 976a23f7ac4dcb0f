package io.parley.runtime.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Call state and events against the real Redis on loopback (REDIS_URL's host and port, else 127.0.0.1:6379). */
class RedisSessionIntegrationTests {

    static LettuceConnectionFactory connections;
    static StringRedisTemplate redis;
    static CallSessionStore store;
    static CallEvents events;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void connect() {
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        assertThat(redis.execute((org.springframework.data.redis.core.RedisCallback<String>) c -> c.ping()))
                .as("Redis must answer on 127.0.0.1:6379 (bash .ci/run starts it)").isEqualTo("PONG");
        store = new CallSessionStore(redis, JSON);
        events = new CallEvents(redis, JSON);
    }

    @AfterAll
    static void close() {
        connections.destroy();
    }

    static CallBootstrap bootstrap(UUID callId) {
        return new CallBootstrap(CallBootstrap.VERSION, callId, UUID.randomUUID(), "test",
                new CallBootstrap.Persona(UUID.randomUUID(), "Santa", "santa", "You are Santa.", "Ho ho ho! Is that {{child_name}}?", "en-US",
                        new CallBootstrap.Provider("offline", "kevin16", Map.of()), new CallBootstrap.Provider("offline", null, Map.of()),
                        new CallBootstrap.Provider("scripted", null, Map.of()),
                        new CallBootstrap.Limits(300, 30, "The reindeer are getting restless.", "Merry Christmas!", 8, "Are you still there?", "9"),
                        List.of(new CallBootstrap.ScriptStep("wish", "What would you like for Christmas?",
                                List.of(new CallBootstrap.ScriptAnswer(List.of("bicycle"), "A red bicycle! Lovely.", "goodbye"))),
                                new CallBootstrap.ScriptStep("goodbye", "Merry Christmas!", List.of()))),
                Map.of("child_name", "Ella"));
    }

    @Test
    void aBootstrapAndAConversationRoundTripUnderOneKeyWithATtl() {
        UUID callId = UUID.randomUUID();
        CallBootstrap written = bootstrap(callId);
        store.saveBootstrap(written);
        assertThat(store.bootstrap(callId)).contains(written);

        record Snapshot(String state, List<String> heard) {}
        store.saveConversation(callId, new Snapshot("LISTENING", List.of("Ho ho ho!")));
        assertThat(store.conversation(callId, Snapshot.class)).contains(new Snapshot("LISTENING", List.of("Ho ho ho!")));
        // the runtime's writes never clobber platform-api's bootstrap
        assertThat(store.bootstrap(callId)).contains(written);
        assertThat(redis.getExpire("call:" + callId)).isBetween(CallSessionStore.TTL.toSeconds() - 5, CallSessionStore.TTL.toSeconds());
        assertThat(store.bootstrap(UUID.randomUUID())).isEmpty();
    }

    @Test
    void theCalleeTimeZoneCredentialAndToolsAreOptionalFieldsOfVersionOne() {
        UUID callId = UUID.randomUUID();
        CallBootstrap plain = bootstrap(callId);
        CallBootstrap.Persona p = plain.persona();
        CallBootstrap withTools = new CallBootstrap(CallBootstrap.VERSION, callId, plain.tenantId(), "test",
                new CallBootstrap.Persona(p.id(), p.name(), p.kind(), p.systemPrompt(), p.firstMessage(), p.language(), p.voice(), p.stt(), p.llm(),
                        p.limits(), p.script(), List.of("schedule_callback")),
                plain.variables(), "+442071838750", "Europe/London", "cc_test_abc.def.ghi");
        store.saveBootstrap(withTools);

        assertThat(store.bootstrap(callId)).contains(withTools);
        var written = JSON.readTree(redis.opsForHash().get("call:" + callId, "bootstrap").toString());
        assertThat(written.get("to").asString()).isEqualTo("+442071838750");
        assertThat(written.get("timeZone").asString()).isEqualTo("Europe/London");
        assertThat(written.get("credential").asString()).isEqualTo("cc_test_abc.def.ghi");
        assertThat(written.get("persona").get("tools").toString()).isEqualTo("[\"schedule_callback\"]");
        assertThat(withTools.toString()).doesNotContain("cc_test_abc");

        // a bootstrap written before these fields existed still reads, with none of them
        var old = (tools.jackson.databind.node.ObjectNode) written;
        old.remove(List.of("to", "timeZone", "credential"));
        ((tools.jackson.databind.node.ObjectNode) old.get("persona")).remove("tools");
        redis.opsForHash().put("call:" + callId, "bootstrap", JSON.writeValueAsString(old));
        CallBootstrap read = store.bootstrap(callId).orElseThrow();
        assertThat(read.to()).isNull();
        assertThat(read.credential()).isNull();
        assertThat(read.persona().tools()).isNull();
        assertThat(read.persona().name()).isEqualTo("Santa");
        redis.delete("call:" + callId);
    }

    @Test
    void aBootstrapOfAnotherVersionOrGarbageIsNotUsed() {
        UUID callId = UUID.randomUUID();
        redis.opsForHash().put("call:" + callId, "bootstrap", "{not json");
        assertThat(store.bootstrap(callId)).isEmpty();
        redis.opsForHash().put("call:" + callId, "bootstrap", JSON.writeValueAsString(bootstrap(callId)).replace("\"v\":1", "\"v\":2"));
        assertThat(store.bootstrap(callId)).isEmpty();
        redis.delete("call:" + callId);
    }

    @Test
    void oneInstanceOwnsACallUntilItReleasesItOrItsLeaseLapses() {
        UUID callId = UUID.randomUUID();
        assertThat(store.acquire(callId, "instance-a")).isTrue();
        assertThat(store.acquire(callId, "instance-b")).isFalse();
        assertThat(store.acquire(callId, "instance-a")).as("re-entrant").isTrue();
        assertThat(store.renew(callId, "instance-b")).isFalse();
        assertThat(store.renew(callId, "instance-a")).isTrue();

        store.release(callId, "instance-b"); // not the owner: nothing happens
        assertThat(store.acquire(callId, "instance-b")).isFalse();
        store.release(callId, "instance-a");
        assertThat(store.acquire(callId, "instance-b")).isTrue();

        // a dead owner stops renewing: once its lease lapses another instance takes over
        redis.expire("call:" + callId + ":owner", java.time.Duration.ofMillis(1));
        awaitGone("call:" + callId + ":owner");
        assertThat(store.acquire(callId, "instance-c")).isTrue();
    }

    @Test
    void eventsAreAppendedToTheStreamWithIdsAndVersion() {
        UUID tenant = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        Instant at = Instant.parse("2026-12-24T18:00:00Z");
        UUID id = events.publish(tenant, call, "call.turn", at, Map.of("speaker", "bot", "text", "Ho ho ho!", "interrupted", false));

        List<MapRecord<String, Object, Object>> last = redis.opsForStream().reverseRange(CallEvents.STREAM, Range.unbounded(),
                org.springframework.data.redis.connection.Limit.limit().count(50));
        MapRecord<String, Object, Object> mine = last.stream().filter(r -> id.toString().equals(r.getValue().get("id"))).findFirst().orElseThrow();
        assertThat(mine.getValue()).containsEntry("v", "1").containsEntry("type", "call.turn")
                .containsEntry("tenantId", tenant.toString()).containsEntry("callId", call.toString()).containsEntry("at", "2026-12-24T18:00:00Z");
        assertThat(JSON.readTree(mine.getValue().get("data").toString()).get("text").asString()).isEqualTo("Ho ho ho!");
    }

    @Test
    void eventIdsAreTimeOrderedSoACallsEventsSortInTheOrderTheyHappened() {
        UUID tenant = UUID.randomUUID();
        UUID call = UUID.randomUUID();
        Instant at = Instant.now();
        UUID first = events.publish(tenant, call, "call.usage", at, Map.of());
        UUID second = events.publish(tenant, call, "call.ended", at, Map.of("reason", "completed"));

        assertThat(first.version()).isEqualTo(7);
        assertThat(second.version()).isEqualTo(7);
        // published in the same millisecond or not, the later event sorts after the earlier one (as platform-api lists them)
        assertThat(second.toString()).isGreaterThan(first.toString());
        assertThat(first.getMostSignificantBits() >>> 16).as("the id's timestamp is the publish time")
                .isBetween(at.toEpochMilli() - 1000, at.toEpochMilli() + 1000);
    }

    private static void awaitGone(String key) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (Boolean.TRUE.equals(redis.hasKey(key))) {
            if (System.nanoTime() > deadline) throw new AssertionError(key + " did not expire");
            Thread.onSpinWait();
        }
    }
}
