package io.parley.platform.personas;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A persona's voice settings, model, recogniser and call limits: kept, checked, and handed to the runtime over the platform's defaults. */
class PersonaSettingsIntegrationTests extends IntegrationTest {

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private RuntimeHandoff handoff;

    private static final Map<String, Object> COACH = Map.of("template", "coach",
            "voice", Map.of("provider", "elevenlabs", "voiceId", "Rachel", "settings", Map.of("speed", 1.1, "stability", 0.4, "similarityBoost", 0.8)),
            "llm", Map.of("provider", "openai", "model", "gpt-4o-mini", "temperature", 0.3),
            "stt", Map.of("provider", "deepgram"),
            "limits", Map.of("maxCallSeconds", 3600, "warningSecondsBefore", 60, "warningText", "One minute left, let's wrap up.",
                    "silenceTimeoutSeconds", 20, "endCallPhrases", List.of("that's all", "goodbye coach")));

    @SuppressWarnings("unchecked")
    private Map<String, Object> bootstrapPersona(TestTenant tenant, String persona) throws Exception {
        UUID call = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750")))
                .json().get("id").asString());
        return (Map<String, Object>) handoff.bootstrap(io.parley.platform.support.Dispatching.beginNow(ledger, call, "settings")).get("persona");
    }

    @Test
    void aPersonasSettingsAreKeptAndReachItsCallsOverThePlatformsDefaults() throws Exception {
        TestTenant tenant = newTenant();
        ApiClient.Response made = tenant.api().post("/v1/personas", ApiClient.json(COACH));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        JsonNode coach = made.json();
        assertThat(coach.get("voice").get("settings").get("similarityBoost").asDouble()).isEqualTo(0.8);
        assertThat(coach.get("llm").get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(coach.get("stt").get("provider").asString()).isEqualTo("deepgram");
        assertThat(coach.get("limits").get("endCallPhrases").toString()).isEqualTo("[\"that's all\",\"goodbye coach\"]");
        String id = coach.get("id").asString();

        Map<String, Object> persona = bootstrapPersona(tenant, id);
        assertThat(persona.get("voice")).isEqualTo(Map.of("provider", "elevenlabs", "voiceOrModel", "Rachel",
                "settings", Map.of("speed", 1.1, "stability", 0.4, "similarity_boost", 0.8)));
        assertThat(persona.get("llm")).isEqualTo(Map.of("provider", "openai", "voiceOrModel", "gpt-4o-mini", "settings", Map.of("temperature", 0.3)));
        assertThat(((Map<?, ?>) persona.get("stt")).get("provider")).isEqualTo("deepgram");
        @SuppressWarnings("unchecked")
        Map<String, Object> limits = (Map<String, Object>) persona.get("limits");
        assertThat(limits.get("maxCallSeconds")).as("capped at the platform's longest call (10 minutes in tests)").isEqualTo(600L);
        assertThat(limits).containsEntry("warningSecondsBefore", 60).containsEntry("warningText", "One minute left, let's wrap up.")
                .containsEntry("silenceTimeoutSeconds", 20).containsEntry("endCallPhrases", List.of("that's all", "goodbye coach"))
                .as("what the persona leaves out is the platform's").containsEntry("stillThereText", "Are you still there?")
                .containsEntry("goodbyeText", "Thank you for talking with me. Goodbye!");

        // a change to one part replaces that part only, and makes a new version
        ApiClient.Response changed = tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("limits", Map.of("maxCallSeconds", 120))));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("limits").has("endCallPhrases")).isFalse();
        assertThat(changed.json().get("llm").get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(changed.json().get("version").asLong()).isGreaterThan(coach.get("version").asLong());
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) bootstrapPersona(tenant, id).get("limits");
        assertThat(after).containsEntry("maxCallSeconds", 120L).doesNotContainKey("endCallPhrases").containsEntry("warningSecondsBefore", 30);
    }

    @Test
    void aPersonaWithoutSettingsGetsThePlatformsDefaults() throws Exception {
        TestTenant tenant = newTenant();
        JsonNode plain = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist"))).json();
        assertThat(plain.has("llm")).isFalse();
        assertThat(plain.has("limits")).isFalse();
        Map<String, Object> persona = bootstrapPersona(tenant, plain.get("id").asString());
        assertThat(((Map<?, ?>) persona.get("voice")).get("settings")).isEqualTo(Map.of());
        assertThat(((Map<?, ?>) persona.get("llm")).get("voiceOrModel")).isNull();
        assertThat(((Map<?, ?>) persona.get("limits")).get("maxCallSeconds")).isEqualTo(600L);
    }

    @Test
    void aPersonaSpeaksOneOfTheLanguagesItsProvidersSpeakAndItsCallsAreSetToIt() throws Exception {
        TestTenant tenant = newTenant();
        JsonNode languages = tenant.api().get("/v1/languages").json().get("data");
        assertThat(languages.size()).as("at least 20 languages with real providers").isGreaterThanOrEqualTo(20);
        java.util.List<String> offline = new java.util.ArrayList<>();
        languages.forEach(l -> {
            assertThat(l.get("speechToText").toString()).contains("deepgram");
            assertThat(l.get("textToSpeech").toString()).contains("elevenlabs");
            if (l.get("speechToText").toString().contains("offline")) offline.add(l.get("tag").asString());
        });
        assertThat(offline).as("offline speech is English").containsExactly("en");

        ApiClient.Response german = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach", "language", "de-at")));
        assertThat(german.status()).as(german.body()).isEqualTo(201);
        assertThat(german.json().get("language").asString()).isEqualTo("de-AT");
        Map<String, Object> persona = bootstrapPersona(tenant, german.json().get("id").asString());
        assertThat(persona.get("language")).isEqualTo("de-AT");

        ApiClient.Response klingon = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach", "language", "tlh")));
        assertThat(klingon.status()).as(klingon.body()).isEqualTo(422);
        assertThat(klingon.json().get("errors").get(0).get("detail").asString()).contains("GET /v1/languages");
    }

    @Test
    void aPersonasCallingHoursReplaceTheTenantsAndACallOutsideThemIsDeferredToTheirOpening() {
        TestTenant tenant = newTenant();
        // the tenant calls at any hour; the persona only in an hour that is not now (in UTC, the callee's zone)
        assertThat(tenant.api().send("PUT", "/v1/settings", "{\"callingWindow\":{\"enabled\":false}}", "application/json").status()).isEqualTo(200);
        boolean morning = java.time.LocalTime.now(java.time.ZoneOffset.UTC).getHour() < 12;
        String start = morning ? "15:00" : "05:00";
        ApiClient.Response made = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist",
                "callingWindow", Map.of("start", start, "end", morning ? "16:00" : "06:00"))));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        assertThat(made.json().get("callingWindow").get("start").asString()).isEqualTo(start);
        String persona = made.json().get("id").asString();
        UUID call = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750",
                "timeZone", "UTC"))).json().get("id").asString());

        DispatchLedger.Claim claim = ledger.claim("hours", 1000, Duration.ofSeconds(30), Instant.now()).stream()
                .filter(c -> c.callId().equals(call)).findFirst().orElseThrow();
        DispatchLedger.Result result = ledger.begin(claim, "hours", "sandbox", "+15005550006", 100, Duration.ofSeconds(5),
                new io.parley.platform.calls.CallingWindow(true, java.time.LocalTime.of(8, 0), java.time.LocalTime.of(21, 0)), Instant.now());
        assertThat(result.notBegun()).isEqualTo(DispatchLedger.NotBegun.OUTSIDE_WINDOW);
        JsonNode deferred = tenant.api().get("/v1/calls/" + call + "/events?type=call.deferred").json().get("data").get(0);
        assertThat(deferred.get("reason").asString()).contains("outside the calling window " + start);
        assertThat(deferred.get("reason").asString()).as("deferred to the persona's opening").containsPattern("next at \\S+T" + start);

        for (Map<String, Object> window : List.<Map<String, Object>>of(Map.of("start", "14:00", "end", "13:00"), Map.of("start", "25:00", "end", "26:00"),
                Map.of("start", "09:00"))) {
            ApiClient.Response refused = tenant.api().patch("/v1/personas/" + persona, ApiClient.json(Map.of("callingWindow", window)));
            assertThat(refused.status()).as("%s: %s", window, refused.body()).isIn(400, 422);
        }
    }

    @Test
    void settingsThatDoNotHangTogetherAreRefusedAndNothingChanges() {
        TestTenant tenant = newTenant();
        String id = tenant.api().post("/v1/personas", ApiClient.json(COACH)).json().get("id").asString();
        JsonNode before = tenant.api().get("/v1/personas/" + id).json();
        List<Map<String, Object>> bad = List.of(
                Map.of("limits", Map.of("maxCallSeconds", 120, "warningSecondsBefore", 120)),
                Map.of("limits", Map.of("maxCallSeconds", 10)),
                Map.of("limits", Map.of("silenceTimeoutSeconds", 0)),
                Map.of("limits", Map.of("goodbyeText", " ")),
                Map.of("limits", Map.of("endCallPhrases", List.of(" "))),
                Map.of("llm", Map.of("temperature", 2.5)),
                Map.of("llm", Map.of("provider", "Open AI")),
                Map.of("stt", Map.of("provider", "")),
                Map.of("voice", Map.of("provider", "openai", "voiceId", "alloy", "settings", Map.of("speed", 3))));
        for (Map<String, Object> change : bad) {
            ApiClient.Response refused = tenant.api().patch("/v1/personas/" + id, ApiClient.json(change));
            assertThat(refused.status()).as("%s: %s", change, refused.body()).isIn(400, 422);
            assertThat(refused.json().get("errors")).as("%s names the field", change).isNotEmpty();
        }
        ApiClient.Response warning = tenant.api().patch("/v1/personas/" + id,
                ApiClient.json(Map.of("limits", Map.of("maxCallSeconds", 120, "warningSecondsBefore", 120))));
        assertThat(warning.json().get("errors").get(0).get("field").asString()).isEqualTo("limits.warningSecondsBefore");
        assertThat(tenant.api().get("/v1/personas/" + id).json()).as("nothing changed").isEqualTo(before);
    }
}
