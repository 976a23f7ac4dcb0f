package io.parley.platform.billing;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The usage ledger: one row per call leg and meter from the voice runtime's {@code call.usage} events, each with the
 * provider's cost estimate ({@code parley.billing.provider-costs}, in millionths of a dollar per unit). Written in the
 * transaction that records the event, once per event and meter however often it is delivered; never changed after.
 *
 * <p><b>Billable minutes</b>: a call's {@code call_seconds}, summed over its legs, rounded up to the next whole minute
 * (a call of 61 seconds is two minutes; a call that never reached the runtime has no legs and is not billed).
 */
@Component
public class UsageLedger {

    /** One meter of one leg. */
    record Entry(String meter, String provider, BigDecimal quantity) {}

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final BillingProperties settings;
    private final BillingNotices notices;

    public UsageLedger(JdbcTemplate jdbc, JsonMapper json, BillingProperties settings, BillingNotices notices) {
        this.jdbc = jdbc;
        this.json = json;
        this.settings = settings;
        this.notices = notices;
    }

    /**
     * Records a {@code call.usage} event's meters (inside the tenant's transaction that records the event), then alerts
     * the tenant of each spend threshold it reached.
     */
    public void record(TenantId tenant, UUID callId, UUID eventId, Instant at, String data) {
        // the phone line's seconds are priced by the carrier that carried the call (the sandbox's cost nothing)
        String carrier = jdbc.query("select carrier from call_attempts where tenant_id = ? and call_id = ? order by number desc limit 1",
                (rs, i) -> rs.getString(1), tenant.value(), callId).stream().findFirst().orElse(null);
        List<Entry> entries = entries(json.readTree(data == null ? "{}" : data), carrier);
        for (Entry e : entries) {
            jdbc.update("""
                    insert into usage_ledger (id, tenant_id, call_id, persona_id, mode, source_event_id, meter, provider, quantity,
                                              cost_estimate_micros, occurred_at)
                    select ?, c.tenant_id, c.id, c.persona_id, c.mode, ?, ?, ?, ?, ?, ?
                      from calls c where c.tenant_id = ? and c.id = ?
                    on conflict (source_event_id, meter) do nothing""",
                    UUID.randomUUID(), eventId, e.meter(), e.provider(), e.quantity(), cost(e), OffsetDateTime.ofInstant(at, ZoneOffset.UTC),
                    tenant.value(), callId);
        }
        if (!entries.isEmpty()) {
            jdbc.query("select mode from calls where tenant_id = ? and id = ?", (rs, i) -> rs.getString(1), tenant.value(), callId)
                    .stream().findFirst().map(Mode::fromWire).ifPresent(mode -> notices.checkThresholds(tenant, mode));
        }
    }

    /** The meters of a {@code call.usage} event's data; a missing or malformed part is left out, never guessed. */
    static List<Entry> entries(JsonNode data, String carrier) {
        List<Entry> entries = new ArrayList<>();
        add(entries, "call_seconds", carrier, data.path("callSeconds"));
        JsonNode stt = data.path("stt");
        add(entries, "stt_seconds", provider(stt), stt.path("seconds"));
        JsonNode llm = data.path("llm");
        add(entries, "llm_input_tokens", provider(llm), llm.path("inputTokens"));
        add(entries, "llm_output_tokens", provider(llm), llm.path("outputTokens"));
        JsonNode tts = data.path("tts");
        add(entries, "tts_characters", provider(tts), tts.path("characters"));
        return entries;
    }

    private static String provider(JsonNode part) {
        String provider = part.path("provider").asString("");
        return provider.isEmpty() ? null : provider.length() > 60 ? provider.substring(0, 60) : provider;
    }

    private static void add(List<Entry> entries, String meter, String provider, JsonNode quantity) {
        if (quantity.isNumber() && quantity.asDouble() >= 0 && Double.isFinite(quantity.asDouble())) {
            entries.add(new Entry(meter, provider, quantity.decimalValue().setScale(3, RoundingMode.HALF_UP)));
        }
    }

    /** The provider's estimated cost of an entry, in millionths of a dollar (0 for a provider with no configured price). */
    long cost(Entry e) {
        Map<String, BigDecimal> prices = e.provider() == null ? Map.of() : settings.providerCosts().getOrDefault(e.provider(), Map.of());
        BigDecimal perUnit = prices.getOrDefault(e.meter(), BigDecimal.ZERO);
        return perUnit.multiply(e.quantity()).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** A day's usage of one persona. */
    public record Day(java.time.LocalDate date, UUID personaId, long calls, long billableMinutes, BigDecimal callSeconds, long providerCostMicros) {}

    /** The usage of {@code mode}'s calls recorded from {@code from} to {@code to} (UTC dates, both included), per day and persona. */
    public List<Day> days(TenantId tenant, Mode mode, java.time.LocalDate from, java.time.LocalDate to) {
        return jdbc.query("""
                with per_call as (
                  select call_id, persona_id, min(occurred_at) as first_at,
                         coalesce(sum(quantity) filter (where meter = 'call_seconds'), 0) as seconds,
                         sum(cost_estimate_micros) as cost
                    from usage_ledger
                   where tenant_id = ? and mode = ? and occurred_at >= ? and occurred_at < ?
                   group by call_id, persona_id)
                select (first_at at time zone 'UTC')::date, persona_id, count(*), sum(ceil(seconds / 60.0))::bigint, sum(seconds), sum(cost)::bigint
                  from per_call group by 1, 2 order by 1, 2""",
                (rs, i) -> new Day(rs.getObject(1, java.time.LocalDate.class), rs.getObject(2, UUID.class), rs.getLong(3), rs.getLong(4),
                        rs.getBigDecimal(5), rs.getLong(6)),
                tenant.value(), mode.wire(), OffsetDateTime.of(from.atStartOfDay(), ZoneOffset.UTC),
                OffsetDateTime.of(to.plusDays(1).atStartOfDay(), ZoneOffset.UTC));
    }
}
