package io.parley.platform.config;

import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Token buckets shared by every platform-api instance through Redis (Bucket4j's compare-and-swap
 * buckets on one Lettuce connection, opened on first use): the API's per-tenant request budget and the
 * dialler's calls per second per caller number.
 */
@Component
public class RedisBuckets implements DisposableBean {

    private final LettuceConnectionFactory redis;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile ProxyManager<String> buckets;

    public RedisBuckets(LettuceConnectionFactory redis) {
        this.redis = redis;
    }

    public ProxyManager<String> buckets() {
        if (buckets == null) {
            synchronized (this) {
                if (buckets == null) {
                    connection = ((RedisClient) redis.getNativeClient()).connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
                    buckets = Bucket4jLettuce.casBasedBuilder(connection)
                            .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                            .requestTimeout(Duration.ofSeconds(1))
                            .build();
                }
            }
        }
        return buckets;
    }

    @Override
    public void destroy() {
        if (connection != null) {
            connection.close();
        }
    }
}
