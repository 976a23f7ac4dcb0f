package io.parley.platform.personas;

import io.parley.platform.tenancy.TenantTransactions;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Child-safety mode's retention: the transcripts of calls with personas that talk with children (Santa's default)
 * lose their words after {@code parley.child-safety.transcript-retention} (2 days unless configured); who spoke
 * and when stay. Swept every 15 minutes by any instance (V20__child_safety.sql).
 */
@Component
public class ChildSafety {

    private static final Logger log = LoggerFactory.getLogger(ChildSafety.class);
    private static final int BATCH = 1000;

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Duration retention;
    private final Clock clock;

    public ChildSafety(TenantTransactions transactions, JdbcTemplate jdbc,
                       @Value("${parley.child-safety.transcript-retention:P2D}") Duration retention, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.retention = retention;
        this.clock = clock;
    }

    /** Removes the words of child-safety transcripts older than the retention as of {@code now}; answers how many lines. */
    public int expireTranscripts(Instant now) {
        int removed = 0;
        int batch;
        do {
            batch = transactions.withoutTenant(() -> jdbc.queryForObject("select parley_expire_child_transcripts(?, ?)", Integer.class,
                    Timestamp.from(now.minus(retention)), BATCH));
            removed += batch;
        } while (batch == BATCH);
        return removed;
    }

    @Scheduled(fixedDelayString = "PT15M", initialDelayString = "PT2M")
    void retention() {
        try {
            int removed = expireTranscripts(clock.instant());
            if (removed > 0) {
                log.info("Removed the words of {} transcript lines past the child-safety retention", removed);
            }
        } catch (RuntimeException e) {
            log.warn("Child-safety transcript retention failed: {}", e.toString());
        }
    }
}
