package io.parley.platform.telephony;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.TenantTransactions;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The sandbox's callees live in the instance that dialled them: when that instance stops mid-call, nobody reports
 * the call's end. Any instance ends such a call: a sandbox attempt still under way longer than the sandbox's
 * longest call (ring, talk, and a margin) after its dial is {@code failed}, saying why.
 */
@Component
public class SandboxReconciler {

    private static final Logger log = LoggerFactory.getLogger(SandboxReconciler.class);
    static final String REASON = "the sandbox lost the call: the instance that placed it stopped";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final CarrierEvents events;
    private final Duration longest;
    private final Clock clock;

    public SandboxReconciler(TenantTransactions transactions, JdbcTemplate jdbc, CarrierEvents events, ParleyProperties properties, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.events = events;
        ParleyProperties.Telephony telephony = properties.telephony();
        this.longest = telephony.sandboxRing().plus(telephony.sandboxTalk()).plus(Duration.ofMinutes(2));
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
    void scheduled() {
        try {
            reconcile(clock.instant());
        } catch (RuntimeException e) {
            log.warn("Sandbox reconciliation failed: {}", e.toString());
        }
    }

    /** Fails the sandbox calls lost by their instance as of {@code now}; answers how many. */
    public int reconcile(Instant now) {
        List<String> lost = transactions.withoutTenant(() -> jdbc.query("select provider_call_id from parley_stale_attempts(?, ?, ?)",
                (rs, i) -> rs.getString(1), "sandbox", Timestamp.from(now.minus(longest)), 200));
        int failed = 0;
        for (String id : lost) {
            if (events.progress(new CarrierEvents.Report("sandbox", id, "failed", now, null, REASON))) {
                failed++;
            }
        }
        if (failed > 0) {
            log.warn("Ended {} sandbox calls lost by the instance that placed them", failed);
        }
        return failed;
    }
}
