package io.parley.platform.personas;

import io.parley.platform.billing.Entitlements;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

/** Personas of a tenant. Every method takes the tenant first; there is no way to reach another's. */
@Service
public class PersonaService {

    /** What a new persona is made of; {@code language} and {@code voice} may be absent. */
    public record Draft(String name, PersonaKind kind, String systemPrompt, String firstMessage, String language, Persona.Voice voice,
                        Integer reminderMinutesBefore, Persona.Retry retry, String voicemailMessage, Boolean recording,
                        java.util.List<Persona.ExtractionField> extractionFields, java.util.List<Persona.Variable> variables,
                        java.util.List<Persona.Step> flow, String template, Persona.BookingSettings booking, java.util.List<String> tools,
                        Boolean childSafety, Persona.Settings settings, Boolean memory) {}

    /** Changes to a persona; absent (null) fields keep their value. */
    public record Changes(String name, PersonaKind kind, String systemPrompt, String firstMessage, String language, Persona.Voice voice,
                          Integer reminderMinutesBefore, Persona.Retry retry, String voicemailMessage, Boolean recording,
                          java.util.List<Persona.ExtractionField> extractionFields, java.util.List<Persona.Variable> variables,
                          java.util.List<Persona.Step> flow, Persona.BookingSettings booking, java.util.List<String> tools,
                          Boolean childSafety, Persona.Settings settings, Boolean memory) {}

    static final String DEFAULT_LANGUAGE = "en-US";
    static final Persona.Voice DEFAULT_VOICE = new Persona.Voice("offline", "cmu-slt-hsmm");

    private final EntityManager entities;
    private final TenantTransactions transactions;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    private final org.springframework.jdbc.core.JdbcTemplate jdbc;
    private final Entitlements entitlements;

    public PersonaService(EntityManager entities, TenantTransactions transactions, ApplicationEventPublisher events, Clock clock,
                          org.springframework.jdbc.core.JdbcTemplate jdbc, Entitlements entitlements) {
        this.jdbc = jdbc;
        this.entitlements = entitlements;
        this.entities = entities;
        this.transactions = transactions;
        this.events = events;
        this.clock = clock;
    }

    private static final java.util.regex.Pattern FIELD_NAME = java.util.regex.Pattern.compile("^[a-z][a-z0-9_]{0,39}$");

    /** Checks a persona's extraction fields: at most 20, each a unique snake_case name and a description. */
    static void checkExtractionFields(java.util.List<Persona.ExtractionField> fields) {
        if (fields == null) {
            return;
        }
        if (fields.size() > 20) {
            throw ApiProblemException.invalidField("extractionFields", "at most 20 fields");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            Persona.ExtractionField f = fields.get(i);
            if (f.name() == null || !FIELD_NAME.matcher(f.name()).matches()) {
                throw ApiProblemException.invalidField("extractionFields[" + i + "].name", "snake_case, a letter first, at most 40 characters");
            }
            if (!names.add(f.name())) {
                throw ApiProblemException.invalidField("extractionFields[" + i + "].name", "named twice");
            }
            if (f.description() == null || f.description().isBlank() || f.description().length() > 300) {
                throw ApiProblemException.invalidField("extractionFields[" + i + "].description", "what the field means, 1 to 300 characters");
            }
        }
    }

    /**
     * The draft with what it leaves out taken from its template, if it names one (404-like 422 for a template
     * that does not exist); without one, name, system prompt and first message are required.
     */
    static Draft fromTemplate(Draft draft) {
        if (draft.template() == null) {
            java.util.List<ApiProblemException.FieldError> missing = new java.util.ArrayList<>();
            if (draft.name() == null) missing.add(new ApiProblemException.FieldError("name", "required (or a template)"));
            if (draft.systemPrompt() == null) missing.add(new ApiProblemException.FieldError("systemPrompt", "required (or a template)"));
            if (draft.firstMessage() == null) missing.add(new ApiProblemException.FieldError("firstMessage", "required (or a template)"));
            if (draft.kind() == null) missing.add(new ApiProblemException.FieldError("kind", "required (or a template)"));
            if (!missing.isEmpty()) {
                throw new ApiProblemException(io.parley.platform.web.ProblemType.VALIDATION_ERROR,
                        "A persona needs a name, kind, system prompt and first message, or a template to take them from", missing);
            }
            return draft;
        }
        PersonaTemplates.Template t = PersonaTemplates.find(draft.template()).orElseThrow(() -> ApiProblemException.invalidField("template",
                "no such template; GET /v1/persona-templates lists them"));
        return new Draft(or(draft.name(), t.name()), or(draft.kind(), t.kind()), or(draft.systemPrompt(), t.systemPrompt()),
                or(draft.firstMessage(), t.firstMessage()), draft.language(), draft.voice(),
                or(draft.reminderMinutesBefore(), t.reminderMinutesBefore()), draft.retry(), draft.voicemailMessage(),
                draft.recording(), draft.extractionFields(), or(draft.variables(), t.variables()), or(draft.flow(), t.flow()), t.id(),
                draft.booking(), or(draft.tools(), t.tools()), draft.childSafety(), draft.settings(), draft.memory());
    }

