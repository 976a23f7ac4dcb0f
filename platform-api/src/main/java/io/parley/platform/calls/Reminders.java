package io.parley.platform.calls;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends personas' reminders: a scheduled call whose {@code remind_at} has come gets a {@code call.reminder} event
 * (which the webhook outbox turns into a {@code call.reminder} webhook) in the transaction that clears it, under
 * the call's row lock, so a reminder is sent once however many instances look. A call moved meanwhile has a new
 * {@code remind_at}; one canceled or under way has none.
 */
@Component
public class Reminders implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Reminders.class);
    private static final int BATCH = 200;

    private final ParleyProperties.Reminders settings;
    private final TenantTransactions transactions;
    private final EntityManager entities;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private volatile Thread loop;
    private volatile boolean running;

    public Reminders(ParleyProperties properties, TenantTransactions transactions, EntityManager entities, JdbcTemplate jdbc, Clock clock) {
        this.settings = properties.reminders();
        this.transactions = transactions;
        this.entities = entities;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    private record Due(UUID callId, TenantId tenant) {}

    /** Sends every reminder due at {@code now}; answers how many were sent. */
    public int sendDue(Instant now) {
        int sent = 0;
        List<Due> due;
        do {
            due = transactions.withoutTenant(() -> jdbc.query("select id, tenant_id from parley_due_reminders(?, ?)",
                    (rs, i) -> new Due(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class))), Timestamp.from(now), BATCH));
            for (Due d : due) {
                if (send(d, now)) sent++;
            }
        } while (due.size() == BATCH);
        return sent;
    }

    private boolean send(Due due, Instant now) {
        return transactions.write(due.tenant(), () -> {
            Call call = entities.find(Call.class, due.callId(), LockModeType.PESSIMISTIC_WRITE);
            if (call == null || call.remindAt() == null || call.remindAt().isAfter(now)) {
                return false;   // sent by another instance, moved or no longer scheduled
            }
            call.reminded();
            entities.persist(new CallEvent(due.tenant(), call.id(), "call.reminder", CallStatus.SCHEDULED, CallStatus.SCHEDULED, "reminders",
                    "the call is due at " + call.scheduledAt(), now));
            entities.flush();
            return true;
        });
    }

    @Override
    public void start() {
        if (!settings.enabled()) return;
        running = true;
        loop = Thread.ofVirtual().name("reminders").start(() -> {
            while (running) {
                try {
                    sendDue(clock.instant());
                } catch (RuntimeException e) {
                    log.warn("Sending reminders failed, retrying in {}: {}", settings.poll(), e.toString());
                }
                try {
                    Thread.sleep(settings.poll());
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    @Override
    public void stop() {
        running = false;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
