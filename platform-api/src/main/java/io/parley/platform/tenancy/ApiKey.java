package io.parley.platform.tenancy;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A tenant's secret API key. Only its SHA-256 hash, prefix and last four characters are stored. */
@Entity
@Table(name = "api_keys")
public class ApiKey {

    @Id
    private UUID id;

    @Column(name = "tenant_id", nullable = false)
    private UUID tenantId;

    private String name;

    @Column(nullable = false)
    private String mode;

    @Column(nullable = false)
    private String prefix;

    @Column(nullable = false)
    private String last4;

    @Column(name = "secret_hash", nullable = false)
    private byte[] secretHash;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(nullable = false, columnDefinition = "text[]")
    private String[] scopes;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected ApiKey() {}

    ApiKey(TenantId tenant, String name, Mode mode, ApiKeySecret secret, List<String> scopes, Instant createdAt) {
        this.id = Ids.next();
        this.tenantId = tenant.value();
        this.name = name;
        this.mode = mode.wire();
        this.prefix = secret.prefix();
        this.last4 = secret.last4();
        this.secretHash = secret.hash();
        this.scopes = scopes.toArray(String[]::new);
        this.createdAt = createdAt;
    }

    void revoke(Instant at) {
        if (revokedAt == null) {
            revokedAt = at;
        }
    }

    public UUID id() {
        return id;
    }

    public TenantId tenant() {
        return new TenantId(tenantId);
    }

    public String name() {
        return name;
    }

    public Mode mode() {
        return Mode.fromWire(mode);
    }

    public String prefix() {
        return prefix;
    }

    public String last4() {
        return last4;
    }

    public List<String> scopes() {
        return List.of(scopes);
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant revokedAt() {
        return revokedAt;
    }
}