    private static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    /**
     * Creates a persona, within the persona limit of the plan of {@code mode} (the credential's): the count and the
     * insert are one transaction, serialised per tenant, so two at once cannot both take the last one.
     */
    public Persona create(TenantId tenant, Mode mode, Draft given) {
        Draft draft = fromTemplate(given);
        checkExtractionFields(draft.extractionFields());
        PersonaChecks.check(draft.variables(), draft.flow(), draft.systemPrompt(), draft.firstMessage(), draft.tools());
        Persona.BookingSettings booking = PersonaChecks.booking(draft.booking());
        String language = draft.language() == null ? DEFAULT_LANGUAGE : normalizeLanguage(draft.language());
        Persona.Voice voice = draft.voice() == null ? DEFAULT_VOICE : draft.voice();
        int reminder = reminder(draft.reminderMinutesBefore());
        return transactions.write(tenant, () -> {
            jdbc.queryForObject("select count(*) from (select pg_advisory_xact_lock(hashtextextended('personas:' || ?::text, 0))) locked",
                    Long.class, tenant.value());
            long personas = jdbc.queryForObject("select count(*) from personas where tenant_id = ? and deleted_at is null", Long.class, tenant.value());
            entitlements.requirePersonaSlot(tenant, mode, personas);
            Persona persona = new Persona(tenant, draft.name(), draft.kind(), draft.systemPrompt(), draft.firstMessage(),
                    language, voice, clock.instant());
            persona.setReminderMinutesBefore(reminder);
            persona.setVoicemailMessage(draft.voicemailMessage());
            persona.setRecording(Boolean.TRUE.equals(draft.recording()));
            if (draft.extractionFields() != null) persona.setExtractionFields(draft.extractionFields());
            if (draft.retry() != null) persona.setRetry(draft.retry());
            if (draft.variables() != null) persona.setVariables(draft.variables());
            persona.setFlow(draft.flow());
            persona.setTemplate(draft.template());
            persona.setBooking(booking);
            if (draft.tools() != null) persona.setTools(draft.tools());
            persona.setSettings(PersonaChecks.settings(Persona.Settings.NONE.with(draft.settings())));
            persona.setMemory(Boolean.TRUE.equals(draft.memory()));
            // Santa talks with children unless his tenant says otherwise
            persona.setChildSafety(draft.childSafety() != null ? draft.childSafety() : draft.kind() == PersonaKind.SANTA);
            childSafe(persona);
            entities.persist(persona);
            entities.flush();
            keepVersion(tenant, persona);
            return persona;
        });
    }

