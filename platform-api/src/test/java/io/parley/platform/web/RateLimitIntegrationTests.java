package io.parley.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/** Each tenant has its own request budget, kept in the real Redis. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "parley.api.rate-limit.requests-per-second=1",
        "parley.api.rate-limit.burst=3"})
class RateLimitIntegrationTests extends IntegrationTest {

    @Test
    void aTenantOverItsBudgetGets429WithRetryAfterWhileOthersAreServed() throws InterruptedException {
        TestTenant busy = newTenant();
        TestTenant quiet = newTenant();

        ApiClient.Response last = null;
        int served = 0;
        for (int i = 0; i < 10; i++) {
            last = busy.api().get("/v1/personas");
            if (last.status() != 200) break;
            served++;
        }
        // a burst of 3 (plus at most one refilled while looping), then refused
        assertThat(served).isBetween(3, 4);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.contentType()).startsWith("application/problem+json");
        assertThat(last.json().get("type").asString()).isEqualTo("https://parley.dev/problems/rate-limited");
        assertThat(Integer.parseInt(last.header("retry-after"))).isBetween(1, 2);
        assertThat(last.header("ratelimit-remaining")).isEqualTo("0");

        ApiClient.Response other = quiet.api().get("/v1/personas");
        assertThat(other.status()).isEqualTo(200);
        assertThat(Integer.parseInt(other.header("ratelimit-remaining"))).isEqualTo(2);

        Thread.sleep(1_200); // one token refills per second
        assertThat(busy.api().get("/v1/personas").status()).isEqualTo(200);
    }

    @Test
    void unauthenticatedProbesAreNotLimited() {
        for (int i = 0; i < 6; i++) {
            assertThat(anonymous().get("/actuator/health").status()).isEqualTo(200);
        }
    }
}
