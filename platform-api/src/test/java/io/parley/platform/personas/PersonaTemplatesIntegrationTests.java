package io.parley.platform.personas;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.calls.DispatchLedger;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.support.ApiClient;
import io.parley.platform.support.IntegrationTest;
import io.parley.platform.support.TestServices;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Persona templates, the variables a persona declares, the calls checked against them, and a flow handed to the runtime. */
class PersonaTemplatesIntegrationTests extends IntegrationTest {

    @Autowired
    private DispatchLedger ledger;
    @Autowired
    private RuntimeHandoff handoff;

    @Test
    void everyTenantSeesTheSameTemplates() {
        JsonNode list = newTenant().api().get("/v1/persona-templates").json().get("data");
        List<String> ids = new ArrayList<>();
        list.forEach(t -> ids.add(t.get("id").asString()));
        assertThat(ids).containsExactly("santa", "coach", "friend", "creative", "receptionist");

        JsonNode santa = newTenant().api().get("/v1/persona-templates/santa").json();
        assertThat(santa.get("kind").asString()).isEqualTo("santa");
        assertThat(santa.get("systemPrompt").asString()).contains("{{child_name}}", "{{wish_list}}", "{{gift_budget}}")
                .contains("Never ask for, confirm or repeat a surname, home address, school, phone number");
        assertThat(santa.get("variables").get(0).get("name").asString()).isEqualTo("child_name");
        assertThat(santa.get("variables").get(0).get("required").asBoolean()).isTrue();
        assertThat(santa.get("flow").get(0).get("prompt").asString()).isEqualTo("Am I speaking with {{child_name}}?");

        ApiClient.Response missing = newTenant().api().get("/v1/persona-templates/grinch");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.headers().get("content-type")).startsWith("application/problem+json");
        assertThat(anonymous().get("/v1/persona-templates").status()).isEqualTo(401);
    }

    @Test
    void aPersonaMadeFromATemplateTakesWhatItLeavesOut() {
        TestTenant tenant = newTenant();
        ApiClient.Response made = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa", "name", "Santa at Snowy Pines")));
        assertThat(made.status()).as(made.body()).isEqualTo(201);
        JsonNode santa = made.json();
        JsonNode template = tenant.api().get("/v1/persona-templates/santa").json();
        assertThat(santa.get("name").asString()).isEqualTo("Santa at Snowy Pines");
        assertThat(santa.get("template").asString()).isEqualTo("santa");
        assertThat(santa.get("kind").asString()).isEqualTo("santa");
        assertThat(santa.get("systemPrompt").asString()).isEqualTo(template.get("systemPrompt").asString());
        assertThat(santa.get("variables")).isEqualTo(template.get("variables"));
        assertThat(santa.get("flow")).isEqualTo(template.get("flow"));

        // and it is the tenant's own to change
        ApiClient.Response changed = tenant.api().patch("/v1/personas/" + santa.get("id").asString(),
                ApiClient.json(Map.of("firstMessage", "Ho ho ho, {{child_name}}!", "flow", List.of())));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("flow")).isEmpty();
        assertThat(tenant.api().get("/v1/persona-templates/santa").json().get("firstMessage").asString()).as("the template is unchanged")
                .isEqualTo(template.get("firstMessage").asString());

        ApiClient.Response unknown = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "grinch")));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.json().get("errors").get(0).get("field").asString()).isEqualTo("template");
    }

    @Test
    void aCallIsCheckedAgainstThePersonasVariablesAndNothingIsKeptWhenItIsRefused() throws Exception {
        TestTenant tenant = newTenant();
        String santa = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa"))).json().get("id").asString();

        JsonNode missing = refused(tenant, santa, Map.of("wish_list", List.of("a bicycle")));
        assertThat(fields(missing)).containsExactly("variables.child_name");
        assertThat(missing.get("errors").get(0).get("detail").asString()).isEqualTo("required by the persona");

        JsonNode wrong = refused(tenant, santa, Map.of("child_name", "Ella", "child_age", "seven", "wish_list", "a bicycle",
                "surname", "Smith", "notes", "x".repeat(501)));
        assertThat(fields(wrong)).containsExactlyInAnyOrder("variables.child_age", "variables.wish_list", "variables.surname", "variables.notes");
        assertThat(detail(wrong, "variables.child_age")).isEqualTo("must be a whole number");
        assertThat(detail(wrong, "variables.wish_list")).isEqualTo("must be a list of strings");
        assertThat(detail(wrong, "variables.surname")).startsWith("not a variable of this persona (it takes child_name, child_age, wish_list");
        assertThat(detail(wrong, "variables.notes")).isEqualTo("at most 500 characters");
        assertThat(fields(refused(tenant, santa, Map.of("child_name", " ")))).containsExactly("variables.child_name");
        assertThat(fields(refused(tenant, santa, Map.of("child_name", "Ella", "wish_list", List.of("a", 5)))))
                .containsExactly("variables.wish_list");
        try (Connection db = TestServices.ownerConnection(); ResultSet rs = db.createStatement()
                .executeQuery("select count(*) from calls where tenant_id = '" + tenant.id() + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("no refused call was kept").isZero();
        }

        ApiClient.Response booked = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", santa, "to", "+442071838750",
                "variables", Map.of("child_name", "Ella", "child_age", 7, "wish_list", List.of("a red bicycle", "a puppy")))));
        assertThat(booked.status()).as(booked.body()).isEqualTo(201);
        assertThat(booked.json().get("variables").get("wish_list").get(1).asString()).isEqualTo("a puppy");

        // a persona without declarations takes any strings, numbers and booleans, but no lists
        String plain = createPersona(tenant, "Plain").get("id").asString();
        assertThat(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", plain, "to", "+442071838750",
                "variables", Map.of("anything", "goes", "n", 3)))).status()).isEqualTo(201);
        assertThat(fields(refused(tenant, plain, Map.of("wishes", List.of("a"))))).containsExactly("variables.wishes");
    }

    @Test
    void declarationsAndFlowsMustHangTogether() {
        TestTenant tenant = newTenant();
        // what the schema says is checked first: names, lengths
        ApiClient.Response malformed = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach",
                "variables", List.of(Map.of("name", "Bad-Name", "type", "string"), Map.of("name", "n", "type", "integer", "maxLength", 0)))));
        assertThat(malformed.status()).as(malformed.body()).isEqualTo(422);
        assertThat(fields(malformed.json())).containsExactlyInAnyOrder("variables[0].name", "variables[1].maxLength");
        // then whether it hangs together, every problem at once
        ApiClient.Response bad = tenant.api().post("/v1/personas", ApiClient.json(Map.of(
                "name", "Typo", "kind", "custom", "systemPrompt", "Talk to {{child_nmae}}.", "firstMessage", "Hello {{child_name}}!",
                "variables", List.of(Map.of("name", "child_name", "type", "string"), Map.of("name", "child_name", "type", "list"),
                        Map.of("name", "n", "type", "integer")),
                "flow", List.of(Map.of("id", "ask", "prompt", "Hi", "answers", List.of(Map.of("reply", "ok", "next", "nowhere"))),
                        Map.of("id", "ask", "prompt", "Again")))));
        assertThat(bad.status()).as(bad.body()).isEqualTo(422);
        assertThat(fields(bad.json())).containsExactlyInAnyOrder("variables[1].name", "flow[1].id", "flow[0].answers[0].next", "systemPrompt");
        assertThat(detail(bad.json(), "systemPrompt")).isEqualTo("names {{child_nmae}}, not among the persona's variables (child_name, n)");
        assertThat(tenant.api().get("/v1/personas").json().get("data")).as("nothing was made").isEmpty();
        ApiClient.Response type = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "coach",
                "variables", List.of(Map.of("name", "goal", "type", "text")))));
        assertThat(type.status()).as(type.body()).isEqualTo(400);
        assertThat(detail(type.json(), "variables[0].type")).isEqualTo("must be one of: string, integer, number, boolean, date, list");

        // an update that would leave a prompt naming an undeclared variable is refused as a whole
        String santa = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa"))).json().get("id").asString();
        ApiClient.Response dropped = tenant.api().patch("/v1/personas/" + santa,
                ApiClient.json(Map.of("variables", List.of(Map.of("name", "child_name", "type", "string", "required", true)),
                        "name", "Renamed")));
        assertThat(dropped.status()).as(dropped.body()).isEqualTo(422);
        assertThat(fields(dropped.json())).contains("systemPrompt", "flow[1].prompt");
        assertThat(tenant.api().get("/v1/personas/" + santa).json().get("name").asString()).isEqualTo("Santa Claus");
    }

    @Test
    void theRuntimeGetsThePersonasFlowAndTheCallsValues() throws Exception {
        TestTenant tenant = newTenant();
        String santa = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa"))).json().get("id").asString();
        UUID call = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", santa, "to", "+442071838750",
                "variables", Map.of("child_name", "Ella", "wish_list", List.of("a red bicycle", "a puppy"))))).json().get("id").asString());

        DispatchLedger.Claim claim = ledger.claim("templates", 1000, Duration.ofSeconds(30), Instant.now()).stream()
                .filter(c -> c.callId().equals(call)).findFirst().orElseThrow();
        DispatchLedger.Begun begun = ledger.begin(claim, "templates", "sandbox", "+15005550006", 100, Duration.ofSeconds(5),
                io.parley.platform.calls.CallingWindow.OFF, Instant.now()).begun();
        Map<String, Object> bootstrap = handoff.bootstrap(begun);

        @SuppressWarnings("unchecked")
        Map<String, Object> persona = (Map<String, Object>) bootstrap.get("persona");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> script = (List<Map<String, Object>>) persona.get("script");
        assertThat(script).extracting(step -> step.get("id")).containsExactly("confirm", "wishes", "kind", "goodbye");
        assertThat(script.get(1).get("prompt")).isEqualTo("I have your letter right here. It says you would love {{wish_list}}. "
                + "Which one would you like most of all?");
        assertThat(bootstrap.get("variables")).isEqualTo(Map.of("child_name", "Ella", "wish_list", List.of("a red bicycle", "a puppy")));
        assertThat(persona.get("tools")).as("Santa uses no platform tools").isEqualTo(List.of());
    }

    @Test
    void aReceptionistFromItsTemplateBooksThroughItsToolsAndAPersonaMayChangeThem() {
        TestTenant tenant = newTenant();
        JsonNode receptionist = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist"))).json();
        assertThat(receptionist.get("tools").toString()).isEqualTo("[\"check_availability\",\"book_appointment\",\"search_knowledge\"]");
        ApiClient.Response changed = tenant.api().patch("/v1/personas/" + receptionist.get("id").asString(),
                ApiClient.json(Map.of("tools", List.of("book_appointment", "schedule_callback", "check_availability", "schedule_callback"))));
        assertThat(changed.json().get("tools").toString()).isEqualTo("[\"book_appointment\",\"schedule_callback\",\"check_availability\"]");
        ApiClient.Response unknown = tenant.api().patch("/v1/personas/" + receptionist.get("id").asString(),
                ApiClient.json(Map.of("tools", List.of("transfer_funds"))));
        assertThat(unknown.status()).isEqualTo(400);
    }

    @Test
    void aStepThatBooksNeedsTheBookingToolsAndAnAnswerAndReachesTheRuntimeWithTheBusinesssZone() throws Exception {
        TestTenant tenant = newTenant();
        Map<String, Object> booking = Map.of("timeZone", "Europe/Paris", "hours", Map.of("monday", List.of(Map.of("start", "09:00", "end", "17:00"))));
        JsonNode receptionist = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "receptionist", "booking", booking))).json();
        JsonNode when = receptionist.get("flow").get(1);
        assertThat(when.get("id").asString()).isEqualTo("when");
        assertThat(when.get("action").asString()).isEqualTo("book_appointment");
        String id = receptionist.get("id").asString();

        // without the tools, or without an answer to follow the booking, a step that books is refused, and nothing changes
        ApiClient.Response noTools = tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("tools", List.of("schedule_callback"))));
        assertThat(noTools.status()).as(noTools.body()).isEqualTo(422);
        assertThat(fields(noTools.json())).containsExactly("flow[1].action");
        ApiClient.Response noAnswer = tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("flow", List.of(
                Map.of("id", "when", "prompt", "When?", "action", "book_appointment")))));
        assertThat(noAnswer.status()).as(noAnswer.body()).isEqualTo(422);
        assertThat(fields(noAnswer.json())).containsExactly("flow[0].answers");
        ApiClient.Response unknown = tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of("flow", List.of(
                Map.of("id", "when", "prompt", "When?", "action", "transfer_call", "answers", List.of(Map.of("next", "when")))))));
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
        assertThat(tenant.api().get("/v1/personas/" + id).json().get("flow")).isEqualTo(receptionist.get("flow"));
        assertThat(tenant.api().get("/v1/personas/" + id).json().get("version").asLong()).isEqualTo(receptionist.get("version").asLong());

        UUID call = UUID.fromString(tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", id, "to", "+442071838750")))
                .json().get("id").asString());
        @SuppressWarnings("unchecked")
        Map<String, Object> persona = (Map<String, Object>) handoff.bootstrap(io.parley.platform.support.Dispatching.beginNow(ledger, call, "templates"))
                .get("persona");
        assertThat(persona.get("bookingTimeZone")).isEqualTo("Europe/Paris");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> script = (List<Map<String, Object>>) persona.get("script");
        assertThat(script.get(1)).containsEntry("id", "when").containsEntry("action", "book_appointment");
        assertThat(script.get(0).get("action")).isNull();
    }

    @Test
    void aCallRunsOnThePersonaAsItWasWhenTheCallWasPlaced() throws Exception {
        TestTenant tenant = newTenant();
        JsonNode santa = tenant.api().post("/v1/personas", ApiClient.json(Map.of("template", "santa"))).json();
        assertThat(santa.get("version").asLong()).isZero();
        String id = santa.get("id").asString();
        JsonNode booked = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", id, "to", "+442071838750",
                "variables", Map.of("child_name", "Ella")))).json();
        assertThat(booked.get("personaVersion").asLong()).isZero();

        // the tenant changes its Santa after the parent booked: the booked call keeps the Santa that was booked
        ApiClient.Response changed = tenant.api().patch("/v1/personas/" + id, ApiClient.json(Map.of(
                "firstMessage", "Ho ho ho, a new greeting!", "flow", List.of())));
        assertThat(changed.json().get("version").asLong()).isEqualTo(1);
        JsonNode later = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", id, "to", "+442071838751",
                "variables", Map.of("child_name", "Max")))).json();
        assertThat(later.get("personaVersion").asLong()).isEqualTo(1);

        Map<String, Map<String, Object>> personas = new java.util.HashMap<>();
        Instant now = Instant.now();
        for (DispatchLedger.Claim claim : ledger.claim("versions", 1000, Duration.ofSeconds(30), now)) {
            String call = claim.callId().toString();
            if (!call.equals(booked.get("id").asString()) && !call.equals(later.get("id").asString())) {
                continue;
            }
            DispatchLedger.Begun begun = ledger.begin(claim, "versions", "sandbox", "+15005550006", 100, Duration.ofSeconds(5),
                    io.parley.platform.calls.CallingWindow.OFF, now).begun();
            @SuppressWarnings("unchecked")
            Map<String, Object> persona = (Map<String, Object>) handoff.bootstrap(begun).get("persona");
            personas.put(call, persona);
        }
        Map<String, Object> first = personas.get(booked.get("id").asString());
        Map<String, Object> second = personas.get(later.get("id").asString());
        assertThat((String) first.get("firstMessage")).endsWith("Ho ho ho! Merry Christmas! This is Santa Claus, calling all the way from the North Pole.");
        assertThat((List<?>) first.get("script")).as("the booked call keeps its Santa's flow").hasSize(4);
        assertThat((String) second.get("firstMessage")).endsWith("Ho ho ho, a new greeting!");
        assertThat(first.get("childSafety")).isEqualTo(true);
    }

    private static JsonNode refused(TestTenant tenant, String persona, Map<String, Object> variables) {
        ApiClient.Response response = tenant.api().post("/v1/calls", ApiClient.json(Map.of("personaId", persona, "to", "+442071838750",
                "variables", variables)));
        assertThat(response.status()).as(response.body()).isEqualTo(422);
        assertThat(response.json().get("type").asString()).endsWith("/validation-error");
        return response.json();
    }

    private static List<String> fields(JsonNode problem) {
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(e -> fields.add(e.get("field").asString()));
        return fields;
    }

    private static String detail(JsonNode problem, String field) {
        for (JsonNode e : problem.get("errors")) {
            if (e.get("field").asString().equals(field)) {
                return e.get("detail").asString();
            }
        }
        return null;
    }
}
