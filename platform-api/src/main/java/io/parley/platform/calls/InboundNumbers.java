package io.parley.platform.calls;

import io.parley.platform.personas.Persona;
import io.parley.platform.personas.PersonaService;
import io.parley.platform.telephony.Carriers;
import io.parley.platform.telephony.Telephony;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import io.parley.platform.web.ProblemType;
import jakarta.persistence.EntityManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A tenant's own numbers, each answered by one of its personas, and the calls they receive. A number is the
 * carrier's of its mode (test mode: the sandbox; live mode: Twilio when configured), which is asked to send the
 * number's calls to Parley when it is registered. An inbound call is a call like any other ({@code direction:
 * inbound}, its caller in {@code to}): its events, its transcript, its webhooks, handed to the voice runtime with
 * the number's persona.
 */
@Service
public class InboundNumbers {

    /** One of the tenant's numbers. */
    public record Number(UUID id, String phoneNumber, Mode mode, String carrier, UUID personaId, Instant createdAt, Instant updatedAt) {}

    private static final String COLUMNS = "id, phone_number, mode, carrier, persona_id, created_at, updated_at";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final EntityManager entities;
    private final PersonaService personas;
    private final Carriers carriers;
    private final Clock clock;

    private final io.parley.platform.callees.Callees callees;

    public InboundNumbers(TenantTransactions transactions, JdbcTemplate jdbc, EntityManager entities, PersonaService personas,
                          Carriers carriers, Clock clock, io.parley.platform.callees.Callees callees) {
        this.callees = callees;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.entities = entities;
        this.personas = personas;
        this.carriers = carriers;
        this.clock = clock;
    }

    /** Registers {@code phoneNumber}, answered by {@code personaId}; the carrier of {@code mode} is pointed at Parley first. */
    public Number create(TenantId tenant, Mode mode, String phoneNumber, UUID personaId) {
        String number = PhoneNumbers.e164(phoneNumber)
                .orElseThrow(() -> ApiProblemException.invalidField("phoneNumber", "not a valid phone number in E.164 (e.g. +14155550150)"));
        requirePersona(tenant, personaId);
        String carrier = carriers.route(mode).carrier();
        if (taken(carrier, number)) {
            throw taken();
        }
        String providerSid;
        try {
            providerSid = carriers.named(carrier).answerAt(number);
        } catch (Telephony.Refused e) {
            throw ApiProblemException.invalidField("phoneNumber", e.getMessage());
        }
        Instant now = clock.instant();
        try {
            return transactions.write(tenant, () -> jdbc.queryForObject(
                    "insert into phone_numbers (id, tenant_id, phone_number, mode, carrier, provider_sid, persona_id, created_at, updated_at)"
                            + " values (?, ?, ?, ?, ?, ?, ?, ?, ?) returning " + COLUMNS,
                    InboundNumbers::number, Ids.next(), tenant.value(), number, mode.wire(), carrier, providerSid, personaId,
                    Timestamp.from(now), Timestamp.from(now)));
        } catch (DuplicateKeyException e) {
            throw taken();
        }
    }

    private boolean taken(String carrier, String number) {
        return transactions.withoutTenant(() -> jdbc.queryForObject("select parley_number_tenant(?, ?)", UUID.class, carrier, number)) != null;
    }

    private static ApiProblemException taken() {
        return new ApiProblemException(ProblemType.CONFLICT, "This number is already answered by Parley (for this tenant or another)");
    }

    private void requirePersona(TenantId tenant, UUID personaId) {
        if (personaId == null || personas.active(tenant, personaId).isEmpty()) {
            throw ApiProblemException.invalidField("personaId", "no persona of the tenant has this id");
        }
    }