    /** Removes the persona's booking settings (a new version); its bookings keep their slots. */
    public Persona stopBookings(TenantId tenant, UUID id) {
        return transactions.write(tenant, () -> {
            Persona persona = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("persona"));
            if (persona.booking() != null) {
                persona.setBooking(null);
                persona.touch(clock.instant());
                entities.flush();
                keepVersion(tenant, persona);
            }
            return persona;
        });
    }

    public Persona update(TenantId tenant, UUID id, Changes changes) {
        checkExtractionFields(changes.extractionFields());
        Persona.BookingSettings booking = PersonaChecks.booking(changes.booking());
        String language = changes.language() == null ? null : normalizeLanguage(changes.language());
        Integer reminder = changes.reminderMinutesBefore() == null ? null : reminder(changes.reminderMinutesBefore());
        return transactions.write(tenant, () -> {
            Persona persona = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("persona"));
            if (changes.name() != null) persona.setName(changes.name());
            if (changes.kind() != null) persona.setKind(changes.kind());
            if (changes.systemPrompt() != null) persona.setSystemPrompt(changes.systemPrompt());
            if (changes.firstMessage() != null) persona.setFirstMessage(changes.firstMessage());
            if (language != null) persona.setLanguage(language);
            if (changes.voice() != null) persona.setVoice(changes.voice());
            if (reminder != null) persona.setReminderMinutesBefore(reminder);
            if (changes.voicemailMessage() != null) persona.setVoicemailMessage(changes.voicemailMessage());
            if (changes.recording() != null) persona.setRecording(changes.recording());
            if (changes.extractionFields() != null) persona.setExtractionFields(changes.extractionFields());
            if (changes.retry() != null) persona.setRetry(changes.retry());
            if (changes.variables() != null) persona.setVariables(changes.variables());
            if (changes.flow() != null) persona.setFlow(changes.flow());
            if (booking != null) persona.setBooking(booking);
            if (changes.settings() != null) persona.setSettings(PersonaChecks.settings(persona.settings().with(changes.settings())));
            if (changes.memory() != null) persona.setMemory(changes.memory());
            if (changes.tools() != null) persona.setTools(changes.tools());
            if (changes.childSafety() != null) persona.setChildSafety(changes.childSafety());
            childSafe(persona);
            // the persona as it now is must still hang together: its prompts name only variables it declares
            PersonaChecks.check(persona.variables(), persona.flow(), persona.systemPrompt(), persona.firstMessage(), persona.tools());
            persona.touch(clock.instant());
            entities.flush();
            keepVersion(tenant, persona);
            return persona;
        });
    }

    /** Keeps the persona as it now is (flushed) as its current version, in the same transaction. */
    private void keepVersion(TenantId tenant, Persona persona) {
        jdbc.update("""
                insert into persona_versions (tenant_id, persona_id, version, snapshot, created_at)
                select p.tenant_id, p.id, p.version, to_jsonb(p), p.updated_at from personas p where p.tenant_id = ? and p.id = ?
                on conflict (persona_id, version) do nothing""", tenant.value(), persona.id());
    }

    /** A persona that talks with children is never recorded: 422 rather than a record the mode forbids. */
    private static void childSafe(Persona persona) {
        if (persona.childSafety() && persona.recording()) {
            throw ApiProblemException.invalidField("recording", "a persona in child-safety mode (childSafety, Santa's default) is never recorded");
        }
    }

    public Persona get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("persona"));
    }

    /** Whether the tenant has this (undeleted) persona. */
    public boolean exists(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id).isPresent());
    }

    /** The persona unless it was deleted (joining the caller's transaction, if any). */
    public Optional<Persona> active(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id));
    }

    public void delete(TenantId tenant, UUID id, String actor) {
        transactions.write(tenant, () -> {
            Persona persona = find(tenant, id).orElseThrow(() -> ApiProblemException.notFound("persona"));
            persona.delete(clock.instant());
            entities.flush();
            events.publishEvent(new PersonaDeleted(tenant, id, actor, clock.instant()));
            return null;
        });
    }

    public Page<Persona> page(TenantId tenant, String cursor, int limit, PersonaKind kind) {
        UUID after = Cursor.decode(cursor);
        return transactions.read(tenant, () -> {
            var query = entities.createQuery("select p from Persona p where p.tenantId = :tenant and p.deletedAt is null"
                            + (after == null ? "" : " and p.id < :after")
                            + (kind == null ? "" : " and p.kind = :kind")
                            + " order by p.id desc", Persona.class)
                    .setParameter("tenant", tenant.value())
                    .setMaxResults(limit + 1);
            if (after != null) query.setParameter("after", after);
            if (kind != null) query.setParameter("kind", kind.name().toLowerCase(Locale.ROOT));
            return Page.of(query.getResultList(), limit, Persona::id);
        });
    }

    private Optional<Persona> find(TenantId tenant, UUID id) {
        return entities.createQuery("select p from Persona p where p.tenantId = :tenant and p.id = :id and p.deletedAt is null", Persona.class)
                .setParameter("tenant", tenant.value())
                .setParameter("id", id)
                .getResultStream()
                .findFirst();
    }

    /** A well-formed BCP-47 tag in its canonical case ({@code en-us} becomes {@code en-US}), else 422. */
    static String normalizeLanguage(String tag) {
        try {
            Locale locale = new Locale.Builder().setLanguageTag(tag).build();
            if (locale.getLanguage().isEmpty()) {
                throw new IllformedLocaleException("no language");
            }
            String normalized = locale.toLanguageTag();
            if (Languages.of(normalized).isEmpty()) {
                throw ApiProblemException.invalidField("language", "not a language personas speak; GET /v1/languages lists them");
            }
            return normalized;
        } catch (IllformedLocaleException e) {
            throw ApiProblemException.invalidField("language", "not a BCP-47 language tag (e.g. en-US)");
        }
    }

    /** 0 (none) or 5 minutes to a week. */
    private static int reminder(Integer minutes) {
        if (minutes == null || minutes == 0) {
            return 0;
        }
        if (minutes < 5 || minutes > 10_080) {
            throw ApiProblemException.invalidField("reminderMinutesBefore", "0 (no reminder) or 5 to 10080 minutes");
        }
        return minutes;
    }
}
