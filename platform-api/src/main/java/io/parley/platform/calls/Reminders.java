package io.parley.platform.calls;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import io.parley.platform.personas.Persona;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
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
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm zzz", Locale.ENGLISH);

    private final ParleyProperties.Reminders settings;
    private final TenantTransactions transactions;
    private final EntityManager entities;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final JavaMailSender mail;
    private volatile Thread loop;
    private volatile boolean running;

    public Reminders(ParleyProperties properties, TenantTransactions transactions, EntityManager entities, JdbcTemplate jdbc, Clock clock,
                     ObjectProvider<JavaMailSender> mail) {
        this.settings = properties.reminders();
        this.transactions = transactions;
        this.entities = entities;
        this.jdbc = jdbc;
        this.clock = clock;
        this.mail = mail.getIfAvailable();
    }

    private record Due(UUID callId, TenantId tenant) {}

    /** A reminder email to send once the reminder is committed. */
    private record Email(TenantId tenant, UUID callId, String to, String subject, String text) {}

    /** Sends every reminder due at {@code now}; answers how many were sent. */
    public int sendDue(Instant now) {
        int sent = 0;
        List<Due> due;
        do {
            due = transactions.withoutTenant(() -> jdbc.query("select id, tenant_id from parley_due_reminders(?, ?)",
                    (rs, i) -> new Due(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class))), Timestamp.from(now), BATCH));
            for (Due d : due) {
                Optional<Optional<Email>> reminded = send(d, now);
                if (reminded.isPresent()) {
                    sent++;
                    reminded.get().ifPresent(email -> email(email, now));
                }
            }
        } while (due.size() == BATCH);
        return sent;
    }

    /** The reminder, sent (with the email to send after it, if any), or empty when another instance sent it or it is no longer due. */
    private Optional<Optional<Email>> send(Due due, Instant now) {
        return transactions.write(due.tenant(), () -> {
            Call call = entities.find(Call.class, due.callId(), LockModeType.PESSIMISTIC_WRITE);
            if (call == null || call.remindAt() == null || call.remindAt().isAfter(now)) {
                return Optional.empty();   // sent by another instance, moved or no longer scheduled
            }
            call.reminded();
            entities.persist(new CallEvent(due.tenant(), call.id(), "call.reminder", CallStatus.SCHEDULED, CallStatus.SCHEDULED, "reminders",
                    "the call is due at " + call.scheduledAt(), now));
            entities.flush();
            if (mail == null || call.reminderEmail() == null) {
                return Optional.of(Optional.empty());
            }
            Persona persona = entities.find(Persona.class, call.personaId());
            ZoneId zone = call.timeZone() == null ? ZoneOffset.UTC : ZoneId.of(call.timeZone());
            String when = WHEN.format(call.scheduledAt().atZone(zone));
            String who = persona == null ? "Your call" : persona.name();
            return Optional.of(Optional.of(new Email(due.tenant(), call.id(), call.reminderEmail(),
                    "Reminder: " + who + " calls " + call.to() + " at " + when,
                    who + " will call " + call.to() + " at " + when + ".\n\n"
                            + "You asked to be reminded of this call. Reply to whoever booked it to change or cancel it.\n")));
        });
    }

    /**
     * Sends a committed reminder's email, once: a failure is recorded on the call ({@code call.reminder_email_failed})
     * rather than retried, so a flaky server never sends it twice.
     */
    private void email(Email email, Instant now) {
        String outcome;
        String reason;
        try {
            SimpleMailMessage message = new SimpleMailMessage();
            message.setFrom(settings.emailFrom());
            message.setTo(email.to());
            message.setSubject(email.subject());
            message.setText(email.text());
            mail.send(message);
            outcome = "call.reminder_emailed";
            reason = "to " + email.to();
        } catch (RuntimeException e) {
            log.warn("Reminder email of call {} not sent: {}", email.callId(), e.toString());
            outcome = "call.reminder_email_failed";
            reason = "to " + email.to() + ": " + e.getMessage();
        }
        String type = outcome;
        String why = reason.length() > 500 ? reason.substring(0, 500) : reason;
        transactions.write(email.tenant(), () -> {
            entities.persist(new CallEvent(email.tenant(), email.callId(), type, null, null, "reminders", why, now));
            return null;
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
