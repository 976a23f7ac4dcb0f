package io.parley.platform.telephony;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The test-mode carrier: places nothing on a real network. What it placed lives in Redis (under
 * {@code keyPrefix}), so every platform-api instance sees the same carrier, as with a real one: an
 * instance can reconcile another's attempt.
 *
 * <p>Like a real carrier asked twice about the same attempt (a retried request), it places one call per
 * attempt id and answers the same call id again. It counts the calls it placed per Parley call, which is
 * what "dialled exactly once" is measured by.
 */
public final class SandboxTelephony implements Telephony {

    /** Sandbox numbers whose dial the carrier refuses outright (as a real one refuses an unreachable number). */
    public static final String REFUSED_NUMBER = "+14155550105";

    private static final Duration KEPT = Duration.ofDays(7);

    private final StringRedisTemplate redis;
    private final String keyPrefix;

    public SandboxTelephony(StringRedisTemplate redis, String keyPrefix) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public String carrier() {
        return "sandbox";
    }

    @Override
    public Placed dial(Dial dial) throws Refused {
        if (REFUSED_NUMBER.equals(dial.to())) {
            throw new Refused("the sandbox refuses every call to " + REFUSED_NUMBER);
        }
        String id = "SB" + HexFormat.of().formatHex(randomBytes());
        Boolean placed = redis.opsForValue().setIfAbsent(attemptKey(dial.attemptId()), id, KEPT);
        if (Boolean.TRUE.equals(placed)) {
            redis.opsForHash().increment(placementsKey(), dial.callId().toString(), 1);
            redis.expire(placementsKey(), KEPT);
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
