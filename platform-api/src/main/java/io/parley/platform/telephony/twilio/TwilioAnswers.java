package io.parley.platform.telephony.twilio;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * What an attempt's answer webhook needs, kept in Redis from the dial until Twilio asks (any instance may be
 * asked): the call token for the voice runtime and the persona's voicemail message.
 */
public final class TwilioAnswers {

    /** @param streamToken null when no voice runtime is configured; @param voicemailMessage null: hang up on a machine */
    public record Answer(String streamToken, String voicemailMessage) {}

    private static final String PREFIX = "parley:twilio:answer:";

    private final StringRedisTemplate redis;
    private final Duration kept;

    public TwilioAnswers(StringRedisTemplate redis, Duration kept) {
        this.redis = redis;
        this.kept = kept;
    }

    void save(UUID attemptId, Answer answer) {
        Map<String, String> fields = new HashMap<>();
        if (answer.streamToken() != null) fields.put("token", answer.streamToken());
        if (answer.voicemailMessage() != null) fields.put("voicemail", answer.voicemailMessage());
        fields.put("v", "1");
        String key = PREFIX + attemptId;
        redis.opsForHash().putAll(key, fields);
        redis.expire(key, kept);
    }

    Optional<Answer> find(UUID attemptId) {
        Map<Object, Object> fields = redis.opsForHash().entries(PREFIX + attemptId);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Answer((String) fields.get("token"), (String) fields.get("voicemail")));
    }
}
