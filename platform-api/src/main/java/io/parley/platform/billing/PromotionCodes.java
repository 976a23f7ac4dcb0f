package io.parley.platform.billing;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Coupon;
import com.stripe.model.PromotionCode;
import com.stripe.net.RequestOptions;
import com.stripe.param.CouponCreateParams;
import com.stripe.param.PromotionCodeCreateParams;
import com.stripe.param.PromotionCodeListParams;
import com.stripe.param.PromotionCodeUpdateParams;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The operator's coupons and promotion codes, made in Stripe through stripe-java: a coupon (percent or amount off, for
 * once, some months or ever, redeemable until the window's end) and the code tenants type in Checkout (its window's
 * end, its redemption limit). Stripe has no start for a code: one that starts later is made inactive and activated when
 * it starts, by a job that any instance may run (each code is taken by one).
 */
@Component
public class PromotionCodes {

    private static final Logger log = LoggerFactory.getLogger(PromotionCodes.class);

    /**
     * What the operator asks for; exactly one of {@code percentOff} and {@code amountOffCents}.
     *
     * @param idempotencyKey Stripe's idempotency keys are derived from it: a repeated request makes nothing new
     */
    public record Request(Mode mode, String code, String name, BigDecimal percentOff, Long amountOffCents, String currency, String duration,
                          Integer durationInMonths, Instant startsAt, Instant expiresAt, Long maxRedemptions, String idempotencyKey) {}

    /** A promotion code as Stripe has it, with its coupon's terms where Stripe gave them. */
    public record Code(String id, String code, String couponId, Mode mode, boolean active, BigDecimal percentOff, Long amountOffCents,
                       String currency, String duration, Long durationInMonths, Instant startsAt, Instant expiresAt, Long maxRedemptions,
                       long timesRedeemed) {}

    private final StripeBilling stripe;
    private final JdbcTemplate jdbc;
    private final TenantTransactions transactions;
    private final Clock clock;

    public PromotionCodes(StripeBilling stripe, JdbcTemplate jdbc, TenantTransactions transactions, Clock clock) {
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Makes the coupon and its code in {@code request.mode()}'s Stripe account; throws a 4xx problem for terms that cannot be. */
    public Code create(Request request) {
        Instant now = clock.instant();
        check(request, now);
        StripeClient client = stripe.client(request.mode());
        boolean later = request.startsAt() != null && request.startsAt().isAfter(now);
        CouponCreateParams.Builder coupon = CouponCreateParams.builder()
                .setDuration(CouponCreateParams.Duration.valueOf(request.duration().toUpperCase(java.util.Locale.ROOT)))
                .putMetadata("parley_code", request.code());
        if (request.percentOff() != null) {
            coupon.setPercentOff(request.percentOff());
        } else {
            coupon.setAmountOff(request.amountOffCents()).setCurrency(request.currency());
        }
        if (request.durationInMonths() != null) coupon.setDurationInMonths(request.durationInMonths().longValue());
        if (request.name() != null) coupon.setName(request.name());
        if (request.expiresAt() != null) coupon.setRedeemBy(request.expiresAt().getEpochSecond());
        try {
            Coupon made = client.v1().coupons().create(coupon.build(), options(request, "coupon"));
            PromotionCodeCreateParams.Builder code = PromotionCodeCreateParams.builder()
                    .setPromotion(PromotionCodeCreateParams.Promotion.builder().setType(PromotionCodeCreateParams.Promotion.Type.COUPON)
                            .setCoupon(made.getId()).build())
                    .setCode(request.code())
                    .setActive(!later)
                    .putMetadata("parley_starts_at", request.startsAt() == null ? "" : request.startsAt().toString());
            if (request.expiresAt() != null) code.setExpiresAt(request.expiresAt().getEpochSecond());
            if (request.maxRedemptions() != null) code.setMaxRedemptions(request.maxRedemptions());
            PromotionCode promotion = client.v1().promotionCodes().create(code.build(), options(request, "promotion-code"));
            if (later) {
                jdbc.update("""
                        insert into promotion_code_starts (promotion_code_id, mode, code, starts_at, created_at) values (?, ?, ?, ?, ?)
                        on conflict (promotion_code_id) do nothing""",
                        promotion.getId(), request.mode().wire(), request.code(), ts(request.startsAt()), ts(now));
            }
            return code(promotion, made, request.mode(), request.startsAt());
        } catch (InvalidRequestException e) {
            if (e.getStatusCode() != null && e.getStatusCode() == 400) {   // Stripe refused the terms (a code already taken): the operator's to fix
                String said = e.getStripeError() != null && e.getStripeError().getMessage() != null ? e.getStripeError().getMessage() : e.getMessage();
                String field = e.getParam() == null ? "code" : e.getParam();
                throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "Stripe refused the promotion code: " + said,
                        List.of(new ApiProblemException.FieldError(field, said)));
            }
            throw StripeBilling.failed("create the promotion code", e);
        } catch (StripeException e) {
            throw StripeBilling.failed("create the promotion code", e);
        }
    }

