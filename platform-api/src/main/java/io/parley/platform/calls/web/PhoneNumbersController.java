package io.parley.platform.calls.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.PhoneNumbersApi;
import io.parley.platform.api.model.CreatePhoneNumberRequest;
import io.parley.platform.api.model.CreateTestCallRequest;
import io.parley.platform.calls.CallService;
import io.parley.platform.calls.runtime.RuntimeHandoff;
import io.parley.platform.telephony.Carriers;
import io.parley.platform.telephony.SandboxTelephony;
import io.parley.platform.tenancy.Scope;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import io.parley.platform.api.model.PhoneNumber;
import io.parley.platform.api.model.PhoneNumberPage;
import io.parley.platform.api.model.UpdatePhoneNumberRequest;
import io.parley.platform.calls.InboundNumbers;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.Page;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PhoneNumbersController implements PhoneNumbersApi {

    /** The tenant's own, which a call credential may not reach. */
    private static final String WHAT = "the tenant's phone numbers";

    private final InboundNumbers numbers;
    private final Idempotency idempotency;
    private final CallService calls;
    private final RuntimeHandoff handoff;
    private final Carriers carriers;

    PhoneNumbersController(InboundNumbers numbers, Idempotency idempotency, CallService calls, RuntimeHandoff handoff, Carriers carriers) {
        this.numbers = numbers;
        this.idempotency = idempotency;
        this.calls = calls;
        this.handoff = handoff;
        this.carriers = carriers;
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Call> createTestCall(UUID phoneNumberId, CreateTestCallRequest request) {
        Caller caller = Callers.tenantWide(WHAT);
        if (!caller.scopes().contains(Scope.CALLS_WRITE)) {
            throw new ApiProblemException(ProblemType.FORBIDDEN, "A test call is a call: it needs calls:write as well");
        }
        InboundNumbers.TestCall test = numbers.testCall(caller.tenant(), phoneNumberId, request == null ? null : request.getFrom());
        String token = handoff.prepare(test.call()).orElse(null);
        ((SandboxTelephony) carriers.named(test.call().carrier())).callIn(test.providerCallId(), token, test.call().snapshot().record(),
                request == null ? null : request.getSay());
        return ResponseEntity.status(HttpStatus.CREATED).body(CallsController.toApi(calls.get(caller, test.call().callId())));
    }

    @Override
    public ResponseEntity<PhoneNumber> createPhoneNumber(CreatePhoneNumberRequest request, String idempotencyKey) {
        Caller caller = Callers.tenantWide(WHAT);
        return idempotency.run(caller.tenant(), idempotencyKey, "createPhoneNumber", request, PhoneNumber.class, () ->
                ResponseEntity.status(HttpStatus.CREATED).body(toApi(
                        numbers.create(caller.tenant(), caller.mode(), request.getPhoneNumber(), request.getPersonaId()))));
    }

    @Override
    public ResponseEntity<PhoneNumber> getPhoneNumber(UUID phoneNumberId) {
        return ResponseEntity.ok(toApi(numbers.get(Callers.tenantWide(WHAT).tenant(), phoneNumberId)));
    }

    @Override
    public ResponseEntity<PhoneNumberPage> listPhoneNumbers(Integer limit, String cursor) {
        Page<InboundNumbers.Number> page = numbers.page(Callers.tenantWide(WHAT).tenant(), cursor, limit);
        return ResponseEntity.ok(new PhoneNumberPage()
                .data(page.map(PhoneNumbersController::toApi).items())
                .hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<PhoneNumber> updatePhoneNumber(UUID phoneNumberId, UpdatePhoneNumberRequest request) {
        return ResponseEntity.ok(toApi(numbers.update(Callers.tenantWide(WHAT).tenant(), phoneNumberId, request.getPersonaId())));
    }

    @Override
    public ResponseEntity<Void> deletePhoneNumber(UUID phoneNumberId) {
        numbers.delete(Callers.tenantWide(WHAT).tenant(), phoneNumberId);
        return ResponseEntity.noContent().build();
    }

    private static PhoneNumber toApi(InboundNumbers.Number number) {
        return new PhoneNumber()
                .id(number.id())
                .phoneNumber(number.phoneNumber())
                .personaId(number.personaId())
                .mode(PhoneNumber.ModeEnum.fromValue(number.mode().wire()))
                .carrier(number.carrier())
                .createdAt(utc(number.createdAt()))
                .updatedAt(utc(number.updatedAt()));
    }
}
