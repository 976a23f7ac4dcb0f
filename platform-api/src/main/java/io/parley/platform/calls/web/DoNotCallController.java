package io.parley.platform.calls.web;

import static io.parley.platform.web.ApiTimes.utc;

import io.parley.platform.api.DoNotCallApi;
import io.parley.platform.api.model.AddDoNotCallRequest;
import io.parley.platform.api.model.DoNotCallEntry;
import io.parley.platform.api.model.DoNotCallPage;
import io.parley.platform.calls.DoNotCallList;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.Page;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class DoNotCallController implements DoNotCallApi {

    /** The tenant's own, which a call credential may not reach. */
    private static final String WHAT = "the do-not-call list";

    private final DoNotCallList list;
    private final Idempotency idempotency;

    DoNotCallController(DoNotCallList list, Idempotency idempotency) {
        this.list = list;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<DoNotCallEntry> addDoNotCall(AddDoNotCallRequest request, String idempotencyKey) {
        Caller caller = Callers.tenantWide(WHAT);
        return idempotency.run(caller.tenant(), idempotencyKey, "addDoNotCall", request, DoNotCallEntry.class, () -> {
            DoNotCallList.Added added = list.add(caller.tenant(), request.getPhoneNumber(), request.getReason(), caller.actor());
            return ResponseEntity.status(added.created() ? HttpStatus.CREATED : HttpStatus.OK).body(toApi(added.entry()));
        });
    }

    @Override
    public ResponseEntity<DoNotCallPage> listDoNotCall(Integer limit, String cursor, String phoneNumber) {
        Page<DoNotCallList.Entry> page = list.page(Callers.tenantWide(WHAT).tenant(), cursor, limit, phoneNumber);
        return ResponseEntity.ok(new DoNotCallPage()
                .data(page.map(DoNotCallController::toApi).items())
                .hasMore(page.hasMore())
                .nextCursor(page.nextCursor()));
    }

    @Override
    public ResponseEntity<Void> removeDoNotCall(String phoneNumber) {
        if (!list.remove(Callers.tenantWide(WHAT).tenant(), phoneNumber)) {
            throw ApiProblemException.notFound("do-not-call entry");
        }
        return ResponseEntity.noContent().build();
    }


    private static DoNotCallEntry toApi(DoNotCallList.Entry entry) {
        return new DoNotCallEntry()
                .id(entry.id())
                .phoneNumber(entry.phoneNumber())
                .source(DoNotCallEntry.SourceEnum.fromValue(entry.source().wire()))
                .reason(entry.reason())
                .callId(entry.callId())
                .createdAt(utc(entry.createdAt()));
    }
}