    /** The most recent codes of {@code mode}'s Stripe account (100 at most), with their coupons. */
    public List<Code> list(Mode mode) {
        StripeClient client = stripe.client(mode);
        try {
            List<Code> codes = new ArrayList<>();
            for (PromotionCode p : client.v1().promotionCodes().list(PromotionCodeListParams.builder().setLimit(100L)
                    .addExpand("data.promotion.coupon").build()).getData()) {
                String starts = p.getMetadata() == null ? null : p.getMetadata().get("parley_starts_at");
                codes.add(code(p, p.getPromotion() == null ? null : p.getPromotion().getCouponObject(), mode,
                        starts == null || starts.isEmpty() ? null : Instant.parse(starts)));
            }
            return codes;
        } catch (StripeException e) {
            throw StripeBilling.failed("list the promotion codes", e);
        }
    }

    /** Activates the codes whose start has come; each one by one instance, and again on the next run if Stripe failed. */
    @Scheduled(fixedDelayString = "${parley.billing.report-every:PT1M}", initialDelayString = "${parley.billing.report-every:PT1M}")
    public void activateDue() {
        if (stripe.client(Mode.TEST.wire()).isEmpty() && stripe.client(Mode.LIVE.wire()).isEmpty()) return;
        while (transactions.withoutTenant(this::activateOne)) {
            // one code per transaction, until none is due
        }
    }

    private boolean activateOne() {
        Instant now = clock.instant();
        List<String[]> due = jdbc.query("""
                select promotion_code_id, mode from promotion_code_starts
                 where activated_at is null and starts_at <= ? and attempts < 10
                 order by starts_at limit 1 for update skip locked""",
                (rs, i) -> new String[] {rs.getString(1), rs.getString(2)}, ts(now));
        if (due.isEmpty()) return false;
        String id = due.getFirst()[0];
        try {
            stripe.client(Mode.fromWire(due.getFirst()[1])).v1().promotionCodes().update(id, PromotionCodeUpdateParams.builder().setActive(true).build());
            jdbc.update("update promotion_code_starts set activated_at = ?, attempts = attempts + 1, last_error = null where promotion_code_id = ?",
                    ts(now), id);
        } catch (StripeException | ApiProblemException e) {
            log.warn("Promotion code {} not activated: {}", id, e.getMessage());
            String error = e.getMessage() == null ? e.toString() : e.getMessage();
            jdbc.update("update promotion_code_starts set attempts = attempts + 1, last_error = ? where promotion_code_id = ?",
                    error.length() > 500 ? error.substring(0, 500) : error, id);
        }
        return true;
    }

    private static void check(Request r, Instant now) {
        List<ApiProblemException.FieldError> errors = new ArrayList<>();
        if ((r.percentOff() == null) == (r.amountOffCents() == null)) {
            errors.add(new ApiProblemException.FieldError("percentOff", "give exactly one of percentOff and amountOffCents"));
        }
        if (r.percentOff() != null && r.currency() != null) {
            errors.add(new ApiProblemException.FieldError("currency", "only with amountOffCents"));
        }
        if ("repeating".equals(r.duration()) != (r.durationInMonths() != null)) {
            errors.add(new ApiProblemException.FieldError("durationInMonths", "given with duration repeating, and only then"));
        }
        if (r.expiresAt() != null && !r.expiresAt().isAfter(now)) {
            errors.add(new ApiProblemException.FieldError("expiresAt", "must be in the future"));
        }
        if (r.expiresAt() != null && r.startsAt() != null && !r.expiresAt().isAfter(r.startsAt())) {
            errors.add(new ApiProblemException.FieldError("expiresAt", "must be after startsAt"));
        }
        if (!errors.isEmpty()) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "The promotion code's terms are not valid", errors);
        }
    }

    private static RequestOptions options(Request request, String what) {
        if (request.idempotencyKey() == null) return RequestOptions.getDefault();
        return RequestOptions.builder().setIdempotencyKey("parley-" + what + "-" + request.mode().wire() + "-" + request.idempotencyKey()).build();
    }

    private static Code code(PromotionCode p, Coupon coupon, Mode mode, Instant startsAt) {
        String couponId = p.getPromotion() == null ? null : p.getPromotion().getCoupon();
        if (coupon != null) couponId = coupon.getId();
        return new Code(p.getId(), p.getCode(), couponId, mode, Boolean.TRUE.equals(p.getActive()),
                coupon == null ? null : coupon.getPercentOff(), coupon == null ? null : coupon.getAmountOff(),
                coupon == null ? null : coupon.getCurrency(), coupon == null ? null : coupon.getDuration(),
                coupon == null ? null : coupon.getDurationInMonths(), startsAt,
                p.getExpiresAt() == null ? null : Instant.ofEpochSecond(p.getExpiresAt()), p.getMaxRedemptions(),
                p.getTimesRedeemed() == null ? 0 : p.getTimesRedeemed());
    }

    private static OffsetDateTime ts(Instant at) {
        return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
