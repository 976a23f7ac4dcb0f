package io.parley.platform.billing;

import io.parley.platform.api.PromotionsApi;
import io.parley.platform.api.model.CreatePromotionCodeRequest;
import io.parley.platform.api.model.PromotionCode;
import io.parley.platform.api.model.PromotionCodeList;
import io.parley.platform.idempotency.Idempotency;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

/** The operator's promotion codes (the operator token only: {@code /v1/operator/**}). */
@RestController
class PromotionsController implements PromotionsApi {

    private final PromotionCodes codes;
    private final Idempotency idempotency;

    PromotionsController(PromotionCodes codes, Idempotency idempotency) {
        this.codes = codes;
        this.idempotency = idempotency;
    }

    @Override
    public ResponseEntity<PromotionCode> createPromotionCode(CreatePromotionCodeRequest request, String idempotencyKey) {
        PromotionCodes.Request asked = new PromotionCodes.Request(Mode.fromWire(request.getMode().getValue()), request.getCode(),
                request.getName() == null || request.getName().isBlank() ? null : request.getName().strip(), request.getPercentOff(),
                request.getAmountOffCents(), request.getAmountOffCents() == null ? request.getCurrency()
                        : request.getCurrency() == null ? "usd" : request.getCurrency().toLowerCase(Locale.ROOT),
                request.getDuration().getValue(), request.getDurationInMonths(), instant(request.getStartsAt()), instant(request.getExpiresAt()),
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
        return ResponseEntity.ok(new PromotionCodeList(codes.list(Mode.fromWire(mode)).stream().map(PromotionsController::toApi).toList()));
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
