package io.parley.platform.billing;

import io.parley.platform.api.OperatorApi;
import io.parley.platform.api.model.CreatePromotionCodeRequest;
import io.parley.platform.api.model.MeterReconciliationList;
import io.parley.platform.api.model.PromotionCode;
import io.parley.platform.api.model.PromotionCodeList;
import io.parley.platform.api.model.ReconcileMeterDayRequest;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/** The operator's billing tools (the operator token only: {@code /v1/operator/**}): promotion codes, the meter's reconciliation. */
@RestController
class OperatorBillingController implements OperatorApi {

    private final PromotionCodes codes;
    private final MeterReconciliation reconciliation;
    private final Idempotency idempotency;
    private final Clock clock;

    OperatorBillingController(PromotionCodes codes, MeterReconciliation reconciliation, Idempotency idempotency, Clock clock) {
        this.codes = codes;
        this.reconciliation = reconciliation;
        this.idempotency = idempotency;
        this.clock = clock;
    }

    @Override
    public ResponseEntity<MeterReconciliationList> listMeterReconciliations(LocalDate day) {
        return ResponseEntity.ok(new MeterReconciliationList(reconciliation.kept(day)));
    }

    @Override
    public ResponseEntity<MeterReconciliationList> reconcileMeterDay(ReconcileMeterDayRequest request) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        if (request.getDay().isAfter(today) || request.getDay().isBefore(today.minusDays(35))) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "The day cannot be reconciled",
                    List.of(new ApiProblemException.FieldError("day", "from " + today.minusDays(35) + " to " + today + ": Stripe takes no older meter events")));
        }
        reconciliation.reconcile(request.getDay());
        return ResponseEntity.ok(new MeterReconciliationList(reconciliation.kept(request.getDay())));
    }

    @Override
    public ResponseEntity<PromotionCode> createPromotionCode(CreatePromotionCodeRequest request, String idempotencyKey) {
        PromotionCodes.Request asked = new PromotionCodes.Request(Mode.fromWire(request.getMode().getValue()), request.getCode(),
                request.getName() == null || request.getName().isBlank() ? null : request.getName().strip(), request.getPercentOff(),
                request.getAmountOffCents(), request.getAmountOffCents() == null ? request.getCurrency()
                        : request.getCurrency() == null ? "usd" : request.getCurrency().toLowerCase(Locale.ROOT),
                request.getDuration() == null ? "once" : request.getDuration().getValue(), request.getDurationInMonths(), instant(request.getStartsAt()), instant(request.getExpiresAt()),
                request.getMaxRedemptions(), idempotencyKey);
        return idempotency.runForOperator(idempotencyKey, "createPromotionCode", request, PromotionCode.class,
                () -> ResponseEntity.status(HttpStatus.CREATED).body(toApi(codes.create(asked))));
    }

    @Override
    public ResponseEntity<PromotionCodeList> listPromotionCodes(String mode) {
        if (!"test".equals(mode) && !"live".equals(mode)) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "mode is test or live",
                    List.of(new ApiProblemException.FieldError("mode", "one of test, live")));
        }
        return ResponseEntity.ok(new PromotionCodeList(codes.list(Mode.fromWire(mode)).stream().map(OperatorBillingController::toApi).toList()));
    }

    private static PromotionCode toApi(PromotionCodes.Code c) {
        return new PromotionCode(c.id(), c.code(), c.couponId(), PromotionCode.ModeEnum.fromValue(c.mode().wire()), c.active(),
                c.duration() == null ? "once" : c.duration(), c.timesRedeemed())
                .percentOff(c.percentOff())
                .amountOffCents(c.amountOffCents())
                .currency(c.currency())
                .durationInMonths(c.durationInMonths() == null ? null : c.durationInMonths().intValue())
                .startsAt(time(c.startsAt()))
                .expiresAt(time(c.expiresAt()))
                .maxRedemptions(c.maxRedemptions());
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }

    private static OffsetDateTime time(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
