package io.parley.platform.recordings;

import io.parley.platform.crypto.DataKeys;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Call recordings, kept encrypted at rest under the call's tenant's data key (AES-256-GCM, bound to the
 * recording's id so a sealed recording copied to another row does not open) and read back only within that
 * tenant. Each is deleted after the tenant's retention ({@code recordingRetentionDays}, default
 * {@value #DEFAULT_RETENTION_DAYS} days). A stored recording is a {@code recording.ready} event on its call, and so
 * a webhook.
 */
@Component
public class Recordings implements io.parley.platform.telephony.CarrierRecordings {

    private static final Logger log = LoggerFactory.getLogger(Recordings.class);
    public static final int DEFAULT_RETENTION_DAYS = 30;

    /** A recording's description (its audio is read with {@link #audio}). */
    public record Recording(UUID id, UUID callId, String contentType, Duration duration, long sizeBytes, Instant createdAt, Instant expiresAt) {}

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final DataKeys keys;
    private final Clock clock;

    public Recordings(TenantTransactions transactions, JdbcTemplate jdbc, DataKeys keys, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Keeps {@code audio} (a WAV) as the recording of the call a carrier knows as {@code providerCallId}, if that
     * call records. False when it does not, or when the carrier's call is unknown; a second recording of the same
     * call is ignored.
     */
    public boolean store(String carrier, String providerCallId, byte[] audio, Duration duration, String source) {
        Optional<Map.Entry<UUID, TenantId>> attempt = transactions.withoutTenant(() -> jdbc.query(
                "select id, tenant_id from parley_find_attempt(?, ?)",
                (rs, i) -> Map.entry(rs.getObject(1, UUID.class), new TenantId(rs.getObject(2, UUID.class))),
                carrier, providerCallId).stream().findFirst());
        if (attempt.isEmpty()) {
            return false;
        }
        TenantId tenant = attempt.get().getValue();
        return transactions.write(tenant, () -> {
            Optional<UUID> callId = jdbc.query("select c.id from calls c join call_attempts a on a.call_id = c.id and a.tenant_id = c.tenant_id"
                    + " where a.id = ? and c.record", (rs, i) -> rs.getObject(1, UUID.class), attempt.get().getKey()).stream().findFirst();
            return callId.isPresent() && store(tenant, callId.get(), audio, duration, source);
        });
    }

    private boolean store(TenantId tenant, UUID callId, byte[] audio, Duration duration, String source) {
        Instant now = clock.instant();
        // a tenant with settings of its own may still leave the retention to Parley (null)
        Integer days = jdbc.query("select recording_retention_days from tenant_settings where tenant_id = ?",
                (rs, i) -> (Integer) rs.getObject(1), tenant.value()).stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
        Instant expires = now.plus(Duration.ofDays(days == null ? DEFAULT_RETENTION_DAYS : days));
        UUID id = Ids.next();
        byte[] sealed = keys.of(tenant).seal(audio, context(tenant, id));
        int inserted = jdbc.update("""
                insert into recordings (id, tenant_id, call_id, content_type, duration_ms, size_bytes, sealed_audio, source, created_at, expires_at)
                values (?, ?, ?, 'audio/wav', ?, ?, ?, ?, ?, ?) on conflict (tenant_id, call_id) do nothing""",
                id, tenant.value(), callId, duration.toMillis(), audio.length, sealed, source, Timestamp.from(now), Timestamp.from(expires));
        if (inserted == 1) {
            jdbc.update("""
                    insert into call_events (id, tenant_id, call_id, type, from_status, to_status, actor, reason, occurred_at)
                    values (?, ?, ?, 'recording.ready', null, null, ?, ?, ?)""",
                    Ids.next(), tenant.value(), callId, "carrier:" + source, duration.toSeconds() + " s, kept until " + expires, Timestamp.from(now));
        }
        return inserted == 1;
    }

    @Override
    public boolean recorded(String carrier, String providerCallId, byte[] wav, Duration duration) {
        return store(carrier, providerCallId, wav, duration, carrier);
    }

    /** Whether the call was recorded, and how. */
    public Optional<Recording> find(TenantId tenant, UUID callId) {
        return transactions.read(tenant, () -> jdbc.query(
                "select id, call_id, content_type, duration_ms, size_bytes, created_at, expires_at from recordings where tenant_id = ? and call_id = ?",
                (rs, i) -> new Recording(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                        Duration.ofMillis(rs.getLong(4)), rs.getLong(5), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant()),
                tenant.value(), callId).stream().findFirst());
    }

    /** The call's recording as it was made, decrypted; empty when there is none (or it was deleted). */
    public Optional<byte[]> audio(TenantId tenant, UUID callId) {
        return transactions.read(tenant, () -> jdbc.query("select id, sealed_audio from recordings where tenant_id = ? and call_id = ?",
                        (rs, i) -> Map.entry(rs.getObject(1, UUID.class), rs.getBytes(2)), tenant.value(), callId).stream().findFirst()
                .map(row -> keys.of(tenant).open(row.getValue(), context(tenant, row.getKey()))));
    }

    /** Deletes the call's recording now; false when it had none. */
    public boolean delete(TenantId tenant, UUID callId) {
        return transactions.write(tenant, () -> jdbc.update("delete from recordings where tenant_id = ? and call_id = ?", tenant.value(), callId) == 1);
    }

    /** Deletes recordings past their tenant's retention; returns how many. */
    public int deleteExpired(Instant now) {
        int deleted = 0;
        int batch;
        do {
            batch = transactions.withoutTenant(() -> jdbc.query("select id from parley_delete_expired_recordings(?, ?)",
                    (rs, i) -> rs.getObject(1, UUID.class), Timestamp.from(now), 500)).size();
            deleted += batch;
        } while (batch == 500);
        return deleted;
    }

    @Scheduled(fixedDelayString = "PT15M", initialDelayString = "PT1M")
    void retention() {
        try {
            int deleted = deleteExpired(clock.instant());
            if (deleted > 0) {
                log.info("Deleted {} recordings past their retention", deleted);
            }
        } catch (RuntimeException e) {
            log.warn("Recording retention failed: {}", e.toString());
        }
    }

    private static String context(TenantId tenant, UUID recordingId) {
        return "recording:" + tenant.value() + ":" + recordingId;
    }
}
