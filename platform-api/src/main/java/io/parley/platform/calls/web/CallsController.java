package io.parley.platform.calls.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.CallsApi;
import io.parley.platform.api.model.CallEventPage;
import io.parley.platform.api.model.CallPage;
import io.parley.platform.api.model.CancelCallRequest;
import io.parley.platform.api.model.CreateCallRequest;
import io.parley.platform.api.model.Mode;
import io.parley.platform.api.model.RescheduleCallRequest;
import io.parley.platform.calls.Call;
import io.parley.platform.calls.CallEvent;
import io.parley.platform.calls.CallService;
import io.parley.platform.calls.CallStatus;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.recordings.Recordings;
import io.parley.platform.summaries.Summaries;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Page;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

@RestController
class CallsController implements CallsApi {

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private final CallService calls;
    private final Idempotency idempotency;
    private final JsonMapper json;
    private final Recordings recordings;
    private final Summaries summaries;

    CallsController(CallService calls, Idempotency idempotency, JsonMapper json, Recordings recordings, Summaries summaries) {
        this.calls = calls;
        this.idempotency = idempotency;
        this.json = json;
        this.recordings = recordings;
        this.summaries = summaries;
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.CallSummary> getCallSummary(UUID callId) {
        Caller caller = Callers.current();
        calls.get(caller, callId);   // 404 for a call that is not the caller's
        Summaries.Summary summary = summaries.find(caller.tenant(), callId).orElseThrow(() -> ApiProblemException.notFound("summary"));
        return ResponseEntity.ok(new io.parley.platform.api.model.CallSummary()
                .status(io.parley.platform.api.model.CallSummary.StatusEnum.fromValue(summary.status()))
                .summary(summary.summary())
                .fields(summary.fields())
                .reason(summary.reason())
                .updatedAt(utc(summary.updatedAt())));
    }

    @Override
    public ResponseEntity<org.springframework.core.io.Resource> getCallRecording(UUID callId) {
        Caller caller = Callers.tenantWide("call recordings");
        calls.get(caller, callId);   // 404 for a call that is not the tenant's
        byte[] audio = recordings.audio(caller.tenant(), callId).orElseThrow(() -> ApiProblemException.notFound("recording"));
        return ResponseEntity.ok()
                .contentType(org.springframework.http.MediaType.parseMediaType("audio/wav"))
                .contentLength(audio.length)
                .header("Content-Disposition", "attachment; filename=\"call-" + callId + ".wav\"")
                .header("Cache-Control", "no-store")
                .body(new org.springframework.core.io.ByteArrayResource(audio));
    }

    @Override
    public ResponseEntity<Void> deleteCallRecording(UUID callId) {
        Caller caller = Callers.tenantWide("call recordings");
        calls.get(caller, callId);
        if (!recordings.delete(caller.tenant(), callId)) {
            throw ApiProblemException.notFound("recording");
        }
        return ResponseEntity.noContent().build();
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Call> createCall(CreateCallRequest request, String idempotencyKey) {
        Caller caller = Callers.current();
        CallService.Request call = new CallService.Request(request.getPersonaId(), request.getTo(),
                request.getScheduledAt() == null ? null : request.getScheduledAt().toInstant(),
                localTime(request.getLocalTime()), request.getTimeZone(), request.getVariables(), retry(request.getRetry()), request.getRecord(),
                request.getReminderEmail());
        return idempotency.run(caller.tenant(), idempotencyKey, operation(caller, "createCall"), request, io.parley.platform.api.model.Call.class,
                () -> ResponseEntity.status(HttpStatus.CREATED).body(toApi(calls.create(caller, call))));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Call> getCall(UUID callId) {
        return ResponseEntity.ok(toApi(calls.get(Callers.current(), callId)));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Call> cancelCall(UUID callId, String idempotencyKey, CancelCallRequest request) {
        Caller caller = Callers.current();
        String reason = request == null ? null : request.getReason();
        return idempotency.run(caller.tenant(), idempotencyKey, operation(caller, "cancelCall:" + callId), request, io.parley.platform.api.model.Call.class,
                () -> ResponseEntity.ok(toApi(calls.cancel(caller, callId, reason))));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Call> rescheduleCall(UUID callId, RescheduleCallRequest request, String idempotencyKey) {
        Caller caller = Callers.current();
        CallService.Reschedule reschedule = new CallService.Reschedule(
                request.getScheduledAt() == null ? null : request.getScheduledAt().toInstant(),
                localTime(request.getLocalTime()), request.getTimeZone());
        return idempotency.run(caller.tenant(), idempotencyKey, operation(caller, "rescheduleCall:" + callId), request, io.parley.platform.api.model.Call.class,
                () -> ResponseEntity.ok(toApi(calls.reschedule(caller, callId, reschedule))));
    }

    /** The request's retry policy as given (absent fields null); null when none was given. */
    private static CallService.Retry retry(io.parley.platform.api.model.RetryPolicy retry) {
        if (retry == null) {
            return null;
        }
        return new CallService.Retry(retry.getOutcomes() == null ? null : retry.getOutcomes().stream().map(o -> o.getValue()).toList(),
                retry.getMaxAttempts(), retry.getBackoffSeconds());
    }

    static io.parley.platform.api.model.RetryPolicy toApi(Call.RetryPolicy policy) {
        return new io.parley.platform.api.model.RetryPolicy()
                .outcomes(policy.on().stream().map(io.parley.platform.api.model.RetryPolicy.OutcomesEnum::fromValue).toList())
                .maxAttempts(policy.maxAttempts())
                .backoffSeconds(policy.backoffSeconds());
    }

    /** A local date-time the schema's pattern let through but the calendar has not (2026-02-30T10:00) is a 422 on the field. */
    private static LocalDateTime localTime(String value) {
        if (value == null) {
            return null;
        }
        try {
            return LocalDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblemException.invalidField("localTime", "not a date and time of the calendar (e.g. 2026-12-24T18:00:00)");
        }
    }

    @Override
    public ResponseEntity<CallPage> listCalls(Integer limit, String cursor, io.parley.platform.api.model.CallStatus status, UUID personaId) {
        Page<Call> page = calls.page(Callers.current(), cursor, limit,
                status == null ? null : CallStatus.fromWire(status.getValue()), personaId);
        return ResponseEntity.ok(new CallPage()
                .data(page.map(CallsController::toApi).items())
                .hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<CallEventPage> listCallEvents(UUID callId, Integer limit, String cursor, String type) {
        Page<CallEvent> page = calls.events(Callers.current(), callId, cursor, limit, type);
        return ResponseEntity.ok(new CallEventPage()
                .data(page.map(this::toApi).items())
                .hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    /**
     * The operation an idempotency key is kept under. A call credential's keys are its own: it can never be
     * answered, by replay, a response another credential of the tenant got (which it might not be allowed to see).
     */
    private static String operation(Caller caller, String operation) {
        return caller.grant() == null ? operation : operation + "@" + caller.actor();
    }

    static io.parley.platform.api.model.Call toApi(Call call) {
        return new io.parley.platform.api.model.Call()
                .id(call.id())
                .personaId(call.personaId())
                .personaVersion(call.personaVersion())
                .direction(call.inbound() ? io.parley.platform.api.model.Call.DirectionEnum.INBOUND : io.parley.platform.api.model.Call.DirectionEnum.OUTBOUND)
                .to(call.to())
                .record(call.record())
                .reminderEmail(call.reminderEmail())
                .status(status(call.status()))
                .mode(Mode.fromValue(call.mode().wire()))
                .scheduledAt(utc(call.scheduledAt()))
                .timeZone(call.timeZone())
                .timeZoneSource(call.timeZoneSource() == null ? null : io.parley.platform.api.model.Call.TimeZoneSourceEnum.fromValue(call.timeZoneSource()))
                .localTime(call.timeZone() == null ? null
                        : call.scheduledAt().atZone(ZoneId.of(call.timeZone())).toLocalDateTime().format(LOCAL))
                .variables(new java.util.LinkedHashMap<>(call.variables()))
                .createdAt(utc(call.createdAt()))
                .updatedAt(utc(call.updatedAt()))
                .canceledAt(utc(call.canceledAt()))
                .attempts(call.attempts())
                .retry(toApi(call.retryPolicy()))
                .finalReason(call.finalReason())
                .remindAt(utc(call.remindAt()));
    }

    io.parley.platform.api.model.CallEvent toApi(CallEvent event) {
        return new io.parley.platform.api.model.CallEvent()
                .id(event.id())
                .callId(event.callId())
                .type(event.type())
                .fromStatus(status(event.fromStatus()))
                .toStatus(status(event.toStatus()))
                .actor(event.actor())
                .reason(event.reason())
                .occurredAt(utc(event.occurredAt()))
                .data(event.data() == null ? null : json.readValue(event.data(), OBJECT));
    }

    private static io.parley.platform.api.model.CallStatus status(CallStatus status) {
        return status == null ? null : io.parley.platform.api.model.CallStatus.fromValue(status.wire());
    }
}
