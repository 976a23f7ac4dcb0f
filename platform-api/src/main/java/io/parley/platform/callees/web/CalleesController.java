package io.parley.platform.callees.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.CalleesApi;
import io.parley.platform.api.model.Callee;
import io.parley.platform.api.model.CalleeConsent;
import io.parley.platform.api.model.CalleeMemory;
import io.parley.platform.api.model.CalleePage;
import io.parley.platform.api.model.CreateCalleeRequest;
import io.parley.platform.api.model.MemoryEntry;
import io.parley.platform.api.model.UpdateCalleeRequest;
import io.parley.platform.callees.Callees;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class CalleesController implements CalleesApi {

    private static final String WHAT = "callees";
    private final Callees callees;
    private final Idempotency idempotency;

    CalleesController(Callees callees, Idempotency idempotency) {
        this.callees = callees;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<Callee> createCallee(CreateCalleeRequest request, String idempotencyKey) {
        Caller caller = Callers.tenantWide(WHAT);
        Callees.Draft draft = new Callees.Draft(request.getPhoneNumber(), request.getName(), request.getPronunciation(), request.getTimeZone(),
                consent(request.getConsent()));
        return idempotency.run(caller.tenant(), idempotencyKey, "createCallee", request, Callee.class,
                () -> ResponseEntity.status(HttpStatus.CREATED).body(toApi(callees.create(caller.tenant(), draft, caller.actor()))));
    }

    @Override
    public ResponseEntity<CalleePage> listCallees(Integer limit, String cursor, String phoneNumber) {
        var page = callees.page(Callers.tenantWide(WHAT).tenant(), cursor, limit, phoneNumber);
        return ResponseEntity.ok(new CalleePage().data(page.map(CalleesController::toApi).items()).hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<Callee> getCallee(UUID calleeId) {
        return ResponseEntity.ok(toApi(callees.get(Callers.tenantWide(WHAT).tenant(), calleeId)));
    }

    @Override
    public ResponseEntity<Callee> updateCallee(UUID calleeId, UpdateCalleeRequest request) {
        Caller caller = Callers.tenantWide(WHAT);
        return ResponseEntity.ok(toApi(callees.update(caller.tenant(), calleeId, new Callees.Changes(request.getName(), request.getPronunciation(),
                request.getTimeZone(), consent(request.getConsent()), request.getOptedOut()), caller.actor())));
    }

    @Override
    public ResponseEntity<Void> deleteCallee(UUID calleeId) {
        callees.delete(Callers.tenantWide(WHAT).tenant(), calleeId);
        return ResponseEntity.noContent().build();
    }

    @Override
    public ResponseEntity<Callee> addFavourite(UUID calleeId, UUID personaId) {
        return ResponseEntity.ok(toApi(callees.favour(Callers.tenantWide(WHAT).tenant(), calleeId, personaId)));
    }

    @Override
    public ResponseEntity<Callee> removeFavourite(UUID calleeId, UUID personaId) {
        return ResponseEntity.ok(toApi(callees.unfavour(Callers.tenantWide(WHAT).tenant(), calleeId, personaId)));
    }

    @Override
    public ResponseEntity<CalleeMemory> getCalleeMemory(UUID calleeId) {
        return ResponseEntity.ok(new CalleeMemory().calleeId(calleeId).entries(callees.memory(Callers.tenantWide(WHAT).tenant(), calleeId).stream()
                .map(m -> new MemoryEntry().personaId(m.personaId()).callId(m.callId()).summary(m.summary()).at(utc(m.at()))).toList()));
    }

    @Override
    public ResponseEntity<Void> eraseCalleeMemory(UUID calleeId) {
        callees.eraseMemory(Callers.tenantWide(WHAT).tenant(), calleeId);
        return ResponseEntity.noContent().build();
    }

    private static Callees.Consent consent(CalleeConsent consent) {
        return consent == null ? null : Callees.Consent.valueOf(consent.name());
    }

    static Callee toApi(Callees.Callee c) {
        return new Callee().id(c.id()).phoneNumber(c.phoneNumber()).name(c.name()).pronunciation(c.pronunciation()).timeZone(c.timeZone())
                .consent(CalleeConsent.fromValue(c.consent().wire())).consentChangedAt(c.consentChangedAt() == null ? null : utc(c.consentChangedAt()))
                .optedOut(c.optedOut()).favouritePersonaIds(c.favouritePersonaIds()).createdAt(utc(c.createdAt())).updatedAt(utc(c.updatedAt()));
    }
}
