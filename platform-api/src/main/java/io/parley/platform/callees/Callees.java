package io.parley.platform.callees;

import io.parley.platform.calls.DoNotCallList;
import io.parley.platform.calls.PhoneNumbers;
import io.parley.platform.personas.PersonaService;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import io.parley.platform.web.ProblemType;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The people a tenant's personas call, one per number: name and pronunciation, time zone, consent, favourite personas;
 * whether they opted out is the do-not-call list's. And what personas with {@code memory} remember of them: a summary
 * of each earlier call, kept in {@code callee_memories} by number, erasable.
 */
@Service
public class Callees {

    public enum Consent { UNKNOWN, GRANTED, REVOKED;
        public String wire() { return name().toLowerCase(java.util.Locale.ROOT); }
        static Consent of(String wire) { return valueOf(wire.toUpperCase(java.util.Locale.ROOT)); }
    }

    public record Callee(UUID id, String phoneNumber, String name, String pronunciation, String timeZone, Consent consent,
                         Instant consentChangedAt, boolean optedOut, List<UUID> favouritePersonaIds, Instant createdAt, Instant updatedAt) {}

    /** A new callee; {@code consent} null: unknown. */
    public record Draft(String phoneNumber, String name, String pronunciation, String timeZone, Consent consent) {}

    /** Changes; null fields keep their value. */
    public record Changes(String name, String pronunciation, String timeZone, Consent consent, Boolean optedOut) {}

    /** One call remembered. */
    public record Memory(UUID personaId, UUID callId, String summary, Instant at) {}

    /** How many earlier calls a persona is reminded of. */
    public static final int RECALLED = 3;
    static final int MAX_FAVOURITES = 20;
    private static final String COLUMNS = "c.id, c.phone_number, c.name, c.pronunciation, c.time_zone, c.consent, c.consent_changed_at, "
            + "exists (select 1 from do_not_call d where d.tenant_id = c.tenant_id and d.phone_number = c.phone_number), "
            + "c.favourite_persona_ids, c.created_at, c.updated_at";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final DoNotCallList doNotCall;
    private final PersonaService personas;
    private final Clock clock;

    public Callees(TenantTransactions transactions, JdbcTemplate jdbc, DoNotCallList doNotCall, PersonaService personas, Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.doNotCall = doNotCall;
        this.personas = personas;
        this.clock = clock;
    }

