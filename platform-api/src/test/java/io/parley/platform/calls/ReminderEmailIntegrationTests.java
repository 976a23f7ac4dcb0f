package io.parley.platform.calls;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With SMTP configured, a call's reminder is emailed to its reminderEmail once, after the reminder itself. */
class ReminderEmailIntegrationTests extends IntegrationTest {

    static GreenMail smtp;

    @DynamicPropertySource
    static void smtp(DynamicPropertyRegistry registry) {
        smtp = TestSmtp.start();
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> smtp.getSmtp().getPort());
        registry.add("parley.reminders.email-from", () -> "North Pole <santa@northpole.example>");
        registry.add("parley.reminders.enabled", () -> "false");   // the test sends them
    }

    @AfterAll
    static void stopSmtp() {
        if (smtp != null) smtp.stop();
    }

    @Autowired
    private Reminders reminders;

    private TestTenant tenant;
    private String persona;

    @BeforeEach
    void personaWithAReminder() {
        tenant = newTenant();
        ApiClient.Response created = tenant.api().post("/v1/personas", ApiClient.json(Map.of("name", "Santa Claus", "kind", "santa",
                "systemPrompt", "You are Santa.", "firstMessage", "Ho ho ho!", "reminderMinutesBefore", 60)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        persona = created.json().get("id").asString();
    }

    private String call(Instant at, String email) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("personaId", persona, "to", "+442071838750", "timeZone", "Europe/London",
                "scheduledAt", at.toString()));
        if (email != null) body.put("reminderEmail", email);
        ApiClient.Response created = tenant.api().post("/v1/calls", ApiClient.json(body));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    private List<String> types(String call) {
        return eventTypes(tenant, call);
    }

    @Test
    void theReminderIsEmailedOnceToWhoeverTheCallNames() throws Exception {
        Instant at = Instant.now().plus(Duration.ofDays(20)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        String when = java.time.format.DateTimeFormatter.ofPattern("EEEE d MMMM yyyy, HH:mm zzz", java.util.Locale.ENGLISH)
                .format(at.atZone(java.time.ZoneId.of("Europe/London")));   // e.g. Thursday 24 December 2026, 18:00 GMT
        String emailed = call(at, "parent@example.com");
        String silent = call(at, null);
        int before = smtp.getReceivedMessages().length;

        reminders.sendDue(at.minus(Duration.ofMinutes(59)));
        reminders.sendDue(at.minus(Duration.ofMinutes(58)));

        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(before + 1);
        MimeMessage message = received[received.length - 1];
        assertThat(message.getAllRecipients()[0].toString()).isEqualTo("parent@example.com");
        assertThat(message.getFrom()[0].toString()).contains("santa@northpole.example");
        assertThat(message.getSubject()).isEqualTo("Reminder: Santa Claus calls +442071838750 at " + when);
        assertThat(when).matches("[A-Z][a-z]+day \\d{1,2} [A-Z][a-z]+ \\d{4}, \\d{2}:00 (GMT|BST)");
        assertThat(types(emailed)).containsExactly("call.created", "call.reminder", "call.reminder_emailed");
        assertThat(types(silent)).containsExactly("call.created", "call.reminder");
    }

    @Test
    void aReminderEmailThatIsNotAnAddressIsAProblemAndWritesNothing() {
        long before = ownerCount("calls");
        for (String bad : List.of("not an address", "Santa <santa@example.com>", "a@b@c", "x".repeat(250) + "@example.com")) {
            ApiClient.Response refused = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750",
                    "reminderEmail", bad)));
            assertThat(refused.status()).as("%s: %s", bad, refused.body()).isIn(400, 422);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        assertThat(ownerCount("calls")).isEqualTo(before);
    }
}
