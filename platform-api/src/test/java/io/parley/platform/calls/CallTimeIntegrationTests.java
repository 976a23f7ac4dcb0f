package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * When a call is due: an instant, or a local time in the callee's zone (given, or inferred from the
 * number), across daylight-saving changes; and moving a scheduled call.
 */
class CallTimeIntegrationTests extends IntegrationTest {

    private static final String PROBLEMS = "https://parley.dev/problems/";
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final String NEW_YORK_NUMBER = "+12124567890";
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    @Test
    void aLocalTimeIsReadInTheGivenZoneAndShownBack() {
        TestTenant tenant = newTenant();
        LocalDateTime local = LocalDate.now(ZoneId.of("Europe/London")).plusDays(20).atTime(18, 0);

        JsonNode call = created(tenant, body(tenant, Map.of("to", "+442071838750", "timeZone", "Europe/London",
                "localTime", local.format(LOCAL))));

        assertThat(Instant.parse(call.get("scheduledAt").asString())).isEqualTo(local.atZone(ZoneId.of("Europe/London")).toInstant());
        assertThat(call.get("timeZone").asString()).isEqualTo("Europe/London");
        assertThat(call.get("timeZoneSource").asString()).isEqualTo("given");
        assertThat(call.get("localTime").asString()).isEqualTo(local.format(LOCAL));
    }

    @Test
    void withoutAZoneTheNumberGivesOneAndTheCallSaysSo() {
        TestTenant tenant = newTenant();
        LocalDateTime local = LocalDate.now(NEW_YORK).plusDays(3).atTime(17, 30);

        JsonNode call = created(tenant, body(tenant, Map.of("to", NEW_YORK_NUMBER, "localTime", local.format(LOCAL))));

        assertThat(call.get("timeZone").asString()).isEqualTo("America/New_York");
        assertThat(call.get("timeZoneSource").asString()).isEqualTo("inferred");
        assertThat(Instant.parse(call.get("scheduledAt").asString())).isEqualTo(local.atZone(NEW_YORK).toInstant());
        assertThat(tenant.api().get("/v1/calls/" + call.get("id").asString()).json().get("timeZoneSource").asString())
                .isEqualTo("inferred");

        // an instant with no zone given: the zone is still inferred, for the calling window later
        JsonNode immediate = created(tenant, body(tenant, Map.of("to", NEW_YORK_NUMBER)));
        assertThat(immediate.get("timeZone").asString()).isEqualTo("America/New_York");
        assertThat(immediate.get("timeZoneSource").asString()).isEqualTo("inferred");
    }

    @Test
    void aLocalTimeInTheSpringForwardGapMovesLaterByTheGap() {
        TestTenant tenant = newTenant();
        ZoneOffsetTransition gap = nextTransition(true);
        LocalDateTime missing = gap.getDateTimeBefore().plusMinutes(30);   // e.g. 02:30, which the clocks skip

        JsonNode call = created(tenant, body(tenant, Map.of("to", NEW_YORK_NUMBER, "timeZone", "America/New_York",
                "localTime", missing.format(LOCAL))));

        assertThat(Instant.parse(call.get("scheduledAt").asString())).isEqualTo(gap.getInstant().plusSeconds(30 * 60));
        assertThat(call.get("localTime").asString()).isEqualTo(gap.getDateTimeAfter().plusMinutes(30).format(LOCAL));
    }

    @Test
    void aLocalTimeThatHappensTwiceIsItsFirstOccurrence() {
        TestTenant tenant = newTenant();
        ZoneOffsetTransition overlap = nextTransition(false);
        LocalDateTime twice = overlap.getDateTimeAfter().plusMinutes(30);  // e.g. 01:30, once in summer time, once after

        JsonNode call = created(tenant, body(tenant, Map.of("to", NEW_YORK_NUMBER, "timeZone", "America/New_York",
                "localTime", twice.format(LOCAL))));

        assertThat(Instant.parse(call.get("scheduledAt").asString())).isEqualTo(overlap.getInstant().minusSeconds(30 * 60));
        assertThat(call.get("localTime").asString()).isEqualTo(twice.format(LOCAL));
    }

    @Test
    void badTimesAreRefusedAndWriteNothing() {
        TestTenant tenant = newTenant();
        String tomorrow = LocalDate.now(NEW_YORK).plusDays(1).atTime(10, 0).format(LOCAL);
        long before = ownerCount("calls");

        problem(tenant.api().post("/v1/calls", body(tenant, Map.of("to", NEW_YORK_NUMBER, "localTime", tomorrow,
                "scheduledAt", Instant.now().plusSeconds(86_400).toString()))), 422, "validation-error", "localTime");
        problem(tenant.api().post("/v1/calls", body(tenant, Map.of("to", NEW_YORK_NUMBER, "localTime", "2027-02-30T10:00:00"))),
                422, "validation-error", "localTime");
        problem(tenant.api().post("/v1/calls", body(tenant, Map.of("to", NEW_YORK_NUMBER, "localTime", "tomorrow at ten"))),
                422, "validation-error", "localTime");
        problem(tenant.api().post("/v1/calls", body(tenant, Map.of("to", NEW_YORK_NUMBER, "localTime",
                LocalDate.now(NEW_YORK).minusDays(2).atTime(10, 0).format(LOCAL)))), 422, "validation-error", "localTime");
        problem(tenant.api().post("/v1/calls", body(tenant, Map.of("to", NEW_YORK_NUMBER, "timeZone", "Mars/Olympus",
                "localTime", tomorrow))), 422, "validation-error", "timeZone");

        assertThat(ownerCount("calls")).isEqualTo(before);
    }

