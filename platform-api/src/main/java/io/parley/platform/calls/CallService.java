package io.parley.platform.calls;

import io.parley.platform.personas.PersonaDeleted;
import io.parley.platform.personas.PersonaService;
import io.parley.platform.tenancy.CallGrant;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Cursor;
import io.parley.platform.web.Page;
import io.parley.platform.web.ProblemType;
import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Calls of a tenant: recorded, listed, canceled, each change written to the call's event log in the
 * same transaction. Dialling comes with the scheduling and telephony features.
 *
 * <p>A caller holding a call credential ({@link Caller#grant()}) is confined here, whatever its scopes:
 * it places calls only to its call's callee with its call's persona (else 403), and reaches only its own
 * call and the calls it created (others answer 404, as another tenant's would).
 */
@Service
public class CallService {

    private static final String CREATED = "call.created";

    /** A call to place: at {@code scheduledAt}, or at {@code localTime} in the callee's zone, or (both null) at once. */
    public record Request(UUID personaId, String to, Instant scheduledAt, LocalDateTime localTime, String timeZone,
                          Map<String, Object> variables, Retry retry, Boolean record, String reminderEmail) {
        public Request(UUID personaId, String to, Instant scheduledAt, LocalDateTime localTime, String timeZone,
                       Map<String, Object> variables, Retry retry) {
            this(personaId, to, scheduledAt, localTime, timeZone, variables, retry, null, null);
        }
    }

    /** The retry policy a request gave; null fields (and the whole, when none was given) take the tenant's default, else Parley's. */
    public record Retry(List<String> on, Integer maxAttempts, Integer backoffSeconds) {}

    /** A new time for a scheduled call, as in {@link Request}; {@code timeZone} null keeps the call's zone. */
    public record Reschedule(Instant scheduledAt, LocalDateTime localTime, String timeZone) {}

    private final EntityManager entities;
    private final TenantTransactions transactions;
    private final PersonaService personas;
    private final DoNotCallList doNotCall;
    private final TenantCallSettings settings;
    private final Clock clock;

    private final io.parley.platform.callees.Callees callees;
    private final io.parley.platform.billing.Entitlements entitlements;

    public CallService(EntityManager entities, TenantTransactions transactions, PersonaService personas, DoNotCallList doNotCall,
                       TenantCallSettings settings, Clock clock, io.parley.platform.callees.Callees callees,
                       io.parley.platform.billing.Entitlements entitlements) {
        this.callees = callees;
        this.entitlements = entitlements;
        this.entities = entities;
        this.transactions = transactions;
        this.personas = personas;
        this.doNotCall = doNotCall;
        this.settings = settings;
        this.clock = clock;
    }

    private long underWay(TenantId tenant, io.parley.platform.tenancy.Mode mode) {
        return ((Number) entities.createNativeQuery("select count(*) from calls where tenant_id = ?1 and mode = ?2"
                + " and status in ('dialing', 'ringing', 'in_progress')").setParameter(1, tenant.value()).setParameter(2, mode.wire())
                .getSingleResult()).longValue();
    }

    public Call create(Caller caller, Request request) {
        Instant now = clock.instant();
        CallRequestRules rules = new CallRequestRules();
        String to = rules.phoneNumber(request.to());
        requireWithinGrant(caller, request.personaId(), to);
        // a callee of the tenant's with this number: their time zone unless the call names one
        String zone = request.timeZone() != null || to == null ? request.timeZone() : callees.timeZone(caller.tenant(), to).orElse(null);
        Call.When when = rules.when(request.scheduledAt(), request.localTime(), zone, to, now);
        rules.variables(request.variables());
        String reminderEmail = rules.email("reminderEmail", request.reminderEmail());
        TenantId tenant = caller.tenant();
        return transactions.write(tenant, () -> {
            Optional<io.parley.platform.personas.Persona> persona = personas.active(tenant, request.personaId());
            if (persona.isEmpty()) {
                rules.unknownPersona();
            } else {
                rules.variables(request.variables(), persona.get().variables());
                if (persona.get().childSafety() && Boolean.TRUE.equals(request.record())) {
                    rules.childSafe();
                }
            }
            rules.throwIfAny();
            // the subscription and the spend cap let it call (402 says why not, and how to)
            var standing = entitlements.requireCalling(tenant, caller.mode());
            if (!when.at().isAfter(now)) {   // due now: a slot of the plan's concurrent calls (a later one waits for one when dialled)
                entitlements.requireSlot(standing, underWay(tenant, caller.mode()));
            }
            if (callees.byNumber(tenant, to).map(c -> c.consent() == io.parley.platform.callees.Callees.Consent.REVOKED).orElse(false)) {
                throw new ApiProblemException(ProblemType.VALIDATION_ERROR, to + " belongs to a callee who revoked consent to be called",
                        List.of(new ApiProblemException.FieldError("to", "the callee revoked consent (PATCH /v1/callees/{id} if they agree again)")));
            }
            if (doNotCall.listed(tenant, to)) {
                throw new ApiProblemException(ProblemType.DO_NOT_CALL,
                        to + " is on the tenant's do-not-call list; remove it (DELETE /v1/do-not-call/{phoneNumber}) only if the callee agreed to be called",
                        List.of(new ApiProblemException.FieldError("to", "on the do-not-call list")));
            }
            Map<String, Object> variables = new HashMap<>();
            if (request.variables() != null) {
                request.variables().forEach((k, v) -> {
                    if (v != null) variables.put(k, v);
                });
            }
            Call call = new Call(tenant, request.personaId(), to, caller.mode(), when, variables, now);
            call.personaVersion(persona.get().version());   // the call runs on the persona as it is now
            // each field: the call's, else its persona's, else the tenant's, else Parley's
            Retry given = request.retry() != null ? request.retry() : new Retry(null, null, null);
            io.parley.platform.personas.Persona.Retry own = persona.get().retry();
            call.retryPolicy(TenantCallSettings.retry(settings.find(tenant),
                    given.on() != null && !given.on().isEmpty() ? given.on() : own.on(),
                    given.maxAttempts() != null ? given.maxAttempts() : own.maxAttempts(),
                    given.backoffSeconds() != null ? given.backoffSeconds() : own.backoffSeconds()));
            call.remind(persona.get().reminderMinutesBefore(), now);
            call.record(request.record() != null ? request.record() : persona.get().recording());
            call.reminderEmail(reminderEmail);
            entities.persist(call);
            entities.persist(new CallEvent(tenant, call.id(), CREATED, null, CallStatus.SCHEDULED, caller.actor(), null, now));
            entities.flush();
            return call;
        });
    }

    public Call get(TenantId tenant, UUID id) {
        return transactions.read(tenant, () -> find(tenant, id)).orElseThrow(() -> ApiProblemException.notFound("call"));
    }

    /** The call, if {@code caller} may see it: 404 otherwise. */
    public Call get(Caller caller, UUID id) {
        return transactions.read(caller.tenant(), () -> reachable(caller, id)).orElseThrow(() -> ApiProblemException.notFound("call"));
    }

    public Call cancel(Caller caller, UUID id, String reason) {
        TenantId tenant = caller.tenant();
        return transactions.write(tenant, () -> {
            Call call = reachable(caller, id).orElseThrow(() -> ApiProblemException.notFound("call"));
            if (caller.grant() != null && call.id().equals(caller.grant().callId())) {
                throw new ApiProblemException(ProblemType.FORBIDDEN, "A call credential cannot cancel its own call");
            }
            transition(call, CallStatus.CANCELED, "call.canceled", caller.actor(), reason);
            return call;
        });
    }

    /** Moves a scheduled call to a new time; 409 once it has started dialling. */
    public Call reschedule(Caller caller, UUID id, Reschedule request) {
        TenantId tenant = caller.tenant();
        Instant now = clock.instant();
        return transactions.write(tenant, () -> {
            Call call = reachable(caller, id).orElseThrow(() -> ApiProblemException.notFound("call"));
            CallRequestRules rules = new CallRequestRules();
            rules.newTime(request.scheduledAt(), request.localTime());
            rules.throwIfAny();
            boolean keepZone = request.timeZone() == null && call.timeZone() != null;
            Call.When when = rules.when(request.scheduledAt(), request.localTime(),
                    keepZone ? call.timeZone() : request.timeZone(), call.to(), now);
            rules.throwIfAny();
            if (keepZone && "inferred".equals(call.timeZoneSource())) {
                when = new Call.When(when.at(), when.timeZone(), Call.TimeZoneSource.INFERRED, when.localTime());
            }
            Instant before = call.scheduledAt();
            call.reschedule(when, now);
            call.remind(personas.active(tenant, call.personaId()).map(io.parley.platform.personas.Persona::reminderMinutesBefore).orElse(0), now);
            entities.persist(new CallEvent(tenant, call.id(), "call.rescheduled", CallStatus.SCHEDULED, CallStatus.SCHEDULED,
                    caller.actor(), "from " + before + " to " + when.at(), now));
            entities.flush();
            return call;
        });
    }

    /** The calls {@code caller} may see, newest first. */
    public Page<Call> page(Caller caller, String cursor, int limit, CallStatus status, UUID personaId) {
        UUID after = Cursor.decode(cursor);
        TenantId tenant = caller.tenant();
        CallGrant grant = caller.grant();
        return transactions.read(tenant, () -> {
            var query = entities.createQuery("select c from Call c where c.tenantId = :tenant"
                            + (after == null ? "" : " and c.id < :after")
                            + (status == null ? "" : " and c.status = :status")
                            + (personaId == null ? "" : " and c.personaId = :persona")
                            + (grant == null ? "" : " and (c.id = :own or exists (select e.id from CallEvent e where e.tenantId = c.tenantId"
                                    + " and e.callId = c.id and e.type = '" + CREATED + "' and e.actor = :actor))")
                            + " order by c.id desc", Call.class)
                    .setParameter("tenant", tenant.value())
                    .setMaxResults(limit + 1);
            if (after != null) query.setParameter("after", after);
            if (status != null) query.setParameter("status", status.wire());
            if (personaId != null) query.setParameter("persona", personaId);
            if (grant != null) query.setParameter("own", grant.callId()).setParameter("actor", caller.actor());
            return Page.of(query.getResultList(), limit, Call::id);
        });
    }

    /** The call's events, oldest first, of {@code type} only when given; 404 when the caller may not see such a call. */
    public Page<CallEvent> events(Caller caller, UUID callId, String cursor, int limit, String type) {
        UUID after = Cursor.decode(cursor);
        TenantId tenant = caller.tenant();
        return transactions.read(tenant, () -> {
            reachable(caller, callId).orElseThrow(() -> ApiProblemException.notFound("call"));
            var query = entities.createQuery("select e from CallEvent e where e.tenantId = :tenant and e.callId = :call"
                            + (after == null ? "" : " and e.id > :after")
                            + (type == null ? "" : " and e.type = :type") + " order by e.id asc", CallEvent.class)
                    .setParameter("tenant", tenant.value())
                    .setParameter("call", callId)
                    .setMaxResults(limit + 1);
            if (after != null) query.setParameter("after", after);
            if (type != null) query.setParameter("type", type);
            return Page.of(query.getResultList(), limit, CallEvent::id);
        });
    }

    /** A deleted persona places no more calls: its scheduled calls are canceled in the same transaction. */
    @EventListener
    void on(PersonaDeleted deleted) {
        transactions.write(deleted.tenant(), () -> {
            entities.createQuery("select c from Call c where c.tenantId = :tenant and c.personaId = :persona and c.status = :status", Call.class)
                    .setParameter("tenant", deleted.tenant().value())
                    .setParameter("persona", deleted.persona())
                    .setParameter("status", CallStatus.SCHEDULED.wire())
                    .getResultList()
                    .forEach(call -> transition(call, CallStatus.CANCELED, "call.canceled", deleted.actor(), "persona deleted"));
            return null;
        });
    }

    private void transition(Call call, CallStatus target, String eventType, String actor, String reason) {
        Instant now = clock.instant();
        CallStatus from = call.transition(target, now);
        entities.persist(new CallEvent(call.tenant(), call.id(), eventType, from, target, actor, reason, now));
        entities.flush();
    }

    /** A call credential places calls only to its own call's callee, with its own call's persona. */
    private static void requireWithinGrant(Caller caller, UUID personaId, String to) {
        CallGrant grant = caller.grant();
        if (grant == null) {
            return;
        }
        if (to != null && !grant.to().equals(to)) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "A call credential may only place calls to its own call's number");
        }
        if (!grant.personaId().equals(personaId)) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "A call credential may only place calls with its own call's persona");
        }
    }

    /** The call, if the caller may see it: any of its tenant's, or for a call credential its own call and those it created. */
    private Optional<Call> reachable(Caller caller, UUID id) {
        CallGrant grant = caller.grant();
        return find(caller.tenant(), id).filter(call -> grant == null || call.id().equals(grant.callId())
                || entities.createQuery("select count(e) from CallEvent e where e.tenantId = :tenant and e.callId = :call"
                                + " and e.type = '" + CREATED + "' and e.actor = :actor", Long.class)
                        .setParameter("tenant", caller.tenant().value())
                        .setParameter("call", call.id())
                        .setParameter("actor", caller.actor())
                        .getSingleResult() > 0);
    }

    private Optional<Call> find(TenantId tenant, UUID id) {
        return entities.createQuery("select c from Call c where c.tenantId = :tenant and c.id = :id", Call.class)
                .setParameter("tenant", tenant.value())
                .setParameter("id", id)
                .getResultStream()
                .findFirst();
    }
}
