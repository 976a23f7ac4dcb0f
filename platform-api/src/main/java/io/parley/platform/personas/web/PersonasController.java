package io.parley.platform.personas.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.PersonasApi;
import io.parley.platform.api.model.CreatePersonaRequest;
import io.parley.platform.api.model.PersonaPage;
import io.parley.platform.api.model.UpdatePersonaRequest;
import io.parley.platform.api.model.Voice;
import io.parley.platform.api.model.VoiceProvider;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.personas.Persona;
import io.parley.platform.personas.PersonaKind;
import io.parley.platform.personas.PersonaService;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Page;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PersonasController implements PersonasApi {

    private final PersonaService personas;
    private final Idempotency idempotency;

    PersonasController(PersonaService personas, Idempotency idempotency) {
        this.personas = personas;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Persona> createPersona(CreatePersonaRequest request, String idempotencyKey) {
        Caller caller = Callers.current();
        if (request.getName() != null) requireText("name", request.getName());
        if (request.getSystemPrompt() != null) requireText("systemPrompt", request.getSystemPrompt());
        if (request.getFirstMessage() != null) requireText("firstMessage", request.getFirstMessage());
        PersonaService.Draft draft = new PersonaService.Draft(request.getName() == null ? null : request.getName().strip(),
                request.getKind() == null ? null : kind(request.getKind()),
                request.getSystemPrompt(), request.getFirstMessage(), request.getLanguage(), voice(request.getVoice()),
                request.getReminderMinutesBefore(), retry(request.getRetry()), request.getVoicemailMessage(), request.getRecording(),
                fields(request.getExtractionFields()), variables(request.getVariables()), flow(request.getFlow()), request.getTemplate(),
                booking(request.getBooking()), tools(request.getTools()), request.getChildSafety(),
                settings(request.getVoice(), request.getLlm(), request.getStt(), request.getLimits(), request.getCallingWindow(), request.getCrisisTransferTo()), request.getMemory());
        return idempotency.run(caller.tenant(), idempotencyKey, "createPersona", request,
                io.parley.platform.api.model.Persona.class,
                () -> ResponseEntity.status(HttpStatus.CREATED).body(toApi(personas.create(caller.tenant(), caller.mode(), draft))));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Persona> getPersona(UUID personaId) {
        return ResponseEntity.ok(toApi(personas.get(Callers.current().tenant(), personaId)));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Persona> updatePersona(UUID personaId, UpdatePersonaRequest request) {
        if (request.getName() != null) requireText("name", request.getName());
        if (request.getSystemPrompt() != null) requireText("systemPrompt", request.getSystemPrompt());
        if (request.getFirstMessage() != null) requireText("firstMessage", request.getFirstMessage());
        PersonaService.Changes changes = new PersonaService.Changes(
                request.getName() == null ? null : request.getName().strip(),
                request.getKind() == null ? null : kind(request.getKind()),
                request.getSystemPrompt(), request.getFirstMessage(), request.getLanguage(), voice(request.getVoice()),
                request.getReminderMinutesBefore(), retry(request.getRetry()), request.getVoicemailMessage(), request.getRecording(),
                fields(request.getExtractionFields()), variables(request.getVariables()), flow(request.getFlow()),
                booking(request.getBooking()), tools(request.getTools()), request.getChildSafety(),
                settings(request.getVoice(), request.getLlm(), request.getStt(), request.getLimits(), request.getCallingWindow(), request.getCrisisTransferTo()), request.getMemory());
        return ResponseEntity.ok(toApi(personas.update(Callers.current().tenant(), personaId, changes)));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Persona> deletePersonaBooking(UUID personaId) {
        return ResponseEntity.ok(toApi(personas.stopBookings(Callers.current().tenant(), personaId)));
    }

    @Override
    public ResponseEntity<Void> deletePersona(UUID personaId) {
        Caller caller = Callers.current();
        personas.delete(caller.tenant(), personaId, caller.actor());
        return ResponseEntity.noContent().build();
    }

    @Override
    public ResponseEntity<PersonaPage> listPersonas(Integer limit, String cursor, io.parley.platform.api.model.PersonaKind kind) {
        Page<Persona> page = personas.page(Callers.current().tenant(), cursor, limit, kind == null ? null : kind(kind));
        return ResponseEntity.ok(new PersonaPage()
                .data(page.map(PersonasController::toApi).items())
                .hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    private static void requireText(String field, String value) {
        if (value.isBlank()) {
            throw ApiProblemException.invalidField(field, "must not be blank");
        }
    }

    private static PersonaKind kind(io.parley.platform.api.model.PersonaKind kind) {
        return PersonaKind.valueOf(kind.getValue().toUpperCase(Locale.ROOT));
    }

    /** The retry defaults as given (fields left out: null); null when none were given. */
    private static Persona.Retry retry(io.parley.platform.api.model.RetryPolicy retry) {
        if (retry == null) {
            return null;
        }
        return new Persona.Retry(retry.getOutcomes() == null || retry.getOutcomes().isEmpty() ? null
                : retry.getOutcomes().stream().map(o -> o.getValue()).distinct().toList(), retry.getMaxAttempts(), retry.getBackoffSeconds());
    }

    private static java.util.List<Persona.ExtractionField> fields(java.util.List<io.parley.platform.api.model.ExtractionField> fields) {
        return fields == null ? null : fields.stream().map(f -> new Persona.ExtractionField(f.getName(), f.getDescription())).toList();
    }

    static java.util.List<Persona.Variable> variables(java.util.List<io.parley.platform.api.model.PersonaVariable> variables) {
        return variables == null ? null : variables.stream().map(v -> v == null ? null
                : new Persona.Variable(v.getName(), v.getType() == null ? null : v.getType().getValue(), Boolean.TRUE.equals(v.getRequired()),
                        v.getDescription(), v.getMaxLength())).toList();
    }

    static java.util.List<Persona.Step> flow(java.util.List<io.parley.platform.api.model.FlowStep> flow) {
        return flow == null ? null : flow.stream().map(step -> step == null ? null
                : new Persona.Step(step.getId(), step.getPrompt() == null ? "" : step.getPrompt(), step.getAnswers() == null ? java.util.List.of()
                        : step.getAnswers().stream().map(a -> a == null ? null
                                : new Persona.Answer(a.getKeywords() == null ? java.util.List.of() : a.getKeywords(),
                                        a.getReply() == null ? "" : a.getReply(), a.getNext())).toList(),
                        step.getAction() == null ? null : step.getAction().getValue())).toList();
    }

    static java.util.List<io.parley.platform.api.model.PersonaVariable> variablesToApi(java.util.List<Persona.Variable> variables) {
        return variables.stream().map(v -> new io.parley.platform.api.model.PersonaVariable()
                .name(v.name())
                .type(io.parley.platform.api.model.PersonaVariable.TypeEnum.fromValue(v.type()))
                .required(v.required())
                .description(v.description())
                .maxLength(v.maxLength())).toList();
    }

    static java.util.List<io.parley.platform.api.model.FlowStep> flowToApi(java.util.List<Persona.Step> flow) {
        return flow.stream().map(step -> new io.parley.platform.api.model.FlowStep()
                .id(step.id())
                .prompt(step.prompt())
                .answers(step.answers().stream().map(a -> new io.parley.platform.api.model.FlowAnswer()
                        .keywords(a.keywords()).reply(a.reply()).next(a.next())).toList())
                .action(step.action() == null ? null : io.parley.platform.api.model.FlowStep.ActionEnum.fromValue(step.action()))).toList();
    }

    private static java.util.List<String> tools(java.util.List<io.parley.platform.api.model.PersonaTool> tools) {
        return tools == null ? null : tools.stream().map(io.parley.platform.api.model.PersonaTool::getValue).toList();
    }

    /** The request's settings parts (null when it gives none). */
    static Persona.Settings settings(Voice voice, io.parley.platform.api.model.PersonaModel llm, io.parley.platform.api.model.PersonaRecognizer stt,
                                     io.parley.platform.api.model.PersonaLimits limits, io.parley.platform.api.model.PersonaCallingWindow window,
                                     String crisisTransferTo) {
        io.parley.platform.api.model.VoiceSettings v = voice == null ? null : voice.getSettings();
        if (v == null && llm == null && stt == null && limits == null && window == null && crisisTransferTo == null) return null;
        return new Persona.Settings(
                v == null ? null : new Persona.VoiceSettings(v.getSpeed(), v.getStability(), v.getSimilarityBoost(), v.getStyle()),
                llm == null ? null : new Persona.Model(llm.getProvider(), llm.getModel() == null ? null : llm.getModel().strip(), llm.getTemperature()),
                stt == null ? null : new Persona.Recognizer(stt.getProvider()),
                limits == null ? null : new Persona.Limits(limits.getMaxCallSeconds(), limits.getWarningSecondsBefore(), limits.getWarningText(),
                        limits.getGoodbyeText(), limits.getSilenceTimeoutSeconds(), limits.getStillThereText(),
                        limits.getEndCallPhrases() == null ? null : limits.getEndCallPhrases().stream().map(String::strip).toList()),
                window == null ? null : new Persona.Window(window.getStart(), window.getEnd()),
                crisisTransferTo == null ? null : new Persona.Safety(crisisTransferTo));
    }

    private static Voice voiceToApi(Persona persona) {
        Voice voice = new Voice(VoiceProvider.fromValue(persona.voice().provider()), persona.voice().voiceId());
        Persona.VoiceSettings v = persona.settings().voice();
        return v == null ? voice : voice.settings(new io.parley.platform.api.model.VoiceSettings().speed(v.speed()).stability(v.stability())
                .similarityBoost(v.similarityBoost()).style(v.style()));
    }

    private static io.parley.platform.api.model.PersonaLimits limitsToApi(Persona.Limits l) {
        return l == null ? null : new io.parley.platform.api.model.PersonaLimits().maxCallSeconds(l.maxCallSeconds())
                .warningSecondsBefore(l.warningSecondsBefore()).warningText(l.warningText()).goodbyeText(l.goodbyeText())
                .silenceTimeoutSeconds(l.silenceTimeoutSeconds()).stillThereText(l.stillThereText()).endCallPhrases(l.endCallPhrases());
    }

    static Persona.BookingSettings booking(io.parley.platform.api.model.BookingSettings b) {
        if (b == null) {
            return null;
        }
        java.util.Map<String, java.util.List<Persona.Hours>> hours = new java.util.LinkedHashMap<>();
        if (b.getHours() != null) {
            b.getHours().forEach((day, openings) -> hours.put(day, openings == null ? java.util.List.of()
                    : openings.stream().map(h -> h == null ? null : new Persona.Hours(h.getStart(), h.getEnd())).toList()));
        }
        return new Persona.BookingSettings(b.getTimeZone(), b.getSlotMinutes() == null ? 0 : b.getSlotMinutes(),
                b.getBufferMinutes() == null ? 0 : b.getBufferMinutes(), hours,
                b.getHolidays() == null ? null : b.getHolidays().stream().map(d -> d == null ? null : d.toString()).toList());
    }

    static io.parley.platform.api.model.BookingSettings bookingToApi(Persona.BookingSettings b) {
        if (b == null) {
            return null;
        }
        java.util.Map<String, java.util.List<io.parley.platform.api.model.OpeningHours>> hours = new java.util.LinkedHashMap<>();
        b.hours().forEach((day, openings) -> hours.put(day, openings.stream()
                .map(h -> new io.parley.platform.api.model.OpeningHours().start(h.start()).end(h.end())).toList()));
        return new io.parley.platform.api.model.BookingSettings()
                .timeZone(b.timeZone())
                .slotMinutes(b.slotMinutes())
                .bufferMinutes(b.bufferMinutes())
                .hours(hours)
                .holidays(b.holidays().stream().map(java.time.LocalDate::parse).toList());
    }

    private static Persona.Voice voice(Voice voice) {
        return voice == null ? null : new Persona.Voice(voice.getProvider().getValue(), voice.getVoiceId());
    }

    static io.parley.platform.api.model.Persona toApi(Persona persona) {
        return new io.parley.platform.api.model.Persona()
                .id(persona.id())
                .name(persona.name())
                .kind(io.parley.platform.api.model.PersonaKind.fromValue(persona.kind().name().toLowerCase(Locale.ROOT)))
                .systemPrompt(persona.systemPrompt())
                .firstMessage(persona.firstMessage())
                .language(persona.language())
                .voice(voiceToApi(persona))
                .llm(persona.settings().llm() == null ? null : new io.parley.platform.api.model.PersonaModel()
                        .provider(persona.settings().llm().provider()).model(persona.settings().llm().model())
                        .temperature(persona.settings().llm().temperature()))
                .stt(persona.settings().stt() == null ? null : new io.parley.platform.api.model.PersonaRecognizer()
                        .provider(persona.settings().stt().provider()))
                .limits(limitsToApi(persona.settings().limits()))
                .callingWindow(persona.settings().callingWindow() == null ? null : new io.parley.platform.api.model.PersonaCallingWindow(
                        persona.settings().callingWindow().start(), persona.settings().callingWindow().end()))
                .crisisTransferTo(persona.settings().safety() == null ? null : persona.settings().safety().crisisTransferTo())
                .reminderMinutesBefore(persona.reminderMinutesBefore())
                .voicemailMessage(persona.voicemailMessage())
                .recording(persona.recording())
                .template(persona.template())
                .booking(bookingToApi(persona.booking()))
                .childSafety(persona.childSafety())
                .memory(persona.memory())
                .version(persona.version())
                .tools(persona.tools().stream().map(io.parley.platform.api.model.PersonaTool::fromValue).toList())
                .variables(variablesToApi(persona.variables()))
                .flow(flowToApi(persona.flow()))
                .extractionFields(persona.extractionFields().stream()
                        .map(f -> new io.parley.platform.api.model.ExtractionField().name(f.name()).description(f.description())).toList())
                .retry(persona.retry().isEmpty() ? null : new io.parley.platform.api.model.RetryPolicy()
                        .outcomes(persona.retry().on() == null ? null
                                : persona.retry().on().stream().map(io.parley.platform.api.model.RetryPolicy.OutcomesEnum::fromValue).toList())
                        .maxAttempts(persona.retry().maxAttempts())
                        .backoffSeconds(persona.retry().backoffSeconds()))
                .createdAt(utc(persona.createdAt()))
                .updatedAt(utc(persona.updatedAt()));
    }
}
