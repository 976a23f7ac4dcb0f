package io.parley.runtime.session;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Call state in Redis, so any instance can run or resume any call. Under the hash {@code call:{id}}:
 * {@code bootstrap} (written by platform-api) and {@code conversation} (the runtime's snapshot,
 * rewritten as it changes: see {@code CallRuntime}). {@code call:{id}:owner} is the lease of the instance
 * running the call. Everything expires {@link #TTL} after the last write.
 */
public final class CallSessionStore {

    public static final Duration TTL = Duration.ofHours(2);
    /** How long an owner's lease lasts unless renewed; a dead instance's calls can be taken over after it. */
    public static final Duration LEASE = Duration.ofSeconds(6);

    /**
     * Write and extend in one round trip on the shared connection (a pipeline would take a dedicated
     * connection, which without a pool means a new one, HELLO and SELECT, for every save).
     */
    private static final RedisScript<Long> SAVE = RedisScript.of(
            "redis.call('hset', KEYS[1], 'conversation', ARGV[1]) return redis.call('pexpire', KEYS[1], ARGV[2])", Long.class);
    /** Compare and extend: only the holder renews its lease. */
    private static final RedisScript<Long> RENEW = RedisScript.of(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end", Long.class);

    private final StringRedisTemplate redis;
    private final JsonMapper json;

    public CallSessionStore(StringRedisTemplate redis, JsonMapper json) {
        this.redis = redis;
        this.json = json;
    }

    static String key(UUID callId) {
        return "call:" + callId;
    }

    static String ownerKey(UUID callId) {
        return "call:" + callId + ":owner";
    }

    /** Written by platform-api at dial time (and by the sandbox carrier and tests). */
    public void saveBootstrap(CallBootstrap bootstrap) {
        String key = key(bootstrap.callId());
        redis.opsForHash().put(key, "bootstrap", json.writeValueAsString(bootstrap));
        redis.expire(key, TTL);
    }

    public Optional<CallBootstrap> bootstrap(UUID callId) {
        Object value = redis.opsForHash().get(key(callId), "bootstrap");
        if (value == null) {
            return Optional.empty();
        }
        try {
            CallBootstrap bootstrap = json.readValue(value.toString(), CallBootstrap.class);
            return bootstrap.v() == CallBootstrap.VERSION ? Optional.of(bootstrap) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    /** Stores the conversation snapshot (any JSON-serialisable record) and renews the TTL, in one round trip. */
    public void saveConversation(UUID callId, Object snapshot) {
        redis.execute(SAVE, List.of(key(callId)), json.writeValueAsString(snapshot), Long.toString(TTL.toMillis()));
    }

    public <T> Optional<T> conversation(UUID callId, Class<T> type) {
        Object value = redis.opsForHash().get(key(callId), "conversation");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(value.toString(), type));
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    /** Takes the call for {@code instance} if no live instance holds it (or it already does). */
    public boolean acquire(UUID callId, String instance) {
        Boolean taken = redis.opsForValue().setIfAbsent(ownerKey(callId), instance, LEASE);
        if (Boolean.TRUE.equals(taken)) {
            return true;
        }
        return instance.equals(redis.opsForValue().get(ownerKey(callId))) && renew(callId, instance);
    }

    /** Extends the lease, in one round trip; false if another instance holds it now. */
    public boolean renew(UUID callId, String instance) {
        return Long.valueOf(1).equals(redis.execute(RENEW, List.of(ownerKey(callId)), instance, String.valueOf(LEASE.toMillis())));
    }

    /** Gives the call up (the stream ended here cleanly). */
    public void release(UUID callId, String instance) {
        if (instance.equals(redis.opsForValue().get(ownerKey(callId)))) {
            redis.delete(ownerKey(callId));
        }
    }
}
