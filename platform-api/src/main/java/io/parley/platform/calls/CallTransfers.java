package io.parley.platform.calls;

import io.parley.platform.telephony.Carriers;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Puts a call under way through to a person when its voice runtime asks ({@code call.transfer_requested}): a caller who
 * showed signs of self-harm, once they heard the crisis line, goes to the number of the call's persona version
 * ({@code crisisTransferTo}), through the carrier that placed or answered the call. The call's log gets
 * {@code call.transferred}, or {@code call.transfer_failed} with why (no number, no carrier call, the carrier refused).
 */
@Component
public class CallTransfers {

    private static final Logger log = LoggerFactory.getLogger(CallTransfers.class);

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final Carriers carriers;
    private final JsonMapper json;
    private final Clock clock;

    public CallTransfers(TenantTransactions transactions, JdbcTemplate jdbc, Carriers carriers, JsonMapper json, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.carriers = carriers;
        this.json = json;
        this.clock = clock;
    }

    /** Where a call would go, and the carrier's call to move. */
    record Target(String to, String carrier, String providerCallId) {}

    /** Transfers the call as its runtime asked ({@code reason}: {@code crisis}); never throws. */
    public void transfer(TenantId tenant, UUID callId, String reason) {
        Optional<Target> target = transactions.read(tenant, () -> jdbc.query("""
                select coalesce(v.snapshot, to_jsonb(p))->'settings'->'safety'->>'crisisTransferTo', a.carrier, a.provider_call_id
                  from calls c
                  join personas p on p.tenant_id = c.tenant_id and p.id = c.persona_id
                  left join persona_versions v on v.tenant_id = c.tenant_id and v.persona_id = c.persona_id and v.version = c.persona_version
                  left join lateral (select carrier, provider_call_id from call_attempts a
                                      where a.tenant_id = c.tenant_id and a.call_id = c.id order by a.number desc limit 1) a on true
                 where c.tenant_id = ? and c.id = ?""",
                (rs, i) -> new Target(rs.getString(1), rs.getString(2), rs.getString(3)), tenant.value(), callId).stream().findFirst());
        if (target.isEmpty() || target.get().to() == null) {
            record(tenant, callId, "call.transfer_failed", "the call's persona has no crisisTransferTo", null, reason);
            return;
        }
        Target t = target.get();
        if (t.providerCallId() == null) {
            record(tenant, callId, "call.transfer_failed", "the carrier has no call under way to transfer", t.to(), reason);
            return;
        }
        try {
            carriers.named(t.carrier()).transfer(t.providerCallId(), t.to());
            record(tenant, callId, "call.transferred", reason, t.to(), reason);
        } catch (RuntimeException e) {
            log.warn("Call {} could not be put through to its persona's crisis number: {}", callId, e.toString());
            record(tenant, callId, "call.transfer_failed", "the " + t.carrier() + " carrier refused: " + e.getMessage(), t.to(), reason);
        }
    }

    private void record(TenantId tenant, UUID callId, String type, String why, String to, String reason) {
        java.util.Map<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("reason", reason);
        if (to != null) data.put("to", to);
        transactions.write(tenant, () -> jdbc.update("""
                insert into call_events (id, tenant_id, call_id, type, actor, reason, occurred_at, data)
                values (?, ?, ?, ?, 'system', ?, ?, ?::jsonb)""",
                UUID.randomUUID(), tenant.value(), callId, type, abbreviate(why), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
                json.writeValueAsString(data)));
    }

    private static String abbreviate(String text) {
        return text == null || text.length() <= 200 ? text : text.substring(0, 199) + "…";
    }
}
