package io.parley.platform.crypto;

import io.parley.platform.tenancy.TenantId;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Each tenant's own data key (AES-256), made the first time it is needed and kept sealed under the master key
 * ({@link SecretBox}, {@code PARLEY_MASTER_KEY}): what a tenant keeps at rest (its recordings) is encrypted under
 * its key, so one tenant's data never opens with another's key, and the master key can be rotated by resealing
 * the data keys alone.
 */
@Component
public class DataKeys {

    private final SecretBox master;
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public DataKeys(SecretBox master, JdbcTemplate jdbc, Clock clock) {
        this.master = master;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** In the caller's transaction, bound to {@code tenant}: the tenant's data key, made now if it has none. */
    public SecretBox of(TenantId tenant) {
        String context = "tenant-data-key:" + tenant.value();
        List<byte[]> sealed = jdbc.query("select sealed_key from tenant_data_keys where tenant_id = ?", (rs, i) -> rs.getBytes(1), tenant.value());
        if (sealed.isEmpty()) {
            byte[] key = new byte[32];
            random.nextBytes(key);
            jdbc.update("insert into tenant_data_keys (tenant_id, sealed_key, created_at) values (?, ?, ?) on conflict do nothing",
                    tenant.value(), master.seal(key, context), Timestamp.from(clock.instant()));
            java.util.Arrays.fill(key, (byte) 0);
            sealed = jdbc.query("select sealed_key from tenant_data_keys where tenant_id = ?", (rs, i) -> rs.getBytes(1), tenant.value());
        }
        byte[] key = master.open(sealed.getFirst(), context);
        try {
            return new SecretBox(Base64.getEncoder().encodeToString(key));
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
    }
}
