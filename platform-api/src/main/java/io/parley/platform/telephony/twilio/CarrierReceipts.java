package io.parley.platform.telephony.twilio;

import io.parley.platform.tenancy.TenantTransactions;
import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Carrier webhooks already applied, by the carrier's idempotency token, so one the carrier sends again is
 * answered without being applied again. Applying is itself idempotent (an attempt only moves forward); the
 * receipt spares the work and keeps a resent callback out of the logs.
 */
public final class CarrierReceipts {

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;

    public CarrierReceipts(TenantTransactions transactions, JdbcTemplate jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    public boolean seen(String carrier, String token) {
        return transactions.withoutTenant(() -> Boolean.TRUE.equals(jdbc.queryForObject(
                "select exists (select 1 from carrier_webhook_receipts where carrier = ? and token = ?)", Boolean.class, carrier, token)));
    }

    /** Records the token once applied; false when another instance recorded it first. */
    public boolean record(String carrier, String token, Instant at) {
        return transactions.withoutTenant(() -> jdbc.update(
                "insert into carrier_webhook_receipts (carrier, token, received_at) values (?, ?, ?) on conflict do nothing",
                carrier, token, Timestamp.from(at)) == 1);
    }

    /** Forgets tokens received before {@code before}. */
    public int purge(Instant before) {
        return transactions.withoutTenant(() -> jdbc.update("delete from carrier_webhook_receipts where received_at < ?", Timestamp.from(before)));
    }
}
