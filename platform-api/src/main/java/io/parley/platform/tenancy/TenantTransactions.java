package io.parley.platform.tenancy;

import java.util.function.Supplier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs work in a transaction bound to one tenant: {@code set_config('app.tenant_id', tenant, true)}
 * is issued first, so PostgreSQL's row-level security shows and accepts only that tenant's rows for
 * exactly this transaction. Nested calls join the outer transaction; a nested call for another
 * tenant is a programming error and fails.
 */
@Component
public class TenantTransactions {

    private static final String BOUND_TENANT = TenantTransactions.class.getName() + ".tenant";

    private final TransactionTemplate readWrite;
    private final TransactionTemplate readOnly;
    private final TransactionTemplate plain;
    private final JdbcTemplate jdbc;

    public TenantTransactions(PlatformTransactionManager transactions, JdbcTemplate jdbc) {
        this.readWrite = new TransactionTemplate(transactions);
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.plain = new TransactionTemplate(transactions);
        this.plain.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
        this.jdbc = jdbc;
    }

    /** Runs {@code work} in a read-write transaction of {@code tenant}. */
    public <T> T write(TenantId tenant, Supplier<T> work) {
        return readWrite.execute(status -> {
            bind(tenant);
            return work.get();
        });
    }

    /** Runs {@code work} in a read-only transaction of {@code tenant}. */
    public <T> T read(TenantId tenant, Supplier<T> work) {
        return readOnly.execute(status -> {
            bind(tenant);
            return work.get();
        });
    }

    /** Runs {@code work} in a transaction bound to no tenant yet (the operator's requests). */
    public <T> T withoutTenant(Supplier<T> work) {
        return plain.execute(status -> work.get());
    }

    /**
     * Binds the current transaction to {@code tenant}; a transaction bound to no tenant may be bound
     * once (tenant creation), one bound to another tenant may not.
     */
    public void bind(TenantId tenant) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("A tenant can only be bound inside a transaction");
        }
        Object bound = TransactionSynchronizationManager.getResource(BOUND_TENANT);
        if (bound != null) {
            if (!bound.equals(tenant)) {
                throw new IllegalStateException("This transaction already belongs to another tenant");
            }
            return;
        }
        jdbc.queryForObject("select set_config('app.tenant_id', ?, true)", String.class, tenant.value().toString());
        TransactionSynchronizationManager.bindResource(BOUND_TENANT, tenant);
        TransactionSynchronizationManager.registerSynchronization(new org.springframework.transaction.support.TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                TransactionSynchronizationManager.unbindResourceIfPossible(BOUND_TENANT);
            }
        });
    }
}
