package io.parley.platform.personas;

import io.parley.platform.tenancy.Ids;
import io.parley.platform.tenancy.TenantId;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

/** A voice character a tenant configures: who it is, what it says first, how it sounds. */
@Entity
@Table(name = "personas")
public class Persona {

    /** How a persona sounds. */
    public record Voice(String provider, String voiceId) {}

    @Id
    private UUID id;

    @Column(name = "tenant_id", nullable = false)
    private UUID tenantId;

    @Column(nullable = false)
    private String name;

    @Column(nullable = false)
    private String kind;

    @Column(name = "system_prompt", nullable = false)
    private String systemPrompt;

    @Column(name = "first_message", nullable = false)
    private String firstMessage;

    @Column(nullable = false)
    private String language;

    @Column(name = "voice_provider", nullable = false)
    private String voiceProvider;

    @Column(name = "voice_id", nullable = false)
    private String voiceId;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "deleted_at")
    private Instant deletedAt;

    @Column(name = "reminder_minutes_before", nullable = false)
    private int reminderMinutesBefore;

    @Column(nullable = false)
    private boolean recording;

    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    @Column(name = "extraction_fields", nullable = false, columnDefinition = "jsonb")
    private java.util.List<java.util.Map<String, String>> extractionFields = new java.util.ArrayList<>();

    /** A field the persona wants from each of its calls (the post-call extraction): a name and what it means. */
    public record ExtractionField(String name, String description) {}

    @Column(name = "voicemail_message")
    private String voicemailMessage;

    /** The variables the persona's calls take ({@link Variable}), as stored. */
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    private java.util.List<Variable> variables = new java.util.ArrayList<>();

    /** The persona's steps when it is a flow; null: a free conversation. */
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    private java.util.List<Step> flow;

    /** How the persona takes bookings; null: it takes none. */
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    private BookingSettings booking;

    /** Its voice's settings, model, recogniser and call limits; null parts keep the platform's defaults. */
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.JSON)
    @Column(columnDefinition = "jsonb")
    private Settings settings;

    /**
     * What a persona sets for its calls beyond its words: how its voice speaks, the model it thinks with, the recogniser
     * it listens with, and its calls' limits. Each part, and each field of one, may be null: the platform's default.
     */
    public record Settings(VoiceSettings voice, Model llm, Recognizer stt, Limits limits, Window callingWindow, Safety safety) {
        public static final Settings NONE = new Settings(null, null, null, null, null, null);

        /** These settings with {@code changes}' parts in place of theirs (a part given replaces the whole part). */
        public Settings with(Settings changes) {
            if (changes == null) return this;
            return new Settings(changes.voice != null ? changes.voice : voice, changes.llm != null ? changes.llm : llm,
                    changes.stt != null ? changes.stt : stt, changes.limits != null ? changes.limits : limits,
                    changes.callingWindow != null ? changes.callingWindow : callingWindow, changes.safety != null ? changes.safety : safety);
        }
    }

    /** Who a caller showing signs of self-harm is put through to (E.164), after the crisis line; null: nobody. */
    public record Safety(String crisisTransferTo) {}

    /** The hours (HH:MM, callee's local time) the persona's calls are dialled in, in place of the tenant's. */
    public record Window(String start, String end) {}

    /** How the voice speaks (providers that take it). */
    public record VoiceSettings(Double speed, Double stability, Double similarityBoost, Double style) {}

    /** The language model: a provider the runtime has, a model of it, its temperature. */
    public record Model(String provider, String model, Double temperature) {}

    /** The speech recogniser. */
    public record Recognizer(String provider) {}

    /** A call's limits and what is said at them. */
    public record Limits(Integer maxCallSeconds, Integer warningSecondsBefore, String warningText, String goodbyeText,
                         Integer silenceTimeoutSeconds, String stillThereText, java.util.List<String> endCallPhrases) {}

    /**
     * How a persona takes bookings: its opening hours per weekday ({@code monday} … {@code sunday}) in
     * {@code timeZone}, slots of {@code slotMinutes} from each opening, {@code bufferMinutes} kept free after each
     * booking, and whole days closed.
     */
    public record BookingSettings(String timeZone, int slotMinutes, int bufferMinutes, java.util.Map<String, java.util.List<Hours>> hours,
                                  java.util.List<String> holidays) {}

    /** One opening of a day, {@code start} inclusive to {@code end} exclusive, as HH:MM ({@code 24:00}: midnight). */
    public record Hours(String start, String end) {}

    /** Child-safety mode: never recorded, no identifying questions, transcripts kept briefly (Santa's default). */
    @Column(name = "child_safety", nullable = false)
    private boolean childSafety;

    /** Memory across calls: its calls' summaries are kept per number and recalled at the next call. */
    @Column(nullable = false)
    private boolean memory;

    /** The platform tools its calls may use. */
    @Column(nullable = false)
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.ARRAY)
    @org.hibernate.annotations.Mutability(org.hibernate.type.descriptor.java.Immutability.class)
    private String[] tools = new String[0];

    /** The template the persona was made from, if any. */
    @Column
    private String template;

    /**
     * A value each of the persona's calls takes ({@code POST /v1/calls} {@code variables}), used in its prompts as
     * {@code {{name}}}.
     *
     * @param type      {@code string}, {@code integer}, {@code number}, {@code boolean}, {@code date} (YYYY-MM-DD) or
     *                  {@code list} (of strings)
     * @param maxLength the longest a string (or a list's item) may be
     */
    public record Variable(String name, String type, boolean required, String description, Integer maxLength) {
        public static final java.util.Set<String> TYPES = java.util.Set.of("string", "integer", "number", "boolean", "date", "list");
        public static final int DEFAULT_MAX_LENGTH = 200;

        public int maxLengthOrDefault() {
            return maxLength == null ? DEFAULT_MAX_LENGTH : maxLength;
        }
    }

    /**
     * One step of a flow: what the persona says, then the answers it listens for, in order; the first that
     * matches gives its reply and the step to go to ({@code next}; none: the call ends after the reply). With
     * {@code action} {@link #BOOK_APPOINTMENT} the answer is a day and time to book (see the spec's FlowStep).
     */
    public record Step(String id, String prompt, java.util.List<Answer> answers, String action) {
        /** A step that books: the day and time the caller says are checked, read back and booked. */
        public static final String BOOK_APPOINTMENT = "book_appointment";

        public Step(String id, String prompt, java.util.List<Answer> answers) {
            this(id, prompt, answers, null);
        }
    }

    /** An answer a step listens for: any of {@code keywords} (none: any answer at all), the reply, the next step. */
    public record Answer(java.util.List<String> keywords, String reply, String next) {}

    @Column(name = "retry_on")
    @org.hibernate.annotations.JdbcTypeCode(org.hibernate.type.SqlTypes.ARRAY)
    private String[] retryOn;

    @Column(name = "retry_max_attempts")
    private Integer retryMaxAttempts;

    @Column(name = "retry_backoff_seconds")
    private Integer retryBackoffSeconds;

    /** The persona's own retry defaults: each field null where it sets none. */
    public record Retry(java.util.List<String> on, Integer maxAttempts, Integer backoffSeconds) {
        public static final Retry NONE = new Retry(null, null, null);

        public boolean isEmpty() {
            return on == null && maxAttempts == null && backoffSeconds == null;
        }
    }

    @Version
    private long version;

    protected Persona() {}

    Persona(TenantId tenant, String name, PersonaKind kind, String systemPrompt, String firstMessage,
            String language, Voice voice, Instant now) {
        this.id = Ids.next();
        this.tenantId = tenant.value();
        this.name = name;
        setKind(kind);
        this.systemPrompt = systemPrompt;
        this.firstMessage = firstMessage;
        this.language = language;
        setVoice(voice);
        this.createdAt = now;
        this.updatedAt = now;
    }

    void setName(String name) { this.name = name; }
    void setKind(PersonaKind kind) { this.kind = kind.name().toLowerCase(Locale.ROOT); }
    void setSystemPrompt(String systemPrompt) { this.systemPrompt = systemPrompt; }
    void setFirstMessage(String firstMessage) { this.firstMessage = firstMessage; }
    void setLanguage(String language) { this.language = language; }
    void setVoice(Voice voice) {
        this.voiceProvider = voice.provider();
        this.voiceId = voice.voiceId();
    }
    void setReminderMinutesBefore(int minutes) { this.reminderMinutesBefore = minutes; }
    void setRecording(boolean recording) { this.recording = recording; }
    void setExtractionFields(java.util.List<ExtractionField> fields) {
        this.extractionFields = new java.util.ArrayList<>(fields.stream()
                .map(f -> java.util.Map.of("name", f.name(), "description", f.description())).toList());
    }
    void setVoicemailMessage(String message) { this.voicemailMessage = message == null || message.isBlank() ? null : message.strip(); }
    void setRetry(Retry retry) {
        this.retryOn = retry.on() == null || retry.on().isEmpty() ? null : retry.on().toArray(String[]::new);
        this.retryMaxAttempts = retry.maxAttempts();
        this.retryBackoffSeconds = retry.backoffSeconds();
    }
    void setVariables(java.util.List<Variable> variables) { this.variables = new java.util.ArrayList<>(variables); }
    void setFlow(java.util.List<Step> flow) { this.flow = flow == null || flow.isEmpty() ? null : new java.util.ArrayList<>(flow); }
    void setTemplate(String template) { this.template = template; }
    void setBooking(BookingSettings booking) { this.booking = booking; }
    void setSettings(Settings settings) { this.settings = settings; }
    void setMemory(boolean memory) { this.memory = memory; }

    /** Whether it remembers earlier calls with a callee. */
    public boolean memory() { return memory; }
    void setChildSafety(boolean childSafety) { this.childSafety = childSafety; }
    void setTools(java.util.List<String> tools) { this.tools = tools.stream().distinct().toArray(String[]::new); }
    void touch(Instant now) { this.updatedAt = now; }
    void delete(Instant now) { this.deletedAt = now; this.updatedAt = now; }

    public UUID id() { return id; }
    public TenantId tenant() { return new TenantId(tenantId); }
    public String name() { return name; }
    public PersonaKind kind() { return PersonaKind.valueOf(kind.toUpperCase(Locale.ROOT)); }
    public String systemPrompt() { return systemPrompt; }
    public String firstMessage() { return firstMessage; }
    public String language() { return language; }
    public Voice voice() { return new Voice(voiceProvider, voiceId); }
    public Instant createdAt() { return createdAt; }
    public Instant updatedAt() { return updatedAt; }
    public boolean deleted() { return deletedAt != null; }
    /** Minutes before each call that {@code call.reminder} is sent; 0: none. */
    public int reminderMinutesBefore() { return reminderMinutesBefore; }
    public java.util.List<ExtractionField> extractionFields() {
        return extractionFields == null ? java.util.List.of()
                : extractionFields.stream().map(f -> new ExtractionField(f.get("name"), f.get("description"))).toList();
    }
    /** Whether the persona's calls are recorded unless a call says otherwise. */
    public boolean recording() { return recording; }
    /** What the persona leaves on an answering machine; null: it hangs up. */
    public String voicemailMessage() { return voicemailMessage; }
    /** The variables the persona's calls take; empty: any (each a string, number or boolean). */
    public java.util.List<Variable> variables() { return variables == null ? java.util.List.of() : java.util.List.copyOf(variables); }
    /** The persona's flow; empty: a free conversation. */
    public java.util.List<Step> flow() { return flow == null ? java.util.List.of() : java.util.List.copyOf(flow); }
    /** How the persona takes bookings; null: it takes none. */
    public BookingSettings booking() { return booking; }

    /** Its voice's settings, model, recogniser and call limits (never null; null parts: the platform's defaults). */
    public Settings settings() { return settings == null ? Settings.NONE : settings; }
    /** Its version: 0 when made, one more at each change; a call runs on the version it was placed with. */
    public long version() { return version; }
    /** Whether it talks with children: never recorded, no identifying questions, transcripts kept briefly. */
    public boolean childSafety() { return childSafety; }
    /** The platform tools its calls may use. */
    public java.util.List<String> tools() { return tools == null ? java.util.List.of() : java.util.List.of(tools); }
    /** The template the persona was made from; null: none. */
    public String template() { return template; }
    public Retry retry() { return new Retry(retryOn == null ? null : java.util.List.of(retryOn), retryMaxAttempts, retryBackoffSeconds); }
}
