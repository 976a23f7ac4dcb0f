package io.parley.platform.web;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.config.ParleyProperties;
import io.parley.platform.config.RedisBuckets;
import io.parley.platform.tenancy.TenantId;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Per-tenant request budget, shared by every platform-api instance through Redis ({@link RedisBuckets}).
 * When Redis cannot answer, requests pass: an outage of the limiter must not become an outage of the API.
 */
@Component
public class RateLimiter {

    /** The verdict on one request. */
    public record Decision(boolean allowed, long remaining, Duration retryAfter) {}

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    private final ParleyProperties.RateLimit settings;
    private final Counter limited;
    private final Counter unavailable;
    private final RedisBuckets redisBuckets;
    private final BucketConfiguration configuration;

    public RateLimiter(ParleyProperties properties, RedisBuckets redisBuckets, MeterRegistry meters) {
        this.settings = properties.api().rateLimit();
        this.redisBuckets = redisBuckets;
        this.limited = Counter.builder("parley.rate_limit.rejected").description("Requests refused for exceeding the tenant's rate").register(meters);
        this.unavailable = Counter.builder("parley.rate_limit.unavailable").description("Requests let through because Redis did not answer").register(meters);
        this.configuration = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(settings.burst()).refillGreedy(settings.requestsPerSecond(), Duration.ofSeconds(1)).build())
                .build();
    }

    public Decision check(TenantId tenant) {
        if (!settings.enabled()) {
            return new Decision(true, settings.burst(), Duration.ZERO);
        }
        try {
            ConsumptionProbe probe = redisBuckets.buckets().builder().build("parley:rate:" + tenant, () -> configuration).tryConsumeAndReturnRemaining(1);
            if (probe.isConsumed()) {
                return new Decision(true, probe.getRemainingTokens(), Duration.ZERO);
            }
            limited.increment();
            return new Decision(false, 0, Duration.ofNanos(probe.getNanosToWaitForRefill()));
        } catch (RuntimeException e) {
            unavailable.increment();
            log.warn("Rate limiter unavailable, letting the request through: {}", e.toString());
            return new Decision(true, -1, Duration.ZERO);
        }
    }
}
