package io.parley.runtime.tools;

import static io.parley.runtime.tools.PlatformToolsTests.CALL;
import static io.parley.runtime.tools.PlatformToolsTests.CALLEE;
import static io.parley.runtime.tools.PlatformToolsTests.CREDENTIAL;
import static io.parley.runtime.tools.PlatformToolsTests.PERSONA;
import static io.parley.runtime.tools.PlatformToolsTests.call;
import static io.parley.runtime.tools.PlatformToolsTests.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.runtime.llm.LanguageModel;
import io.parley.runtime.llm.sse.LoopbackServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A receptionist's booking tools against a loopback platform-api answering as the real one does: the free slots
 * of a day in the business's local time, and a booking of one of them for the call's own persona, with the
 * call's credential and one idempotency key per tool call.
 */
class BookingToolsTests {

    /** Monday 4 May 2026: London is on BST (UTC+1). */
    static final String AVAILABILITY = """
            {"personaId":"%s","date":"2026-05-04","timeZone":"Europe/London","slots":[
              {"start":"2026-05-04T08:00:00Z","end":"2026-05-04T08:30:00Z"},
              {"start":"2026-05-04T08:30:00Z","end":"2026-05-04T09:00:00Z"}]}""".formatted(PERSONA);

    LoopbackServer platform;
    PlatformTools tools;

    @BeforeEach
    void start() throws Exception {
        platform = LoopbackServer.start();
        tools = new PlatformTools(new PlatformApiProperties(platform.uri("").toString(), Duration.ofSeconds(5), Duration.ofSeconds(1), 1),
                Clock.fixed(PlatformToolsTests.NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        tools.close();
        platform.close();
    }

    static io.parley.runtime.session.CallBootstrap receptionist() {
        return call(List.of("check_availability", "book_appointment"), CREDENTIAL, CALLEE);
    }

    @Test
    void aReceptionistIsOfferedItsBookingToolsAndNoOthers() {
        List<String> offered = tools.offered(receptionist(), PlatformToolsTests.NOW).stream().map(LanguageModel.Tool::name).toList();
        assertThat(offered).containsExactly("check_availability", "book_appointment");
        LanguageModel.Tool book = tools.offered(receptionist(), PlatformToolsTests.NOW).get(1);
        assertThat(book.description()).contains("read the day, time and name back").contains("only once they have said yes");
    }

    @Test
    void freeSlotsAreGivenInTheBusinesssLocalTime() throws Exception {
        platform.onRequest(exchange -> exchange.respond(200, "application/json", AVAILABILITY, Map.of()));

        JsonNode result = result(tools.execute(receptionist(), "toolu_1", "check_availability", "{\"date\":\"2026-05-04\"}"));

        LoopbackServer.RecordedRequest request = platform.takeRequest();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/personas/" + PERSONA + "/availability");
        assertThat(request.query()).isEqualTo("date=2026-05-04");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + CREDENTIAL);
        assertThat(result.get("timeZone").asString()).isEqualTo("Europe/London");
        assertThat(result.get("freeSlots").toString()).isEqualTo("[\"2026-05-04T09:00\",\"2026-05-04T09:30\"]");
    }

    @Test
    void aBookingIsMadeForTheCallsPersonaOnceAndReadBack() throws Exception {
        UUID booking = UUID.randomUUID();
        platform.onRequest(exchange -> {
            if (exchange.request().method().equals("GET")) {
                exchange.respond(200, "application/json", AVAILABILITY, Map.of());
            } else {
                exchange.respond(201, "application/json", """
                        {"id":"%s","personaId":"%s","start":"2026-05-04T08:30:00Z","end":"2026-05-04T09:00:00Z","status":"confirmed",
                         "name":"Ada Lovelace","phoneNumber":"%s","callId":"%s","createdAt":"2026-05-01T13:03:00Z"}"""
                        .formatted(booking, PERSONA, CALLEE, CALL), Map.of());
            }
        });

        // the model names another persona and number: neither reaches the platform
        JsonNode result = result(tools.execute(receptionist(), "toolu_2", "book_appointment",
                "{\"start\":\"2026-05-04T09:30\",\"name\":\"Ada Lovelace\",\"personaId\":\"" + UUID.randomUUID() + "\",\"phoneNumber\":\"+15005550006\"}"));

        LoopbackServer.RecordedRequest lookup = platform.takeRequest();
        assertThat(lookup.path() + "?" + lookup.query()).isEqualTo("/v1/personas/" + PERSONA + "/availability?date=2026-05-04");
        LoopbackServer.RecordedRequest request = platform.takeRequest();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/personas/" + PERSONA + "/bookings");
        assertThat(request.header("Idempotency-Key"))
                .isEqualTo("tool:" + CALL + ":" + UUID.nameUUIDFromBytes("toolu_2".getBytes(StandardCharsets.UTF_8)));
        assertThat(Instant.parse(request.json().get("start").asString())).isEqualTo(Instant.parse("2026-05-04T08:30:00Z"));
        assertThat(request.json().get("name").asString()).isEqualTo("Ada Lovelace");
        assertThat(request.json().has("phoneNumber")).as("the platform takes the call's callee").isFalse();
        assertThat(result.get("status").asString()).isEqualTo("booked");
        assertThat(result.get("localTime").asString()).isEqualTo("Monday 4 May 2026 at 09:30 (Europe/London)");
    }

    @Test
    void aTimeThatIsNotFreeIsRefusedBeforeAnythingIsBookedAndATakenSlotIsAConflict() throws Exception {
        platform.onRequest(exchange -> {
            if (exchange.request().method().equals("GET")) {
                exchange.respond(200, "application/json", AVAILABILITY, Map.of());
            } else {
                exchange.respond(409, "application/problem+json", """
                        {"type":"https://parley.dev/problems/slot-taken","title":"The slot is already booked","status":409,
                         "detail":"The slot at 2026-05-04T08:00:00Z is already booked"}""", Map.of());
            }
        });

        JsonNode notFree = result(tools.execute(receptionist(), "toolu_3", "book_appointment", "{\"start\":\"2026-05-04T11:00\",\"name\":\"Ada\"}"));
        assertThat(notFree.get("error").asString()).isEqualTo("slot_not_free");
        assertThat(notFree.get("message").asString()).contains("2026-05-04T11:00");
        assertThat(notFree.get("freeSlots")).extracting(JsonNode::asString).contains("2026-05-04T09:00", "2026-05-04T09:30");
        assertThat(platform.takeRequest().method()).isEqualTo("GET");
        assertThat(platform.requestCount()).as("nothing was booked").isZero();

        JsonNode taken = result(tools.execute(receptionist(), "toolu_4", "book_appointment", "{\"start\":\"2026-05-04T09:00\",\"name\":\"Ada\"}"));
        assertThat(taken.get("error").asString()).isEqualTo("conflict");
        assertThat(taken.get("message").asString()).contains("already booked");

        JsonNode noName = result(tools.execute(receptionist(), "toolu_5", "book_appointment", "{\"start\":\"2026-05-04T09:00\"}"));
        assertThat(noName.get("error").asString()).isEqualTo("invalid_arguments");
    }
}
