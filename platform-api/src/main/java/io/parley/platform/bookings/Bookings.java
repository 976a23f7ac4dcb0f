package io.parley.platform.bookings;

import io.parley.platform.personas.Persona;
import io.parley.platform.personas.PersonaService;
import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import io.parley.platform.web.ProblemType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A receptionist's bookings: the slots of its business hours, and bookings of them. Two confirmed bookings of one
 * persona never overlap (with the buffer after each): the table's exclusion constraint refuses the second however
 * the two race, and that refusal is a 409 {@code slot-taken}, not an error.
 */
@Service
public class Bookings {

    /** A booking as stored. */
    public record Booking(UUID id, UUID personaId, Instant start, Instant end, String status, String name, String phoneNumber, String notes,
                          UUID callId, Instant createdAt, Instant canceledAt) {}

    /** A slot of a persona's day: {@code [start, end)}. */
    public record Slot(Instant start, Instant end) {}

    /** What a new booking is: its slot's start and who it is for. */
    public record Request(Instant start, String name, String phoneNumber, String notes, UUID callId) {}

    private static final String COLUMNS = "id, persona_id, starts_at, ends_at, status, name, phone_number, notes, call_id, created_at, canceled_at";

    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final PersonaService personas;
    private final tools.jackson.databind.json.JsonMapper json;
    private final Clock clock;

    public Bookings(TenantTransactions transactions, JdbcTemplate jdbc, PersonaService personas, tools.jackson.databind.json.JsonMapper json,
                    Clock clock) {
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.personas = personas;
        this.json = json;
        this.clock = clock;
    }

    /** The persona's slots on {@code date} (its zone) that can still be booked, earliest first. */
    public List<Slot> availability(TenantId tenant, UUID personaId, LocalDate date) {
        return transactions.read(tenant, () -> {
            Persona.BookingSettings settings = settings(tenant, personaId);
            List<Slot> slots = slots(settings, date);
            if (slots.isEmpty()) {
                return slots;
            }
            Duration buffer = Duration.ofMinutes(settings.bufferMinutes());
            List<Slot> held = jdbc.query("select starts_at, held_until from bookings where tenant_id = ? and persona_id = ? and status = 'confirmed'"
                            + " and starts_at < ? and held_until > ?",
                    (rs, i) -> new Slot(rs.getTimestamp(1).toInstant(), rs.getTimestamp(2).toInstant()),
                    tenant.value(), personaId, Timestamp.from(slots.getLast().end().plus(buffer)), Timestamp.from(slots.getFirst().start()));
            Instant now = clock.instant();
            return slots.stream()
                    .filter(s -> s.start().isAfter(now))
                    .filter(s -> held.stream().noneMatch(h -> h.start().isBefore(s.end().plus(buffer)) && h.end().isAfter(s.start())))
                    .toList();
        });
    }

    /** The persona's timezone, for the availability answer. */
    public String timeZone(TenantId tenant, UUID personaId) {
        return transactions.read(tenant, () -> settings(tenant, personaId).timeZone());
    }

