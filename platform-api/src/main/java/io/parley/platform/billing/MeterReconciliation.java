package io.parley.platform.billing;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.billing.Meter;
import com.stripe.model.billing.MeterEventSummary;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.billing.MeterEventSummaryListParams;
import com.stripe.param.billing.MeterListParams;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The daily reconciliation of billed minutes: for each tenant, mode and UTC day, the minutes of the reports sent to
 * Stripe's Billing Meter ({@link MeterReporter}, each event stamped with the moment its report was written) against the
 * sum of Stripe's meter event summaries for the tenant's customer over the day. Equal: {@code ok}. Stripe short (an
 * event lost): one correction event for the difference under its own identifier
 * ({@code parley-reconcile-<tenant>-<mode>-<day>-<n>}), sent while the day's row is held and noted in that
 * transaction: {@code repaired}. Stripe over (an event Parley never noted as sent): {@code excess}, logged and
 * counted, never taken back automatically. Each outcome is kept ({@code meter_reconciliations}) and counted
 * ({@code parley.billing.reconciliations}). Runs each day for the day before (03:15 UTC).
 */
@Component
public class MeterReconciliation {

    private static final Logger log = LoggerFactory.getLogger(MeterReconciliation.class);

    /** One tenant's day. */
    public record Result(TenantId tenant, Mode mode, LocalDate day, String customerId, long ours, Long stripe, String outcome, long corrected) {}

    private final JdbcTemplate jdbc;
    private final TenantTransactions transactions;
    private final StripeBilling stripe;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final Map<Mode, String> meters = new ConcurrentHashMap<>();

    public MeterReconciliation(JdbcTemplate jdbc, TenantTransactions transactions, StripeBilling stripe, MeterRegistry metrics, Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.stripe = stripe;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Scheduled(cron = "${parley.billing.reconcile-cron:0 15 3 * * *}", zone = "UTC")
    void reconcileYesterday() {
        if (stripe.client(Mode.TEST.wire()).isEmpty() && stripe.client(Mode.LIVE.wire()).isEmpty()) return;
        reconcile(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(1));
    }

    /** Reconciles every tenant's {@code day} (UTC); answers each tenant's outcome. */
    public List<Result> reconcile(LocalDate day) {
        Instant from = day.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant to = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Object[]> work = jdbc.query("select tenant_id, mode, customer_id from parley_reconcile_work(?, ?)",
                (rs, i) -> new Object[] {rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3)}, ts(from), ts(to));
        List<Result> results = new ArrayList<>();
        for (Object[] w : work) {
            TenantId tenant = new TenantId((UUID) w[0]);
            Mode mode = Mode.fromWire((String) w[1]);
            Optional<StripeClient> client = stripe.client(mode.wire());
            if (client.isEmpty()) continue;
            Result result = reconcile(client.get(), tenant, mode, (String) w[2], day, from, to);
            metrics.counter("parley.billing.reconciliations", "outcome", result.outcome()).increment();
            results.add(result);
        }
        return results;
    }

    /**
     * One tenant's day, in one transaction that holds the day's row: a second instance reconciling the same day waits,
     * then finds Stripe's total with the first one's correction in it. A correction is noted in the transaction that
     * sent it; a run killed after sending leaves no note, and the next run finds Stripe's total right.
     */
    private Result reconcile(StripeClient client, TenantId tenant, Mode mode, String customer, LocalDate day, Instant from, Instant to) {
        return transactions.write(tenant, () -> {
            jdbc.update("""
                    insert into meter_reconciliations (tenant_id, mode, day, customer_id, ours, outcome, checked_at) values (?, ?, ?, ?, 0, 'failed', ?)
                    on conflict (tenant_id, mode, day) do nothing""", tenant.value(), mode.wire(), day, customer, ts(clock.instant()));
            int corrections = jdbc.queryForObject("select corrections from meter_reconciliations where tenant_id = ? and mode = ? and day = ? for update",
                    Integer.class, tenant.value(), mode.wire(), day);
            long ours = jdbc.queryForObject("""
                    select coalesce(sum(minutes), 0) from meter_reports
                     where tenant_id = ? and mode = ? and customer_id = ? and created_at >= ? and created_at < ? and sent_at is not null""",
                    Long.class, tenant.value(), mode.wire(), customer, ts(from), ts(to));
            long atStripe;
            try {
                atStripe = atStripe(client, mode, customer, from, to);
            } catch (StripeException | IllegalStateException e) {
                log.warn("Tenant {}'s {} minutes of {} were not reconciled: {}", tenant.value(), mode.wire(), day, e.getMessage());
                return note(new Result(tenant, mode, day, customer, ours, null, "failed", 0), e.getMessage(), null);
            }
            if (atStripe == ours) return note(new Result(tenant, mode, day, customer, ours, atStripe, "ok", 0), null, null);
            if (atStripe > ours) {
                String why = "Stripe holds " + atStripe + " minutes, Parley sent " + ours + ": an event sent but not noted, or not Parley's";
                log.warn("Tenant {}'s {} minutes of {}: {}", tenant.value(), mode.wire(), day, why);
                return note(new Result(tenant, mode, day, customer, ours, atStripe, "excess", 0), why, null);
            }
            long gap = ours - atStripe;
            String identifier = "parley-reconcile-" + tenant.value() + "-" + mode.wire() + "-" + day + "-" + (corrections + 1);
            try {
                client.v1().billing().meterEvents().create(MeterEventCreateParams.builder().setEventName(MeterReporter.EVENT_NAME)
                        .setIdentifier(identifier).putPayload("stripe_customer_id", customer).putPayload("value", Long.toString(gap))
                        .setTimestamp(to.getEpochSecond() - 1).build());
            } catch (StripeException e) {
                log.warn("Tenant {}'s correction of {} minutes for {} was not sent, the next run tries again: {}", tenant.value(), gap, day, e.getMessage());
                return note(new Result(tenant, mode, day, customer, ours, atStripe, "failed", 0), "the correction was not sent: " + e.getMessage(), null);
            }
            log.info("Tenant {}'s {} minutes of {}: Stripe held {} of {}, {} sent as {}", tenant.value(), mode.wire(), day, atStripe, ours, gap, identifier);
            return note(new Result(tenant, mode, day, customer, ours, atStripe, "repaired", gap), "Stripe held " + atStripe + " of " + ours + " minutes",
                    identifier);
        });
    }