    public Callee create(TenantId tenant, Draft draft, String actor) {
        String number = PhoneNumbers.e164(draft.phoneNumber())
                .orElseThrow(() -> ApiProblemException.invalidField("phoneNumber", "not a valid phone number in E.164 (e.g. +442071838750)"));
        String name = required("name", draft.name());
        String zone = zone(draft.timeZone());
        Consent consent = draft.consent() == null ? Consent.UNKNOWN : draft.consent();
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            UUID id = Ids.next();
            try {
                jdbc.update("""
                        insert into callees (id, tenant_id, phone_number, name, pronunciation, time_zone, consent, consent_changed_at, created_at, updated_at)
                        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", id, tenant.value(), number, name, blankToNull(draft.pronunciation()), zone,
                        consent.wire(), consent == Consent.UNKNOWN ? null : Timestamp.from(now), Timestamp.from(now), Timestamp.from(now));
            } catch (DuplicateKeyException e) {
                throw new ApiProblemException(ProblemType.CONFLICT, "The tenant has a callee with " + number + " already",
                        List.of(new ApiProblemException.FieldError("phoneNumber", "a callee has it already")));
            }
            return find(tenant, id).orElseThrow();
        });
    }

    public Callee get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("callee"));
    }

    public Callee update(TenantId tenant, UUID id, Changes changes, String actor) {
        String name = changes.name() == null ? null : required("name", changes.name());
        String zone = changes.timeZone() == null ? null : zone(changes.timeZone());
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            Callee callee = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("callee"));
            boolean consentChanged = changes.consent() != null && changes.consent() != callee.consent();
            jdbc.update("""
                    update callees set name = coalesce(?, name), pronunciation = case when ? then ? else pronunciation end,
                           time_zone = coalesce(?, time_zone), consent = coalesce(?, consent),
                           consent_changed_at = case when ? then ? else consent_changed_at end, updated_at = ?
                     where tenant_id = ? and id = ?""",
                    name, changes.pronunciation() != null, blankToNull(changes.pronunciation()), zone,
                    changes.consent() == null ? null : changes.consent().wire(), consentChanged, Timestamp.from(now), Timestamp.from(now),
                    tenant.value(), id);
            if (Boolean.TRUE.equals(changes.optedOut()) && !callee.optedOut()) {
                doNotCall.list(tenant, callee.phoneNumber(), "the callee opted out (PATCH /v1/callees/" + id + ")", actor, now);
            } else if (Boolean.FALSE.equals(changes.optedOut()) && callee.optedOut()) {
                jdbc.update("delete from do_not_call where tenant_id = ? and phone_number = ?", tenant.value(), callee.phoneNumber());
            }
            return find(tenant, id).orElseThrow();
        });
    }

    /** Forgets the callee and what personas remember of them; a do-not-call entry stays. */
    public void delete(TenantId tenant, UUID id) {
        transactions.write(tenant, () -> {
            Callee callee = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("callee"));
            jdbc.update("delete from callee_memories where tenant_id = ? and phone_number = ?", tenant.value(), callee.phoneNumber());
            jdbc.update("delete from callees where tenant_id = ? and id = ?", tenant.value(), id);
            return null;
        });
    }

    public Page<Callee> page(TenantId tenant, String cursor, int limit, String phoneNumber) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            List<Object> args = new ArrayList<>(List.of(tenant.value()));
            StringBuilder sql = new StringBuilder("select " + COLUMNS + " from callees c where c.tenant_id = ?");
            if (phoneNumber != null) {
                sql.append(" and c.phone_number = ?");
                args.add(PhoneNumbers.e164(phoneNumber).orElse(phoneNumber));
            }
            if (after != null) {
                sql.append(" and c.id < ?");
                args.add(after);
            }
            sql.append(" order by c.id desc limit ?");
            args.add(limit + 1);
            return Page.of(jdbc.query(sql.toString(), Callees::callee, args.toArray()), limit, Callee::id);
        });
    }

    /** Adds a persona of the tenant's to the callee's favourites (at most {@link #MAX_FAVOURITES}); once only. */
    public Callee favour(TenantId tenant, UUID id, UUID personaId) {
        return transactions.write(tenant, () -> {
            Callee callee = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("callee"));
            personas.active(tenant, personaId).orElseThrow(() -> ApiProblemException.notFound("persona"));
            if (!callee.favouritePersonaIds().contains(personaId)) {
                if (callee.favouritePersonaIds().size() >= MAX_FAVOURITES) {
                    throw ApiProblemException.invalidField("personaId", "at most " + MAX_FAVOURITES + " favourites");
                }
                jdbc.update("update callees set favourite_persona_ids = array_append(favourite_persona_ids, ?), updated_at = ? "
                        + "where tenant_id = ? and id = ?", personaId, Timestamp.from(clock.instant()), tenant.value(), id);
            }
            return find(tenant, id).orElseThrow();
        });
    }

    public Callee unfavour(TenantId tenant, UUID id, UUID personaId) {
        return transactions.write(tenant, () -> {
            find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("callee"));
            jdbc.update("update callees set favourite_persona_ids = array_remove(favourite_persona_ids, ?), updated_at = ? "
                    + "where tenant_id = ? and id = ?", personaId, Timestamp.from(clock.instant()), tenant.value(), id);
            return find(tenant, id).orElseThrow();
        });
    }

    /** What personas remember of the callee, newest first. */
    public List<Memory> memory(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> {
            Callee callee = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("callee"));
            return jdbc.query("select persona_id, call_id, summary, created_at from callee_memories where tenant_id = ? and phone_number = ? "
                            + "order by created_at desc, call_id desc",
                    (rs, i) -> new Memory(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getTimestamp(4).toInstant()),
                    tenant.value(), callee.phoneNumber());
        });
    }

    public void eraseMemory(TenantId tenant, UUID id) {
        transactions.write(tenant, () -> {
            Callee callee = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("callee"));
            jdbc.update("delete from callee_memories where tenant_id = ? and phone_number = ?", tenant.value(), callee.phoneNumber());
            return null;
        });
    }

    /** In the caller's transaction: the callee with {@code e164}, if the tenant has one. */
    public Optional<Callee> byNumber(TenantId tenant, String e164) {
        return jdbc.query("select " + COLUMNS + " from callees c where c.tenant_id = ? and c.phone_number = ?", Callees::callee, tenant.value(), e164)
                .stream().findFirst();
    }

    /** The callee's time zone, if the tenant has the number as a callee with one (its own read). */
    public Optional<String> timeZone(TenantId tenant, String e164) {
        return transactions.read(tenant, () -> byNumber(tenant, e164).map(Callee::timeZone));
    }

    /**
     * In the caller's transaction: what {@code persona} remembers of {@code e164}, its last {@link #RECALLED} calls, oldest
     * first, each as "2026-11-28: summary".
     */
    public List<String> recall(TenantId tenant, UUID personaId, String e164) {
        List<String> recalled = new ArrayList<>(jdbc.query("""
                select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') || ': ' || summary from callee_memories
                 where tenant_id = ? and phone_number = ? and persona_id = ? order by created_at desc limit ?""",
                (rs, i) -> rs.getString(1), tenant.value(), e164, personaId, RECALLED));
        java.util.Collections.reverse(recalled);
        return recalled;
    }

    /** In the caller's transaction: remember the call (a summary of it) for its persona and number. */
    public void remember(TenantId tenant, UUID callId, String summary, Instant at) {
        jdbc.update("""
                insert into callee_memories (tenant_id, call_id, persona_id, phone_number, summary, created_at)
                select c.tenant_id, c.id, c.persona_id, c.to_number, left(?, 4000), ?
                  from calls c join personas p on p.tenant_id = c.tenant_id and p.id = c.persona_id
                 where c.tenant_id = ? and c.id = ? and p.memory
                on conflict do nothing""", summary, Timestamp.from(at), tenant.value(), callId);
    }

    private Optional<Callee> find(TenantId tenant, UUID id) {
        return jdbc.query("select " + COLUMNS + " from callees c where c.tenant_id = ? and c.id = ?", Callees::callee, tenant.value(), id)
                .stream().findFirst();
    }

    private static Callee callee(ResultSet rs, int i) throws SQLException {
        Array favourites = rs.getArray(9);
        List<UUID> ids = favourites == null ? List.of() : List.of((UUID[]) favourites.getArray());
        return new Callee(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                Consent.of(rs.getString(6)), rs.getTimestamp(7) == null ? null : rs.getTimestamp(7).toInstant(), rs.getBoolean(8), ids,
                rs.getTimestamp(10).toInstant(), rs.getTimestamp(11).toInstant());
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) throw ApiProblemException.invalidField(field, "must not be blank");
        if (value.chars().anyMatch(Character::isISOControl)) throw ApiProblemException.invalidField(field, "must be one line of text");
        return value.strip();
    }

    private static String zone(String zone) {
        if (zone == null || zone.isBlank()) return null;
        try {
            return ZoneId.of(zone.strip()).getId();
        } catch (DateTimeException e) {
            throw ApiProblemException.invalidField("timeZone", "not an IANA time zone such as Europe/London");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
