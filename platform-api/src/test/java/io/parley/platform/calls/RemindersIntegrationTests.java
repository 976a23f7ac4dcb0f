package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A persona's reminder before each of its calls: set when the call is booked or moved, sent once, as an event and a webhook. */
class RemindersIntegrationTests extends IntegrationTest {

    @Autowired
    private Reminders reminders;

    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void personaWithAReminder() {
        tenant = newTenant();
        ApiClient.Response created = tenant.api().post("/v1/personas", ApiClient.json(Map.of("name", "Coach", "kind", "companion",
                "systemPrompt", "You are a coach.", "firstMessage", "Hi!", "reminderMinutesBefore", 60)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("reminderMinutesBefore").asInt()).isEqualTo(60);
        persona = created.json().get("id").asString();
    }

    @Test
    void theReminderIsSentOnceAnHourBeforeAndReachesTheWebhooks() {
        String endpoint = tenant.api().post("/v1/webhook-endpoints", ApiClient.json(Map.of("url", "http://127.0.0.1:9/hook",
                "eventTypes", java.util.List.of("call.reminder")))).json().get("id").asString();
        Instant at = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        JsonNode call = book(at);
        assertThat(Instant.parse(call.get("remindAt").asString())).isEqualTo(at.minus(Duration.ofHours(1)));

        reminders.sendDue(at.minus(Duration.ofMinutes(61)));
        assertThat(reminderEvents(call)).as("not yet").isEmpty();

        reminders.sendDue(at.minus(Duration.ofMinutes(59)));
        reminders.sendDue(at.minus(Duration.ofMinutes(58)));
        JsonNode sent = reminderEvents(call);
        assertThat(sent).as("sent once").hasSize(1);
        assertThat(sent.get(0).get("reason").asString()).contains(at.toString());
        assertThat(tenant.api().get("/v1/calls/" + call.get("id").asString()).json().has("remindAt")).isFalse();
        JsonNode deliveries = tenant.api().get("/v1/webhook-endpoints/" + endpoint + "/deliveries").json().get("data");
        assertThat(deliveries).extracting(d -> d.get("eventType").asString()).containsExactly("call.reminder");
    }

    @Test
    void aMovedCallIsRemindedBeforeItsNewTimeAndACanceledOneNotAtAll() {
        Instant at = Instant.now().plus(Duration.ofHours(3)).truncatedTo(ChronoUnit.SECONDS);
        JsonNode moved = book(at);
        Instant later = at.plus(Duration.ofDays(1));
        JsonNode after = tenant.api().post("/v1/calls/" + moved.get("id").asString() + "/reschedule",
                ApiClient.json(Map.of("scheduledAt", later.toString()))).json();
        assertThat(Instant.parse(after.get("remindAt").asString())).isEqualTo(later.minus(Duration.ofHours(1)));

        JsonNode canceled = book(at);
        tenant.api().post("/v1/calls/" + canceled.get("id").asString() + "/cancel", null);
        reminders.sendDue(at);
        assertThat(reminderEvents(moved)).as("its new time is a day later").isEmpty();
        assertThat(reminderEvents(canceled)).isEmpty();
    }

    @Test
    void aCallBookedInsideTheReminderWindowGetsNone() {
        JsonNode soon = book(Instant.now().plus(Duration.ofMinutes(30)));
        assertThat(soon.has("remindAt")).isFalse();
    }

    @Test
    void aReminderOutOfRangeIsAProblem() {
        for (int minutes : new int[] {3, 20_000, -1}) {
            ApiClient.Response bad = tenant.api().patch("/v1/personas/" + persona, ApiClient.json(Map.of("reminderMinutesBefore", minutes)));
            assertThat(bad.status()).as(minutes + ": " + bad.body()).isIn(400, 422);
        }
        ApiClient.Response off = tenant.api().patch("/v1/personas/" + persona, ApiClient.json(Map.of("reminderMinutesBefore", 0)));
        assertThat(off.json().get("reminderMinutesBefore").asInt()).isZero();
        assertThat(book(Instant.now().plus(Duration.ofHours(5))).has("remindAt")).isFalse();
    }

    private JsonNode book(Instant at) {
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750",
                "scheduledAt", at.toString(), "timeZone", "Europe/London")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private JsonNode reminderEvents(JsonNode call) {
        return tenant.api().get("/v1/calls/" + call.get("id").asString() + "/events?type=call.reminder").json().get("data");
    }
}
