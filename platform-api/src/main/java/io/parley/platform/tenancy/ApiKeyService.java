package io.parley.platform.tenancy;

import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Secret API keys: made, listed (never showing the secret), revoked, and checked on every request. */
@Service
public class ApiKeyService {

    /** A new key and its secret, which exists only in this object. */
    public record CreatedKey(ApiKey apiKey, ApiKeySecret secret) {}

    private final EntityManager entities;
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    public ApiKeyService(EntityManager entities, TenantTransactions transactions, JdbcTemplate jdbc, Clock clock) {
        this.entities = entities;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * The caller a bearer token stands for, if it is a live, unrevoked key. The lookup goes through
     * the database function {@code parley_find_api_key}, the one way to find a key without a tenant.
     */
    public Optional<Caller> authenticate(String token) {
        if (!ApiKeySecret.looksLike(token) || token.length() > 200) {
            return Optional.empty();
        }
        ApiKeySecret secret = new ApiKeySecret(token);
        List<Caller> found = jdbc.query(
                "select id, tenant_id, mode, scopes, revoked_at from parley_find_api_key(?)",
                (rs, row) -> {
                    if (rs.getTimestamp("revoked_at") != null) {
                        return null;
                    }
                    Mode mode = Mode.fromWire(rs.getString("mode"));
                    if (mode != secret.mode()) {
                        return null;
                    }
                    String[] stored = (String[]) rs.getArray("scopes").getArray();
                    Set<Scope> listed = new HashSet<>();
                    for (String s : stored) {
                        Scope.fromWire(s).ifPresent(listed::add);
                    }
                    // no scopes stored means every scope; scopes stored but none known any more means none
                    Set<Scope> granted = stored.length > 0 && listed.isEmpty() ? Set.of() : Scope.granted(listed);
                    return new Caller(new TenantId(rs.getObject("tenant_id", UUID.class)), mode,
                            "api_key:" + rs.getObject("id", UUID.class), granted);
                },
                (Object) secret.hash());
        return found.stream().filter(c -> c != null).findFirst();
    }

    public CreatedKey create(TenantId tenant, String name, Mode mode, List<Scope> scopes) {
        ApiKeySecret secret = ApiKeySecret.generate(mode);
        ApiKey key = new ApiKey(tenant, name, mode, secret, scopes.stream().distinct().map(Scope::wire).toList(), clock.instant());
        transactions.write(tenant, () -> {
            entities.persist(key);
            entities.flush();
            return key;
        });
        return new CreatedKey(key, secret);
    }

    public ApiKey get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("API key"));
    }

    public ApiKey revoke(TenantId tenant, UUID id) {
        return transactions.write(tenant, () -> {
            ApiKey key = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("API key"));
            key.revoke(clock.instant());
            return key;
        });
    }

    public Page<ApiKey> page(TenantId tenant, String cursor, int limit) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            var query = entities.createQuery(
                            "select k from ApiKey k where k.tenantId = :tenant"
                                    + (after == null ? "" : " and k.id < :after") + " order by k.id desc", ApiKey.class)
                    .setParameter("tenant", tenant.value())
                    .setMaxResults(limit + 1);
            if (after != null) {
                query.setParameter("after", after);
            }
            return Page.of(query.getResultList(), limit, ApiKey::id);
        });
    }

    private Optional<ApiKey> find(TenantId tenant, UUID id) {
        return entities.createQuery("select k from ApiKey k where k.tenantId = :tenant and k.id = :id", ApiKey.class)
                .setParameter("tenant", tenant.value())
                .setParameter("id", id)
                .getResultStream()
                .findFirst();
    }
}
