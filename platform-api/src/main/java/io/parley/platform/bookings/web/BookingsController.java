package io.parley.platform.bookings.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.BookingsApi;
import io.parley.platform.api.model.Availability;
import io.parley.platform.api.model.Booking;
import io.parley.platform.api.model.BookingPage;
import io.parley.platform.api.model.CreateBookingRequest;
import io.parley.platform.api.model.Slot;
import io.parley.platform.bookings.Bookings;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class BookingsController implements BookingsApi {

    private final Bookings bookings;
    private final Idempotency idempotency;

    BookingsController(Bookings bookings, Idempotency idempotency) {
        this.bookings = bookings;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<Availability> getAvailability(UUID personaId, LocalDate date) {
        Caller caller = Callers.current();
        withinGrant(caller, personaId);
        List<Bookings.Slot> slots = bookings.availability(caller.tenant(), personaId, date);
        return ResponseEntity.ok(new Availability().personaId(personaId).date(date).timeZone(bookings.timeZone(caller.tenant(), personaId))
                .slots(slots.stream().map(s -> new Slot().start(utc(s.start())).end(utc(s.end()))).toList()));
    }

    @Override
    public ResponseEntity<Booking> createBooking(UUID personaId, CreateBookingRequest request, String idempotencyKey) {
        Caller caller = Callers.current();
        withinGrant(caller, personaId);
        if (request.getName().isBlank()) {
            throw ApiProblemException.invalidField("name", "must not be blank");
        }
        // a call credential books for its own call, whatever it asks
        UUID callId = caller.grant() != null ? caller.grant().callId() : request.getCallId();
        String phone = caller.grant() != null ? caller.grant().to() : request.getPhoneNumber();
        Bookings.Request booking = new Bookings.Request(request.getStart().toInstant(), request.getName(), phone, request.getNotes(), callId);
        return idempotency.run(caller.tenant(), idempotencyKey, "createBooking", request, Booking.class,
                () -> ResponseEntity.status(HttpStatus.CREATED).body(toApi(bookings.create(caller.tenant(), personaId, booking, caller.actor()))));
    }

    @Override
    public ResponseEntity<Booking> getBooking(UUID bookingId) {
        return ResponseEntity.ok(toApi(bookings.get(Callers.current().tenant(), bookingId)));
    }

    @Override
    public ResponseEntity<Booking> cancelBooking(UUID bookingId) {
        return ResponseEntity.ok(toApi(bookings.cancel(Callers.current().tenant(), bookingId)));
    }

    @Override
    public ResponseEntity<BookingPage> listBookings(Integer limit, String cursor, UUID personaId) {
        var page = bookings.page(Callers.current().tenant(), cursor, limit, personaId);
        return ResponseEntity.ok(new BookingPage().data(page.map(BookingsController::toApi).items()).hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    /** A call credential reaches its own call's persona only. */
    private static void withinGrant(Caller caller, UUID personaId) {
        if (caller.grant() != null && !caller.grant().personaId().equals(personaId)) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "A call credential books with its own call's persona only");
        }
    }

    private static Booking toApi(Bookings.Booking b) {
        return new Booking()
                .id(b.id())
                .personaId(b.personaId())
                .start(utc(b.start()))
                .end(utc(b.end()))
                .status(Booking.StatusEnum.fromValue(b.status()))
                .name(b.name())
                .phoneNumber(b.phoneNumber())
                .notes(b.notes())
                .callId(b.callId())
                .createdAt(utc(b.createdAt()))
                .canceledAt(b.canceledAt() == null ? null : utc(b.canceledAt()));
    }
}