    /** The sum of Stripe's meter event summaries for the customer over the range. */
    private long atStripe(StripeClient client, Mode mode, String customer, Instant from, Instant to) throws StripeException {
        long summed = 0;
        for (MeterEventSummary summary : client.v1().billing().meters().eventSummaries().list(meter(client, mode), MeterEventSummaryListParams.builder()
                .setCustomer(customer).setStartTime(from.getEpochSecond()).setEndTime(to.getEpochSecond()).setLimit(100L).build()).getData()) {
            summed += summary.getAggregatedValue() == null ? 0 : summary.getAggregatedValue().setScale(0, RoundingMode.HALF_UP).longValueExact();
        }
        return summed;
    }

    /** Keeps the day's outcome (and a correction sent) on its row, inside the tenant's transaction. */
    private Result note(Result result, String detail, String correction) {
        String why = detail == null ? null : detail.length() > 500 ? detail.substring(0, 500) : detail;
        jdbc.update("""
                update meter_reconciliations set customer_id = ?, ours = ?, stripe = ?, outcome = ?, detail = ?, checked_at = ?,
                       corrections = corrections + (case when ?::text is null then 0 else 1 end),
                       correction_identifier = coalesce(?, correction_identifier),
                       correction_minutes = case when ?::text is null then correction_minutes else ? end,
                       corrected_at = case when ?::text is null then corrected_at else ? end
                 where tenant_id = ? and mode = ? and day = ?""",
                result.customerId(), result.ours(), result.stripe(), result.outcome(), why, ts(clock.instant()),
                correction, correction, correction, result.corrected(), correction, ts(clock.instant()),
                result.tenant().value(), result.mode().wire(), result.day());
        return result;
    }

    /** Every tenant's outcome kept for {@code day}, for the operator (across tenants). */
    public List<io.parley.platform.api.model.MeterReconciliation> kept(LocalDate day) {
        return jdbc.query("""
                select tenant_id, mode, day, customer_id, ours, stripe, outcome, detail, corrections, correction_identifier, correction_minutes,
                       corrected_at, checked_at from parley_meter_reconciliations(?)""",
                (rs, i) -> new io.parley.platform.api.model.MeterReconciliation(rs.getObject(1, UUID.class),
                        io.parley.platform.api.model.MeterReconciliation.ModeEnum.fromValue(rs.getString(2)), rs.getObject(3, LocalDate.class),
                        rs.getString(4), rs.getLong(5), io.parley.platform.api.model.MeterReconciliation.OutcomeEnum.fromValue(rs.getString(7)),
                        rs.getInt(9), rs.getObject(13, OffsetDateTime.class))
                        .stripe(rs.getObject(6, Long.class))
                        .detail(rs.getString(8))
                        .correctionIdentifier(rs.getString(10))
                        .correctionMinutes(rs.getObject(11, Long.class))
                        .correctedAt(rs.getObject(12, OffsetDateTime.class)),
                day);
    }

    /** The id of the mode's Billing Meter whose event name is {@link MeterReporter#EVENT_NAME}. */
    private String meter(StripeClient client, Mode mode) throws StripeException {
        String known = meters.get(mode);
        if (known != null) return known;
        for (Meter meter : client.v1().billing().meters().list(MeterListParams.builder().setStatus(MeterListParams.Status.ACTIVE).setLimit(100L).build())
                .autoPagingIterable()) {
            if (MeterReporter.EVENT_NAME.equals(meter.getEventName())) {
                meters.put(mode, meter.getId());
                return meter.getId();
            }
        }
        throw new IllegalStateException("Stripe has no active Billing Meter for the event " + MeterReporter.EVENT_NAME + " in " + mode.wire() + " mode");
    }

    private static OffsetDateTime ts(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
