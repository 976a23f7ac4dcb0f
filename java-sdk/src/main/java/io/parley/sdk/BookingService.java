package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.BookingsApi;
import io.parley.sdk.model.Availability;
import io.parley.sdk.model.Booking;
import io.parley.sdk.model.BookingPage;
import io.parley.sdk.model.CreateBookingRequest;

import java.time.LocalDate;
import java.util.Objects;
import java.util.UUID;

/**
 * Appointments your receptionist personas take, in their business hours (the persona's {@code booking}
 * settings). Obtain it from {@link Parley#bookings()}. Thread-safe.
 */
public final class BookingService {
  private final BookingsApi api;
  private final RequestExecutor executor;

  BookingService(BookingsApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** The persona's free slots on {@code date}, in its booking time zone, earliest first. */
  public Availability availability(UUID personaId, LocalDate date) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(date, "date");
    return executor.execute("getAvailability", Safety.REPEATABLE, () -> api.getAvailability(personaId, date));
  }

  /**
   * Books the slot starting at {@code request.start} with the persona.
   *
   * @throws ConflictException when the slot is already booked ({@code slot-taken}), even by a request racing this one
   * @throws InvalidRequestException when {@code start} is not one of the persona's slots, or is past
   */
  public Booking create(UUID personaId, CreateBookingRequest request, RequestOptions options) {
    Objects.requireNonNull(personaId, "personaId");
    Objects.requireNonNull(request, "request");
    String key = Idempotency.key(options);
    return executor.execute("createBooking", Safety.REPEATABLE, () -> api.createBooking(personaId, request, key));
  }

  /** Books a slot; see {@link #create(UUID, CreateBookingRequest, RequestOptions)}. */
  public Booking create(UUID personaId, CreateBookingRequest request) {
    return create(personaId, request, RequestOptions.none());
  }

  /** @throws NotFoundException when your tenant has no such booking */
  public Booking get(UUID id) {
    Objects.requireNonNull(id, "id");
    return executor.execute("getBooking", Safety.REPEATABLE, () -> api.getBooking(id));
  }

  /** Cancels a booking, freeing its slot; a canceled booking stays as it is. */
  public Booking cancel(UUID id) {
    Objects.requireNonNull(id, "id");
    return executor.execute("cancelBooking", Safety.REPEATABLE, () -> api.cancelBooking(id));
  }

  /** One page of your bookings (of one persona, or all when {@code personaId} is null), newest first. */
  public BookingPage list(UUID personaId, ListParams params) {
    Objects.requireNonNull(params, "params");
    return executor.execute("listBookings", Safety.REPEATABLE, () -> api.listBookings(params.limit(), params.cursor(), personaId));
  }
}
