package io.parley.runtime.session;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import com.github.f4b6a3.uuid.UuidCreator;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.RecordId;
import org.springframework.data.redis.connection.stream.StreamRecords;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * What happens in calls, for platform-api: appended to the Redis Stream {@link #STREAM}, consumed
 * at least once and applied idempotently by the event's {@code id}. Format v1 (voice-runtime/README.md).
 * Ids are UUIDv7 (time-ordered, monotonic within an instance), so a call's events sort by id in the
 * order they happened, next to the ids platform-api gives its own events.
 */
public final class CallEvents {

    public static final String STREAM = "parley:call-events";
    /** Roughly how many events the stream keeps; consumers are expected to keep up well within it. */
    static final long MAX_LENGTH = 1_000_000;

    private final StringRedisTemplate redis;
    private final JsonMapper json;

    public CallEvents(StringRedisTemplate redis, JsonMapper json) {
        this.redis = redis;
        this.json = json;
    }

    /** Appends one event; answers the event's id. {@code data} is any JSON-serialisable value. */
    public UUID publish(UUID tenantId, UUID callId, String type, Instant at, Object data) {
        UUID id = UuidCreator.getTimeOrderedEpoch();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("v", "1");
        fields.put("id", id.toString());
        fields.put("type", type);
        fields.put("tenantId", tenantId.toString());
        fields.put("callId", callId.toString());
        fields.put("at", at.toString());
        fields.put("data", json.writeValueAsString(data));
        MapRecord<String, String, String> record = StreamRecords.newRecord().in(STREAM).ofMap(fields);
        RecordId added = redis.opsForStream().add(record);
        if (added != null && Math.floorMod(added.getSequence() + added.getTimestamp(), 1000) == 0) {
            redis.opsForStream().trim(STREAM, MAX_LENGTH, true);
        }
        return id;
    }
}