    @Test
    void aScheduledCallMovesAndKeepsItsZone() {
        TestTenant tenant = newTenant();
        LocalDateTime first = LocalDate.now(NEW_YORK).plusDays(5).atTime(9, 0);
        String id = created(tenant, body(tenant, Map.of("to", NEW_YORK_NUMBER, "localTime", first.format(LOCAL)))).get("id").asString();

        LocalDateTime later = first.plusDays(1).withHour(18);
        ApiClient.Response moved = tenant.api().post("/v1/calls/" + id + "/reschedule", ApiClient.json(Map.of("localTime", later.format(LOCAL))));

        assertThat(moved.status()).as(moved.body()).isEqualTo(200);
        assertThat(Instant.parse(moved.json().get("scheduledAt").asString())).isEqualTo(later.atZone(NEW_YORK).toInstant());
        assertThat(moved.json().get("timeZone").asString()).isEqualTo("America/New_York");
        assertThat(moved.json().get("timeZoneSource").asString()).isEqualTo("inferred");
        assertThat(moved.json().get("status").asString()).isEqualTo("scheduled");

        // to an instant and another zone
        Instant at = Instant.now().plusSeconds(3 * 86_400).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        JsonNode again = tenant.api().post("/v1/calls/" + id + "/reschedule",
                ApiClient.json(Map.of("scheduledAt", at.toString(), "timeZone", "America/Chicago"))).json();
        assertThat(Instant.parse(again.get("scheduledAt").asString())).isEqualTo(at);
        assertThat(again.get("timeZone").asString()).isEqualTo("America/Chicago");
        assertThat(again.get("timeZoneSource").asString()).isEqualTo("given");

        List<String> types = new ArrayList<>();
        tenant.api().get("/v1/calls/" + id + "/events").json().get("data").forEach(e -> types.add(e.get("type").asString()));
        assertThat(types).containsExactly("call.created", "call.rescheduled", "call.rescheduled");
        JsonNode rescheduled = tenant.api().get("/v1/calls/" + id + "/events").json().get("data").get(1);
        assertThat(rescheduled.get("fromStatus").asString()).isEqualTo("scheduled");
        assertThat(rescheduled.get("toStatus").asString()).isEqualTo("scheduled");
        assertThat(rescheduled.get("reason").asString()).contains(later.atZone(NEW_YORK).toInstant().toString());
    }

    @Test
    void onlyAScheduledCallCanMoveAndBadTimesLeaveItAsItWas() {
        TestTenant tenant = newTenant();
        JsonNode call = created(tenant, body(tenant, Map.of("to", NEW_YORK_NUMBER,
                "localTime", LocalDate.now(NEW_YORK).plusDays(2).atTime(LocalTime.NOON).format(LOCAL))));
        String id = call.get("id").asString();

        problem(tenant.api().post("/v1/calls/" + id + "/reschedule", ApiClient.json(Map.of("localTime", "2020-01-01T10:00:00"))),
                422, "validation-error", "localTime");
        problem(tenant.api().post("/v1/calls/" + id + "/reschedule", ApiClient.json(Map.of())), 422, "validation-error", "scheduledAt");
        assertThat(tenant.api().get("/v1/calls/" + id).json().get("scheduledAt").asString()).isEqualTo(call.get("scheduledAt").asString());

        problem(newTenant().api().post("/v1/calls/" + id + "/reschedule",
                ApiClient.json(Map.of("scheduledAt", Instant.now().plusSeconds(86_400).toString()))), 404, "not-found");

        assertThat(tenant.api().post("/v1/calls/" + id + "/cancel", ApiClient.json(Map.of())).status()).isEqualTo(200);
        problem(tenant.api().post("/v1/calls/" + id + "/reschedule",
                ApiClient.json(Map.of("scheduledAt", Instant.now().plusSeconds(86_400).toString()))), 409, "invalid-call-transition");
        assertThat(tenant.api().get("/v1/calls/" + id).json().get("status").asString()).isEqualTo("canceled");
    }

    // --- helpers --------------------------------------------------------------------------------

    /** New York's next change of clocks forward ({@code gap}) or back. */
    private static ZoneOffsetTransition nextTransition(boolean gap) {
        Instant from = Instant.now().plusSeconds(86_400);
        ZoneOffsetTransition t = NEW_YORK.getRules().nextTransition(from);
        while (t.isGap() != gap) {
            t = NEW_YORK.getRules().nextTransition(t.getInstant());
        }
        return t;
    }

    private String body(TestTenant tenant, Map<String, Object> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("personaId", createPersona(tenant, "Santa").get("id").asString());
        body.putAll(fields);
        return ApiClient.json(body);
    }

    private static JsonNode created(TestTenant tenant, String body) {
        ApiClient.Response response = tenant.api().post("/v1/calls", body);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static void problem(ApiClient.Response response, int status, String type, String... fields) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo(PROBLEMS + type);
        List<String> named = new ArrayList<>();
        if (response.json().has("errors")) {
            response.json().get("errors").forEach(e -> named.add(e.get("field").asString()));
        }
        assertThat(named).as(response.body()).containsExactlyInAnyOrder(fields);
    }
}
