package io.parley.platform.calls.runtime;

import io.parley.platform.tenancy.TenantTransactions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the voice runtime's events to their calls' logs, each once: in a transaction bound to the
 * event's tenant, so row-level security hides every other tenant's calls, and keyed by the event's id,
 * so a redelivered event changes nothing. Call status is platform-api's own (the call's state machine).
 */
@Component
public class RuntimeEventWriter {

    /** The actor of the runtime's events in a call's log. */
    public static final String ACTOR = "runtime";

    /** What became of one event. */
    public enum Outcome { APPLIED, DUPLICATE }

    /** The event names a call its tenant does not have: it can never be applied. */
    static final class UnknownCall extends Exception {
        UnknownCall(RuntimeEvent event) {
            super("tenant " + event.tenant().value() + " has no call " + event.callId(), null, false, false);
        }
    }

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;

    public RuntimeEventWriter(TenantTransactions transactions, JdbcTemplate jdbc) {
        this.transactions = transactions;
        this.jdbc = jdbc;
    }

    /** Writes {@code event} unless its id is already written; the transaction has committed when this returns. */
    public Outcome write(RuntimeEvent event) throws UnknownCall {
        Outcome outcome = transactions.write(event.tenant(), () -> {
            Boolean known = jdbc.queryForObject("select exists (select 1 from calls where tenant_id = ? and id = ?)", Boolean.class,
                    event.tenant().value(), event.callId());
            if (!Boolean.TRUE.equals(known)) {
                return null;
            }
            int inserted = jdbc.update("""
                    insert into call_events (id, tenant_id, call_id, type, actor, reason, occurred_at, data)
                    values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                    on conflict (id) do nothing""",
                    event.id(), event.tenant().value(), event.callId(), event.type(), ACTOR, event.reason(),
                    OffsetDateTime.ofInstant(event.at(), ZoneOffset.UTC), event.data());
            return inserted == 1 ? Outcome.APPLIED : Outcome.DUPLICATE;
        });
        if (outcome == null) {
            throw new UnknownCall(event);
        }
        return outcome;
    }
}