    /**
     * Books the slot starting at {@code request.start()}: one of the persona's slots, in the future, free (else 409
     * {@code slot-taken}). Sends {@code booking.created} in the same transaction.
     */
    public Booking create(TenantId tenant, UUID personaId, Request request, String actor) {
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            Persona.BookingSettings settings = settings(tenant, personaId);
            ZoneId zone = ZoneId.of(settings.timeZone());
            LocalDate day = request.start().atZone(zone).toLocalDate();
            Optional<Slot> slot = slots(settings, day).stream().filter(s -> s.start().equals(request.start())).findFirst();
            if (slot.isEmpty()) {
                throw ApiProblemException.invalidField("start", "not one of the persona's slots (GET /v1/personas/" + personaId
                        + "/availability?date=" + day + ")");
            }
            if (!slot.get().start().isAfter(now)) {
                throw ApiProblemException.invalidField("start", "in the past");
            }
            if (request.callId() != null && !Boolean.TRUE.equals(jdbc.queryForObject(
                    "select exists (select 1 from calls where tenant_id = ? and id = ?)", Boolean.class, tenant.value(), request.callId()))) {
                throw ApiProblemException.invalidField("callId", "no such call");
            }
            UUID id = Ids.next();
            Instant heldUntil = slot.get().end().plus(Duration.ofMinutes(settings.bufferMinutes()));
            try {
                jdbc.update("""
                        insert into bookings (id, tenant_id, persona_id, starts_at, ends_at, held_until, status, name, phone_number, notes, call_id,
                                              created_by, created_at)
                        values (?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?, ?, ?)""",
                        id, tenant.value(), personaId, Timestamp.from(slot.get().start()), Timestamp.from(slot.get().end()), Timestamp.from(heldUntil),
                        request.name().strip(), request.phoneNumber(), request.notes(), request.callId(), actor, Timestamp.from(now));
            } catch (DataIntegrityViolationException e) {
                if (isExclusion(e)) {
                    throw new ApiProblemException(ProblemType.SLOT_TAKEN, "The slot at " + slot.get().start() + " is already booked",
                            List.of(new ApiProblemException.FieldError("start", "already booked")));
                }
                throw e;
            }
            Booking booking = find(tenant, id).orElseThrow();
            emit(tenant, "booking.created", booking, now);
            return booking;
        });
    }

    private static boolean isExclusion(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23P01".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public Booking get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("booking"));
    }

    /** Cancels a booking, freeing its slot, and sends {@code booking.canceled}; a canceled one stays as it is. */
    public Booking cancel(TenantId tenant, UUID id) {
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            if (jdbc.update("update bookings set status = 'canceled', canceled_at = ? where tenant_id = ? and id = ? and status = 'confirmed'",
                    Timestamp.from(now), tenant.value(), id) == 1) {
                Booking booking = find(tenant, id).orElseThrow();
                emit(tenant, "booking.canceled", booking, now);
                return booking;
            }
            return find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("booking"));
        });
    }

    public Page<Booking> page(TenantId tenant, String cursor, int limit, UUID personaId) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            List<Object> args = new ArrayList<>(List.of(tenant.value()));
            StringBuilder sql = new StringBuilder("select " + COLUMNS + " from bookings where tenant_id = ?");
            if (personaId != null) {
                sql.append(" and persona_id = ?");
                args.add(personaId);
            }
            if (after != null) {
                sql.append(" and id < ?");
                args.add(after);
            }
            sql.append(" order by id desc limit ?");
            args.add(limit + 1);
            return Page.of(jdbc.query(sql.toString(), Bookings::booking, args.toArray()), limit, Booking::id);
        });
    }

    /** The persona's slots on {@code date}: from each opening, every whole slot that ends by its close; none on a holiday. */
    static List<Slot> slots(Persona.BookingSettings settings, LocalDate date) {
        if (settings.holidays().contains(date.toString())) {
            return List.of();
        }
        ZoneId zone = ZoneId.of(settings.timeZone());
        String weekday = date.getDayOfWeek().name().toLowerCase(Locale.ROOT);
        Duration length = Duration.ofMinutes(settings.slotMinutes());
        List<Slot> slots = new ArrayList<>();
        for (Persona.Hours h : settings.hours().getOrDefault(weekday, List.of())) {
            ZonedDateTime open = ZonedDateTime.of(date, LocalTime.parse(h.start()), zone);
            ZonedDateTime close = "24:00".equals(h.end()) ? date.plusDays(1).atStartOfDay(zone) : ZonedDateTime.of(date, LocalTime.parse(h.end()), zone);
            for (Instant at = open.toInstant(); !at.plus(length).isAfter(close.toInstant()); at = at.plus(length)) {
                slots.add(new Slot(at, at.plus(length)));
            }
        }
        slots.sort(java.util.Comparator.comparing(Slot::start));
        return slots;
    }

    private Persona.BookingSettings settings(TenantId tenant, UUID personaId) {
        Persona persona = personas.active(tenant, personaId).orElseThrow(() -> ApiProblemException.notFound("persona"));
        if (persona.booking() == null) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "The persona takes no bookings: set its booking hours first (PATCH /v1/personas/"
                    + personaId + " with booking)", List.of(new ApiProblemException.FieldError("personaId", "takes no bookings")));
        }
        return persona.booking();
    }

    private Optional<Booking> find(TenantId tenant, UUID id) {
        return jdbc.query("select " + COLUMNS + " from bookings where tenant_id = ? and id = ?", Bookings::booking, tenant.value(), id)
                .stream().findFirst();
    }

    private void emit(TenantId tenant, String type, Booking b, Instant at) {
        Map<String, Object> data = new java.util.LinkedHashMap<>();   // nulls are dropped by parley_emit_webhook
        data.put("bookingId", b.id().toString());
        data.put("personaId", b.personaId().toString());
        data.put("start", b.start().toString());
        data.put("end", b.end().toString());
        data.put("status", b.status());
        data.put("name", b.name());
        data.put("callId", b.callId() == null ? null : b.callId().toString());
        jdbc.queryForObject("select count(*) from (select parley_emit_webhook(?, ?, ?, ?::jsonb, ?)) emitted", Long.class,
                tenant.value(), Ids.next(), type, json.writeValueAsString(data), Timestamp.from(at));
    }

    private static Booking booking(ResultSet rs, int i) throws SQLException {
        return new Booking(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant(),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getObject(9, UUID.class), rs.getTimestamp(10).toInstant(),
                rs.getTimestamp(11) == null ? null : rs.getTimestamp(11).toInstant());
    }
}
