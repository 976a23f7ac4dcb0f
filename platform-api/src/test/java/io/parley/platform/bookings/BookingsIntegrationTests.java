package io.parley.platform.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import io.parley.platform.tenancy.CallCredentials;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.tenancy.TenantId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A receptionist's slots and bookings: business hours, buffer, holidays, and never two bookings in one slot. */
class BookingsIntegrationTests extends IntegrationTest {

    private static final ZoneId LONDON = ZoneId.of("Europe/London");
    /** A Monday at least two days ahead, and the Tuesday after it, a holiday. */
    private static final LocalDate MONDAY = LocalDate.now(LONDON).plusDays(2).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    private static final LocalDate HOLIDAY = MONDAY.plusDays(1);

    @Autowired
    private CallCredentials credentials;

    private TestTenant tenant;
    private String receptionist;

    @BeforeEach
    void receptionistWithHours() {
        tenant = newTenant();
        ApiClient.Response made = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist", "booking", Map.of(
                "timeZone", "Europe/London", "slotMinutes", 30, "bufferMinutes", 10,
                "hours", Map.of("monday", List.of(Map.of("start", "09:00", "end", "12:00")),
                        "tuesday", List.of(Map.of("start", "09:00", "end", "12:00"))),
                "holidays", List.of(HOLIDAY.toString())))));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(made.json().get("booking").get("bufferMinutes").asInt()).isEqualTo(10);
        receptionist = made.json().get("id").asString();
    }

    @Test
    void availabilityIsTheBusinessHoursInSlotsLessWhatIsBookedAndItsBuffer() {
        assertThat(free(MONDAY)).containsExactly("09:00", "09:30", "10:00", "10:30", "11:00", "11:30");
        assertThat(free(HOLIDAY)).as("a holiday").isEmpty();
        assertThat(free(MONDAY.plusDays(6))).as("a Sunday: closed").isEmpty();

        JsonNode booked = book(at("09:30"), "Ada").json();
        assertThat(booked.get("status").asString()).isEqualTo("confirmed");
        assertThat(booked.get("end").asString()).isEqualTo(at("10:00"));
        // 09:00 would run into it with its buffer; 10:00 starts inside its buffer
        assertThat(free(MONDAY)).containsExactly("10:30", "11:00", "11:30");
        assertThat(book(at("10:00"), "Bob").status()).as("inside the buffer").isEqualTo(409);

        ApiClient.Response canceled = tenant.api().post("/v1/bookings/" + booked.get("id").asString() + "/cancel", "{}");
        assertThat(canceled.status()).isEqualTo(200);
        assertThat(canceled.json().get("status").asString()).isEqualTo("canceled");
        assertThat(free(MONDAY)).as("its slot is free again").hasSize(6);
        assertThat(tenant.api().post("/v1/bookings/" + booked.get("id").asString() + "/cancel", "{}").json().get("canceledAt").asString())
                .isEqualTo(canceled.json().get("canceledAt").asString());
    }

    @Test
    void twoCallersRacingForOneSlotGetItOnceAndTheOthersAClearConflict() throws Exception {
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ApiClient.Response>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(racers)) {
            for (int i = 0; i < racers; i++) {
                String name = "Caller " + i;
                results.add(threads.submit(() -> {
                    go.await();
                    return book(at("11:00"), name);
                }));
            }
            go.countDown();
        }
        List<ApiClient.Response> responses = new ArrayList<>();
        for (Future<ApiClient.Response> r : results) {
            responses.add(r.get());
        }
        assertThat(responses).filteredOn(r -> r.status() == 201).hasSize(1);
        assertThat(responses).filteredOn(r -> r.status() == 409).hasSize(racers - 1).allSatisfy(r -> {
            assertThat(r.json().get("type").asString()).endsWith("/slot-taken");
            assertThat(r.json().get("errors").get(0).get("field").asString()).isEqualTo("start");
        });
        assertThat(count("select count(*) from bookings where persona_id = '" + receptionist + "' and status = 'confirmed'")).isEqualTo(1);
    }

    @Test
    void whatIsNotABookableSlotIsRefusedAndNothingIsKept() {
        assertThat(field(book(at("09:15"), "Ada"), 422)).isEqualTo("start");
        assertThat(field(book(MONDAY.minusWeeks(2).atTime(9, 0).atZone(LONDON).toInstant().toString(), "Ada"), 422)).isEqualTo("start");
        assertThat(field(book(HOLIDAY.atTime(9, 0).atZone(LONDON).toInstant().toString(), "Ada"), 422)).isEqualTo("start");
        assertThat(field(tenant.api().post("/v1/personas/" + receptionist + "/bookings",
                ApiClient.json(Map.of("start", at("09:00"), "name", " "))), 422)).isEqualTo("name");
        String plain = createPersona(tenant, "No hours").get("id").asString();
        assertThat(field(tenant.api().post("/v1/personas/" + plain + "/bookings", ApiClient.json(Map.of("start", at("09:00"), "name", "Ada"))), 422))
                .isEqualTo("personaId");
        assertThat(tenant.api().get("/v1/personas/" + plain + "/availability?date=" + MONDAY).status()).isEqualTo(422);
        assertThat(tenant.api().get("/v1/personas/" + receptionist + "/availability").status()).as("no date").isEqualTo(400);
        assertThat(tenant.api().get("/v1/personas/" + receptionist + "/availability?date=monday").status()).isEqualTo(400);
        assertThat(field(tenant.api().post("/v1/personas/" + receptionist + "/bookings",
                ApiClient.json(Map.of("start", at("09:00"), "name", "Ada", "callId", UUID.randomUUID().toString()))), 422)).isEqualTo("callId");
        assertThat(count("select count(*) from bookings where tenant_id = '" + tenant.id() + "'")).isZero();

        ApiClient.Response settings = tenant.api().patch("/v1/personas/" + receptionist, ApiClient.json(Map.of("booking", Map.of(
                "timeZone", "Mars/Olympus", "hours", Map.of("funday", List.of(),
                        "monday", List.of(Map.of("start", "09:00", "end", "12:00"), Map.of("start", "11:00", "end", "13:00")))))));
        assertThat(settings.status()).as(settings.body()).isEqualTo(422);
        List<String> fields = new ArrayList<>();
        settings.json().get("errors").forEach(e -> fields.add(e.get("field").asString()));
        assertThat(fields).containsExactlyInAnyOrder("booking.timeZone", "booking.hours.funday", "booking.hours.monday");
        assertThat(free(MONDAY)).as("the settings are unchanged").hasSize(6);
    }

    @Test
    void aBookingIsAnEventToTheTenantsWebhooksInItsTransaction() throws Exception {
        assertThat(tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/hook",
                "eventTypes", List.of("booking.created", "booking.canceled")))).status()).isEqualTo(201);
        String id = book(at("10:00"), "Ada").json().get("id").asString();
        tenant.api().post("/v1/bookings/" + id + "/cancel", "{}");
        try (Connection db = TestServices.ownerConnection(); ResultSet rs = db.createStatement().executeQuery(
                "select type, payload->'data'->>'bookingId', payload->'data'->>'name' from webhook_events where tenant_id = '" + tenant.id()
                        + "' order by created_at, type desc")) {
            List<String> events = new ArrayList<>();
            while (rs.next()) {
                assertThat(rs.getString(2)).isEqualTo(id);
                assertThat(rs.getString(3)).isEqualTo("Ada");
                events.add(rs.getString(1));
            }
            assertThat(events).containsExactly("booking.created", "booking.canceled");
        }
    }

    @Test
    void aCallCredentialBooksWithItsOwnCallsPersonaOnlyAndForItsOwnCallee() {
        String other = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist", "name", "Other", "booking", Map.of(
                "timeZone", "Europe/London", "hours", Map.of("monday", List.of(Map.of("start", "09:00", "end", "12:00"))))))).json()
                .get("id").asString();
        UUID callId = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", receptionist, "to", "+442071838750")))
                .json().get("id").asString());
        String credential = credentials.mint(new TenantId(tenant.id()), Mode.TEST, new CallGrant(callId, UUID.fromString(receptionist), "+442071838750"),
                Set.of(Scope.CALLS_WRITE), Duration.ofMinutes(5)).value();
        ApiClient asCall = as(credential);

        assertThat(asCall.post("/v1/personas/" + other + "/bookings", ApiClient.json(Map.of("start", at("09:00"), "name", "Ada"))).status())
                .isEqualTo(403);
        ApiClient.Response booked = asCall.post("/v1/personas/" + receptionist + "/bookings",
                ApiClient.json(Map.of("start", at("09:00"), "name", "Ada", "phoneNumber", "+15005550006")));
        assertThat(booked.status()).as(booked.body()).isEqualTo(201);
        assertThat(booked.json().get("phoneNumber").asString()).as("the call's callee, whatever was asked").isEqualTo("+442071838750");
        assertThat(booked.json().get("callId").asString()).isEqualTo(callId.toString());
    }

    private ApiClient.Response book(String start, String name) {
        return tenant.api().post("/v1/personas/" + receptionist + "/bookings", ApiClient.json(Map.of("start", start, "name", name)));
    }

    private static String at(String londonTime) {
        return MONDAY.atTime(java.time.LocalTime.parse(londonTime)).atZone(LONDON).toInstant().toString();
    }

    private List<String> free(LocalDate date) {
        ApiClient.Response response = tenant.api().get("/v1/personas/" + receptionist + "/availability?date=" + date);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<String> starts = new ArrayList<>();
        response.json().get("slots").forEach(s -> starts.add(java.time.Instant.parse(s.get("start").asString()).atZone(LONDON).toLocalTime().toString()));
        return starts;
    }

    private static String field(ApiClient.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response.json().get("errors").get(0).get("field").asString();
    }

    private static long count(String sql) {
        try (Connection db = TestServices.ownerConnection(); ResultSet rs = db.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aPersonaStopsTakingBookingsAndItsBookingsStay() {
        ApiClient.Response booked = tenant.api().post("/v1/personas/" + receptionist + "/bookings",
                ApiClient.json(Map.of("start", at("09:00"), "name", "Ada")));
        assertThat(booked.status()).as(booked.body()).isEqualTo(201);
        long version = tenant.api().get("/v1/personas/" + receptionist).json().get("version").asLong();

        ApiClient.Response stopped = tenant.api().delete("/v1/personas/" + receptionist + "/booking");
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
        assertThat(stopped.json().has("booking")).isFalse();
        assertThat(stopped.json().get("version").asLong()).isGreaterThan(version);
        assertThat(tenant.api().get("/v1/personas/" + receptionist + "/availability?date=" + MONDAY).status()).as("no slots").isEqualTo(422);
        assertThat(tenant.api().post("/v1/personas/" + receptionist + "/bookings", ApiClient.json(Map.of("start", at("10:00"), "name", "Bo")))
                .status()).isEqualTo(422);
        assertThat(tenant.api().get("/v1/bookings/" + booked.json().get("id").asString()).json().get("status").asString()).isEqualTo("confirmed");
        assertThat(newTenant().api().delete("/v1/personas/" + receptionist + "/booking").status()).isEqualTo(404);
    }
}
