package io.parley.platform.calls.runtime;

import io.parley.platform.calls.CallTransfers;
import io.parley.platform.calls.DoNotCallList;
import io.parley.platform.summaries.Summaries;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the voice runtime's events to their calls' logs, each once: in a transaction bound to the
 * event's tenant, so row-level security hides every other tenant's calls, and keyed by the event's id,
 * so a redelivered event changes nothing. Call status is platform-api's own (the call's state machine). A call
 * that ended because the callee opted out puts the callee's number on the tenant's do-not-call list.
 */
@Component
public class RuntimeEventWriter {

    /** The actor of the runtime's events in a call's log. */
    public static final String ACTOR = "runtime";

    /** The runtime asks for the call to be put through to a person (a caller in crisis heard the crisis line). */
    static final String TRANSFER_REQUESTED = "call.transfer_requested";

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
    private final DoNotCallList doNotCall;
    private final Summaries summaries;
    private final CallTransfers transfers;
    private final io.parley.platform.billing.UsageLedger usage;
    private final tools.jackson.databind.json.JsonMapper json;

    public RuntimeEventWriter(TenantTransactions transactions, JdbcTemplate jdbc, DoNotCallList doNotCall, Summaries summaries,
                              CallTransfers transfers, tools.jackson.databind.json.JsonMapper json,
                              io.parley.platform.billing.UsageLedger usage) {
        this.transfers = transfers;
        this.usage = usage;
        this.json = json;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.doNotCall = doNotCall;
        this.summaries = summaries;
    }

    /** Writes {@code event} unless its id is already written; the transaction has committed when this returns. */
    public Outcome write(RuntimeEvent event) throws UnknownCall {
        Outcome outcome = transactions.write(event.tenant(), () -> {
            String to = jdbc.query("select to_number from calls where tenant_id = ? and id = ?", (rs, i) -> rs.getString(1),
                    event.tenant().value(), event.callId()).stream().findFirst().orElse(null);
            if (to == null) {
                return null;
            }
            int inserted = jdbc.update("""
                    insert into call_events (id, tenant_id, call_id, type, actor, reason, occurred_at, data)
                    values (?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                    on conflict (id) do nothing""",
                    event.id(), event.tenant().value(), event.callId(), event.type(), ACTOR, event.reason(),
                    OffsetDateTime.ofInstant(event.at(), ZoneOffset.UTC), event.data());
            if (inserted == 1 && DoNotCallList.OPT_OUT_REASON.equals(event.reason())) {
                // the callee pressed the opt-out key or asked not to be called again: in the same transaction as the event
                doNotCall.optOut(event.tenant(), to, event.callId(), event.at());
            }
            if (inserted == 1 && "call.usage".equals(event.type())) {
                usage.record(event.tenant(), event.callId(), event.id(), event.at(), event.data());   // the ledger, with the event
            }
            if (inserted == 1 && "call.ended".equals(event.type())) {
                summaries.queue(event.tenant(), event.callId(), event.at());   // summarized once the transcript is complete
            }
            return inserted == 1 ? Outcome.APPLIED : Outcome.DUPLICATE;
        });
        if (outcome == null) {
            throw new UnknownCall(event);
        }
        if (outcome == Outcome.APPLIED && TRANSFER_REQUESTED.equals(event.type())) {
            // after the commit, once: a redelivered request is a duplicate and moves nothing again
            transfers.transfer(event.tenant(), event.callId(), transferReason(event));
        }
        return outcome;
    }

    private String transferReason(RuntimeEvent event) {
        try {
            String reason = json.readTree(event.data()).path("reason").asString("");
            return reason.matches("[a-z_]{1,40}") ? reason : "requested";
        } catch (RuntimeException e) {
            return "requested";
        }
    }
}
