package io.parley.platform.billing;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.param.billing.MeterEventCreateParams;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Reports each ended call's billable minutes to Stripe as one Billing Meter event ({@code parley_minutes}, the
 * customer and the minutes), under the identifier {@code parley-call-<callId>}. The report is written first, then
 * sent, then noted as sent: a reporter killed between sending and noting sends it again on its next run under the same
 * identifier, and Stripe, which keeps one event per identifier, answers that it already has it, which counts as sent.
 * So a call is billed once however often the job dies or runs. Each run also repairs gaps: any ended call with usage
 * and no report yet is reported, however old.
 */
@Component
public class MeterReporter {

    private static final Logger log = LoggerFactory.getLogger(MeterReporter.class);

    /** The Billing Meter's event name (its {@code event_name} in Stripe). */
    public static final String EVENT_NAME = "parley_minutes";
    /** How long after a call ended its usage is taken as complete (a resumed call's last leg comes shortly before its end). */
    static final Duration SETTLE = Duration.ofMinutes(2);

    /** One call's report. */
    record Report(TenantId tenant, UUID callId, Mode mode, String identifier, String customerId, long minutes, Instant createdAt, Instant sentAt) {}

    private final JdbcTemplate jdbc;
    private final TenantTransactions transactions;
    private final StripeBilling stripe;
    private final BillingProperties settings;
    private final Clock clock;

    public MeterReporter(JdbcTemplate jdbc, TenantTransactions transactions, StripeBilling stripe, BillingProperties settings, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.stripe = stripe;
        this.settings = settings;
        this.clock = clock;
    }

    @Scheduled(fixedDelayString = "${parley.billing.report-every:PT1M}", initialDelayString = "${parley.billing.report-every:PT1M}")
    void reportDue() {
        if (settings.stripe().values().stream().noneMatch(BillingProperties.Stripe::enabled)) return;
        report(clock.instant().minus(SETTLE), report -> { });
    }

    /**
     * Reports the calls that ended before {@code endedBefore}, and sends every report not yet sent; {@code afterSend} runs
     * between sending one and noting it sent (where a job can die). Answers how many were sent.
     */
    int report(Instant endedBefore, Consumer<Report> afterSend) {
        List<Object[]> work = jdbc.query("select tenant_id, call_id from parley_meter_work(?, 500)",
                (rs, i) -> new Object[] {rs.getObject(1, UUID.class), rs.getObject(2, UUID.class)}, OffsetDateTime.ofInstant(endedBefore, ZoneOffset.UTC));
        int sent = 0;
        for (Object[] w : work) {
            TenantId tenant = new TenantId((UUID) w[0]);
            Optional<Report> report = transactions.write(tenant, () -> prepare(tenant, (UUID) w[1]));
            if (report.isEmpty() || report.get().sentAt() != null) continue;
            Optional<StripeClient> client = stripe.client(report.get().mode().wire());
            if (client.isEmpty()) continue;   // no Stripe in that mode (any more): nothing to send
            if (send(client.get(), report.get())) {
                afterSend.accept(report.get());
                noteSent(report.get(), null);
                sent++;
            }
        }
        return sent;
    }

    /** The call's report, written the first time from the ledger (its minutes) and the tenant's customer. */
    private Optional<Report> prepare(TenantId tenant, UUID callId) {
        jdbc.update("""
                insert into meter_reports (tenant_id, call_id, mode, identifier, customer_id, minutes, created_at)
                select u.tenant_id, u.call_id, u.mode, 'parley-call-' || u.call_id, b.stripe_customer_id,
                       ceil(coalesce(sum(u.quantity) filter (where u.meter = 'call_seconds'), 0) / 60.0)::bigint, ?
                  from usage_ledger u join billing_accounts b on b.tenant_id = u.tenant_id and b.mode = u.mode
                 where u.tenant_id = ? and u.call_id = ? and b.stripe_customer_id is not null
                 group by u.tenant_id, u.call_id, u.mode, b.stripe_customer_id
                on conflict (tenant_id, call_id) do nothing""",
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), tenant.value(), callId);
        return jdbc.query("select mode, identifier, customer_id, minutes, created_at, sent_at from meter_reports where tenant_id = ? and call_id = ?",
                (rs, i) -> new Report(tenant, callId, Mode.fromWire(rs.getString(1)), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()), tenant.value(), callId)
                .stream().findFirst();
    }

    /** Sends the report's meter event; true when Stripe has it (now, or from an earlier send under the same identifier). */
    private boolean send(StripeClient client, Report report) {
        if (report.minutes() == 0) return true;   // nothing billable: noted, never sent
        try {
            client.v1().billing().meterEvents().create(MeterEventCreateParams.builder().setEventName(EVENT_NAME).setIdentifier(report.identifier())
                    .putPayload("stripe_customer_id", report.customerId()).putPayload("value", Long.toString(report.minutes()))
                    .setTimestamp(report.createdAt().getEpochSecond()).build());   // the same moment on every send: the reconciliation's day
            return true;
        } catch (InvalidRequestException e) {
            if (alreadyHas(e)) return true;
            noteFailed(report, e);
            return false;
        } catch (StripeException e) {
            noteFailed(report, e);
            return false;
        }
    }

    /** Stripe's answer to a second event under an identifier it has (within its window of at least 24 hours). */
    private static boolean alreadyHas(InvalidRequestException e) {
        String code = e.getCode() == null ? "" : e.getCode();
        String message = e.getStripeError() != null && e.getStripeError().getMessage() != null ? e.getStripeError().getMessage() : String.valueOf(e.getMessage());
        return code.equals("resource_already_exists") || (message.contains("identifier") && message.contains("already exists"));
    }

    private void noteSent(Report report, String error) {
        transactions.write(report.tenant(), () -> jdbc.update(
                "update meter_reports set sent_at = ?, attempts = attempts + 1, last_error = ? where tenant_id = ? and call_id = ? and sent_at is null",
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), error, report.tenant().value(), report.callId()));
    }

    private void noteFailed(Report report, StripeException e) {
        log.warn("The meter event of call {} was not sent, it will be again: {}", report.callId(), e.getMessage());
        String error = String.valueOf(e.getMessage());
        transactions.write(report.tenant(), () -> jdbc.update(
                "update meter_reports set attempts = attempts + 1, last_error = ? where tenant_id = ? and call_id = ? and sent_at is null",
                error.length() > 500 ? error.substring(0, 500) : error, report.tenant().value(), report.callId()));
    }
}