    public Number get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("phone number"));
    }

    private Optional<Number> find(TenantId tenant, UUID id) {
        return jdbc.query("select " + COLUMNS + " from phone_numbers where tenant_id = ? and id = ?", InboundNumbers::number,
                tenant.value(), id).stream().findFirst();
    }

    /** Answers the number with another persona from now on. */
    public Number update(TenantId tenant, UUID id, UUID personaId) {
        return transactions.write(tenant, () -> {
            if (find(tenant, id).isEmpty()) {
                throw ApiProblemException.notFound("phone number");
            }
            requirePersona(tenant, personaId);
            int updated = jdbc.update("update phone_numbers set persona_id = ?, updated_at = ? where tenant_id = ? and id = ?",
                    personaId, Timestamp.from(clock.instant()), tenant.value(), id);
            if (updated == 0) {
                throw ApiProblemException.notFound("phone number");
            }
            return find(tenant, id).orElseThrow();
        });
    }

    public void delete(TenantId tenant, UUID id) {
        if (transactions.write(tenant, () -> jdbc.update("delete from phone_numbers where tenant_id = ? and id = ?", tenant.value(), id)) == 0) {
            throw ApiProblemException.notFound("phone number");
        }
    }

    public Page<Number> page(TenantId tenant, String cursor, int limit) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            List<Object> args = new ArrayList<>(List.of(tenant.value()));
            StringBuilder sql = new StringBuilder("select " + COLUMNS + " from phone_numbers where tenant_id = ?");
            if (after != null) {
                sql.append(" and id < ?");
                args.add(after);
            }
            sql.append(" order by id desc limit ?");
            args.add(limit + 1);
            return Page.of(jdbc.query(sql.toString(), InboundNumbers::number, args.toArray()), limit, Number::id);
        });
    }

    /**
     * A call from {@code caller} to {@code number} reached {@code carrier} as {@code providerCallId}: the call is
     * recorded, ringing then answered, with the persona of the number as it is now. The same call reported again
     * (a carrier's retry) is the call already recorded. Empty when the number is not answered by Parley, or its
     * persona is gone.
     */
    public Optional<DispatchLedger.Begun> receive(String carrier, String number, String caller, String providerCallId) {
        UUID owner = transactions.withoutTenant(() -> jdbc.queryForObject("select parley_number_tenant(?, ?)", UUID.class, carrier, number));
        if (owner == null) {
            return Optional.empty();
        }
        TenantId tenant = new TenantId(owner);
        String from = caller == null || caller.isBlank() ? "anonymous" : caller.strip().substring(0, Math.min(caller.strip().length(), 32));
        return transactions.write(tenant, () -> {
            Optional<Number> line = jdbc.query("select " + COLUMNS + " from phone_numbers where tenant_id = ? and carrier = ? and phone_number = ?",
                    InboundNumbers::number, tenant.value(), carrier, number).stream().findFirst();
            if (line.isEmpty()) {
                return Optional.<DispatchLedger.Begun>empty();
            }
            Optional<Persona> persona = personas.active(tenant, line.get().personaId());
            if (persona.isEmpty()) {
                return Optional.<DispatchLedger.Begun>empty();
            }
            Instant now = clock.instant();
            Optional<CallAttempt> earlier = entities.createQuery(
                            "select a from CallAttempt a where a.carrier = :carrier and a.providerCallId = :sid", CallAttempt.class)
                    .setParameter("carrier", carrier).setParameter("sid", providerCallId).getResultStream().findFirst();
            Call call;
            CallAttempt attempt;
            if (earlier.isPresent()) {
                attempt = earlier.get();
                call = entities.find(Call.class, attempt.callId());
            } else {
                call = Call.inbound(tenant, persona.get().id(), from, line.get().mode(), persona.get().recording(), now);
                entities.persist(call);
                entities.persist(new CallEvent(tenant, call.id(), "call.received", null, CallStatus.RINGING, "carrier:" + carrier,
                        "inbound call from " + from + " to " + number, now));
                attempt = new CallAttempt(tenant, call.id(), 1, carrier, number, 0, "inbound", now);
                attempt.placed(providerCallId, now);
                attempt.advance(CallAttempt.Status.IN_PROGRESS, null, null, now);
                entities.persist(attempt);
                CallStatus was = call.transition(CallStatus.IN_PROGRESS, now);
                entities.persist(new CallEvent(tenant, call.id(), "call.in_progress", was, CallStatus.IN_PROGRESS, "carrier:" + carrier, null, now));
                entities.flush();
            }
            Persona p = persona.get();
            DispatchLedger.Snapshot snapshot = new DispatchLedger.Snapshot(p.id(), p.name(), p.kind().name().toLowerCase(Locale.ROOT),
                    p.systemPrompt(), p.firstMessage(), p.language(), p.voice().provider(), p.voice().voiceId(), call.variables(),
                    call.timeZone(), null, call.record(), jdbc.queryForObject("select flow::text from personas where tenant_id = ? and id = ?",
                            String.class, tenant.value(), p.id()), p.tools(), p.childSafety(),
                    p.booking() == null ? null : p.booking().timeZone(),
                    jdbc.queryForObject("select settings::text from personas where tenant_id = ? and id = ?", String.class, tenant.value(), p.id()),
                    p.memory() ? callees.recall(tenant, p.id(), call.to()) : null);
            return Optional.of(new DispatchLedger.Begun(attempt.id(), call.id(), tenant, call.mode(), carrier, number, call.to(),
                    call.scheduledAt(), now, snapshot));
        });
    }

    /** A sandbox test call: the inbound call recorded, and the sandbox's id for it (to have its caller join). */
    public record TestCall(DispatchLedger.Begun call, String providerCallId) {}

    /** The sandbox's caller, when a test call names none: the sandbox number that answers and talks. */
    public static final String TEST_CALLER = "+14155550100";

    /**
     * Records a call from {@code caller} (default {@link #TEST_CALLER}) to the tenant's sandbox number {@code id},
     * as the sandbox carrier would report one. 409 for a number of a live carrier.
     */
    public TestCall testCall(TenantId tenant, UUID id, String caller) {
        String from = caller == null ? TEST_CALLER : PhoneNumbers.e164(caller)
                .orElseThrow(() -> ApiProblemException.invalidField("from", "not a valid phone number in E.164 (e.g. +14155550100)"));
        Number line = get(tenant, id);
        if (!SANDBOX.equals(line.carrier())) {
            throw new ApiProblemException(ProblemType.CONFLICT, "Test calls ring sandbox numbers only; call " + line.phoneNumber()
                    + " from a phone");
        }
        String providerCallId = "SB" + UUID.randomUUID().toString().replace("-", "");
        DispatchLedger.Begun call = receive(SANDBOX, line.phoneNumber(), from, providerCallId)
                .orElseThrow(() -> ApiProblemException.invalidField("phoneNumberId", "the number's persona was deleted: answer it with another"));
        return new TestCall(call, providerCallId);
    }

    private static final String SANDBOX = "sandbox";

    private static Number number(ResultSet rs, int row) throws SQLException {
        return new Number(rs.getObject(1, UUID.class), rs.getString(2), Mode.fromWire(rs.getString(3)), rs.getString(4),
                rs.getObject(5, UUID.class), rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant());
    }
}
