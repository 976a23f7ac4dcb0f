package io.parley.platform.tenancy;

import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/** Creates tenants. Only the operator may; each tenant starts with one test-mode API key. */
@Service
public class TenantService {

    /** A new tenant and its first key, whose secret exists only in this object. */
    public record CreatedTenant(Tenant tenant, ApiKey apiKey, ApiKeySecret secret) {}

    private final EntityManager entities;
    private final TenantTransactions transactions;
    private final ApiKeyService apiKeys;
    private final Clock clock;

    public TenantService(EntityManager entities, TenantTransactions transactions, ApiKeyService apiKeys, Clock clock) {
        this.entities = entities;
        this.transactions = transactions;
        this.apiKeys = apiKeys;
        this.clock = clock;
    }

    public CreatedTenant create(String name) {
        return create(new TenantId(Ids.next()), name);
    }

    /** Creates the tenant {@code id}; joins the caller's transaction, which it binds to the new tenant. */
    public CreatedTenant create(TenantId id, String name) {
        return transactions.write(id, () -> {
            Tenant tenant = new Tenant(id, name, clock.instant());
            entities.persist(tenant);
            entities.flush();
            ApiKeyService.CreatedKey key = apiKeys.create(id, "default", Mode.TEST, List.of());
            return new CreatedTenant(tenant, key.apiKey(), key.secret());
        });
    }

    public Optional<Tenant> find(TenantId id) {
        return transactions.read(id, () -> Optional.ofNullable(entities.find(Tenant.class, id.value())));
    }
}
