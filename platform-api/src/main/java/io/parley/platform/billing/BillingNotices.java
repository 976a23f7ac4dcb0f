package io.parley.platform.billing;

import io.parley.platform.config.ParleyProperties;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * What billing tells a tenant, through its webhooks and, when SMTP is configured and the tenant gave an alert address,
 * by email: {@code billing.threshold_reached} once per threshold and billing period, and
 * {@code billing.trial_will_end}. The webhook is sent in the caller's transaction (the outbox); the email once it
 * commits, at most once (a failed one is logged).
 */
@Component
public class BillingNotices {

    private static final Logger log = LoggerFactory.getLogger(BillingNotices.class);

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final BillingAccounts accounts;
    private final Entitlements entitlements;
    private final TenantTransactions transactions;
    private final JavaMailSender mail;
    private final String from;
    private final Clock clock;

    public BillingNotices(JdbcTemplate jdbc, JsonMapper json, BillingAccounts accounts, Entitlements entitlements, TenantTransactions transactions,
                          ObjectProvider<JavaMailSender> mail, ParleyProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.json = json;
        this.accounts = accounts;
        this.entitlements = entitlements;
        this.transactions = transactions;
        this.mail = mail.getIfAvailable();
        this.from = properties.reminders().emailFrom();
        this.clock = clock;
    }

    /**
     * Sends {@code billing.threshold_reached} for each of the tenant's alert thresholds its spend reached this period and
     * had not yet; inside the tenant's transaction (after usage was recorded, or the controls changed).
     */
    public void checkThresholds(TenantId tenant, Mode mode) {
        if (accounts.find(tenant, mode).map(BillingAccounts.Account::spendCapCents).isEmpty()) return;   // no cap, no alerts
        // usage recorded at once for one tenant is checked one at a time, each seeing what the others committed: a
        // threshold two calls pass together is not missed by both
        jdbc.queryForObject("select count(*) from (select pg_advisory_xact_lock(hashtextextended('spend:' || ?::text || ':' || ?, 0))) locked",
                Long.class, tenant.value(), mode.wire());
        Entitlements.Standing standing = entitlements.standing(tenant, mode);
        Spend.Position spend = standing.spend();
        BillingAccounts.Account account = standing.account().orElse(null);
        if (spend == null || account == null) return;   // no cap, or calls refused for the subscription (its own problem)
        Instant now = clock.instant();
        for (int threshold : account.alertThresholds().stream().sorted().toList()) {
            if (!spend.reached(threshold)) continue;
            boolean first = jdbc.update("""
                    insert into billing_alerts (tenant_id, mode, period_start, threshold, spend_cents, cap_cents, reached_at)
                    values (?, ?, ?, ?, ?, ?, ?) on conflict do nothing""",
                    tenant.value(), mode.wire(), ts(spend.period().start()), threshold, spend.spendCents(), spend.capCents(), ts(now)) == 1;
            if (!first) continue;
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("mode", mode.wire());
            data.put("plan", standing.planKey());
            data.put("thresholdPercent", threshold);
            data.put("spendCents", spend.spendCents());
            data.put("capCents", spend.capCents());
            data.put("periodStart", spend.period().start().toString());
            data.put("periodEnd", spend.period().end().toString());
            data.put("capReached", spend.capReached());
            emit(tenant, "billing.threshold_reached", data, now);
            String subject = "Parley: " + threshold + "% of your " + mode.wire() + " spend cap is used";
            String currency = standing.plan() == null || standing.local() ? "USD" : standing.plan().currency().toUpperCase(java.util.Locale.ROOT);
            String text = "Usage this billing period has " + (standing.local() ? "cost " : "added ") + money(spend.spendCents(), currency)
                    + (standing.local() ? "" : " to your bill") + ", " + threshold + "% of your cap of " + money(spend.capCents(), currency) + " (the period ends on " + spend.period().end() + ")."
                    + (spend.capReached() ? "\n\nNo new calls are placed until the period ends or the cap is raised (PUT /v1/billing/spend-controls)." : "");
            afterCommit(tenant, account.alertEmail(), subject, text, Optional.of(threshold), spend.period().start(), mode);
        }
    }

    /** Sends {@code billing.trial_will_end} (Stripe says so three days ahead); inside the tenant's transaction. */
    public void trialWillEnd(TenantId tenant, Mode mode, Instant trialEnd) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("mode", mode.wire());
        Optional<BillingAccounts.Account> account = accounts.find(tenant, mode);
        data.put("plan", account.map(BillingAccounts.Account::plan).orElse(null));
        data.put("trialEnd", trialEnd == null ? null : trialEnd.toString());
        emit(tenant, "billing.trial_will_end", data, clock.instant());
        afterCommit(tenant, account.map(BillingAccounts.Account::alertEmail).orElse(null), "Parley: your trial ends soon",
                "Your " + mode.wire() + " trial ends on " + trialEnd + ". Add a payment method in the customer portal (POST /v1/billing/portal-session)"
                        + " to keep placing calls after it.", Optional.empty(), null, mode);
    }

    private void emit(TenantId tenant, String type, Map<String, Object> data, Instant at) {
        jdbc.queryForObject("select count(*) from (select parley_emit_webhook(?, ?, ?, ?::jsonb, ?)) emitted", Long.class,
                tenant.value(), Ids.next(), type, json.writeValueAsString(data), Timestamp.from(at));
    }

    private void afterCommit(TenantId tenant, String to, String subject, String text, Optional<Integer> threshold, Instant periodStart, Mode mode) {
        if (mail == null || to == null) return;
        Runnable send = () -> {
            try {
                SimpleMailMessage message = new SimpleMailMessage();
                message.setFrom(from);
                message.setTo(to);
                message.setSubject(subject);
                message.setText(text);
                mail.send(message);
            } catch (RuntimeException e) {
                log.warn("Billing email to tenant {} not sent: {}", tenant.value(), e.toString());
                return;
            }
            threshold.ifPresent(t -> transactions.write(tenant, () -> jdbc.update(
                    "update billing_alerts set emailed_to = ? where tenant_id = ? and mode = ? and period_start = ? and threshold = ?",
                    to, tenant.value(), mode.wire(), ts(periodStart), t)));
        };
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            send.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                send.run();
            }
        });
    }

    private static String money(long cents, String currency) {
        return String.format(java.util.Locale.ROOT, "%d.%02d %s", cents / 100, cents % 100, currency);
    }

    private static OffsetDateTime ts(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
