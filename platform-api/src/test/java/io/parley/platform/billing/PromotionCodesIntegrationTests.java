package io.parley.platform.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.platform.support.ApiClient;
import io.parley.platform.support.TestServices;
import io.parley.sdk.Parley;
import io.parley.sdk.RequestOptions;
import io.parley.sdk.model.CreatePromotionCodeRequest;
import io.parley.sdk.model.PromotionCode;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The operator's coupons and promotion codes, made in Stripe (Stripe's fixtures on loopback) through the SDK: the
 * terms reach Stripe as Stripe names them, a code that starts later is activated when it starts, a repeated request
 * makes nothing new, and bad terms are problems that make nothing at all.
 */
class PromotionCodesIntegrationTests extends StripeTestMode {

    @Autowired
    private PromotionCodes promotionCodes;

    private Parley operatorSdk() {
        return Parley.builder().apiKey(TestServices.OPERATOR_TOKEN).baseUrl(baseUrl()).build();
    }

    @Test
    void aPercentCodeForThreeMonthsReachesStripeAsItsCouponAndCodeOnceHoweverOftenItIsSent() {
        String code = code("WINTER");
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plusDays(30).truncatedTo(ChronoUnit.SECONDS);
        CreatePromotionCodeRequest request = new CreatePromotionCodeRequest().mode(CreatePromotionCodeRequest.ModeEnum.TEST).code(code)
                .name("Winter 25% off").percentOff(new BigDecimal("25")).duration(CreatePromotionCodeRequest.DurationEnum.REPEATING)
                .durationInMonths(3).expiresAt(expires).maxRedemptions(100L);
        RequestOptions once = RequestOptions.builder().idempotencyKey("promo-" + code).build();

        PromotionCode made = operatorSdk().promotionCodes().create(request, once);
        assertThat(made.getCode()).isEqualTo(code);
        assertThat(made.getActive()).isTrue();
        assertThat(made.getPercentOff()).isEqualByComparingTo("25");
        assertThat(made.getDuration()).isEqualTo("repeating");
        assertThat(made.getDurationInMonths()).isEqualTo(3);
        assertThat(made.getExpiresAt().toInstant()).isEqualTo(expires.toInstant());
        assertThat(made.getMaxRedemptions()).isEqualTo(100L);

        StripeStub.Request coupon = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/coupons") && code.equals(r.form().get("metadata[parley_code]")))
                .findFirst().orElseThrow();
        assertThat(coupon.authorization()).isEqualTo("Bearer sk_test_loopback");
        assertThat(coupon.form()).containsEntry("percent_off", "25").containsEntry("duration", "repeating").containsEntry("duration_in_months", "3")
                .containsEntry("redeem_by", String.valueOf(expires.toEpochSecond())).containsEntry("name", "Winter 25% off");
        StripeStub.Request promotion = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/promotion_codes") && code.equals(r.form().get("code")))
                .findFirst().orElseThrow();
        assertThat(promotion.form()).containsEntry("promotion[type]", "coupon").containsEntry("promotion[coupon]", made.getCouponId())
                .containsEntry("max_redemptions", "100").containsEntry("expires_at", String.valueOf(expires.toEpochSecond()))
                .containsEntry("active", "true");

        PromotionCode again = operatorSdk().promotionCodes().create(request, once);
        assertThat(again.getId()).isEqualTo(made.getId());
        assertThat(STRIPE.promotionCodes.values().stream().filter(p -> p.get("code").asString().equals(code))).as("one code in Stripe").hasSize(1);
        assertThat(STRIPE.coupons.values().stream().filter(c -> c.get("percent_off").isNumber() && c.get("name").asString("").equals("Winter 25% off")))
                .as("one coupon").hasSize(1);
    }

    @Test
    void anAmountCodeThatStartsLaterIsInactiveUntilItStartsAndIsListedWithItsTerms() throws Exception {
        String code = code("NEWYEAR");
        OffsetDateTime starts = OffsetDateTime.now(ZoneOffset.UTC).plusDays(2).truncatedTo(ChronoUnit.SECONDS);
        PromotionCode made = operatorSdk().promotionCodes().create(new CreatePromotionCodeRequest().mode(CreatePromotionCodeRequest.ModeEnum.TEST)
                .code(code).amountOffCents(500L).startsAt(starts));
        assertThat(made.getActive()).as("not yet").isFalse();
        assertThat(made.getAmountOffCents()).isEqualTo(500L);
        assertThat(made.getCurrency()).isEqualTo("usd");
        assertThat(made.getStartsAt().toInstant()).isEqualTo(starts.toInstant());

        promotionCodes.activateDue();
        assertThat(STRIPE.promotionCodes.get(made.getId()).get("active").asBoolean()).as("before it starts").isFalse();

        try (Connection owner = TestServices.ownerConnection();
             PreparedStatement started = owner.prepareStatement("update promotion_code_starts set starts_at = now() - interval '1 second' where promotion_code_id = ?")) {
            started.setString(1, made.getId());
            assertThat(started.executeUpdate()).isEqualTo(1);
        }
        promotionCodes.activateDue();
        assertThat(STRIPE.promotionCodes.get(made.getId()).get("active").asBoolean()).as("once it started").isTrue();
        promotionCodes.activateDue();
        assertThat(STRIPE.requests.stream().filter(r -> r.path().equals("/v1/promotion_codes/" + made.getId()))).as("activated once").hasSize(1);

        PromotionCode listed = operatorSdk().promotionCodes().list("test").getData().stream().filter(p -> p.getId().equals(made.getId()))
                .findFirst().orElseThrow();
        assertThat(listed.getActive()).isTrue();
        assertThat(listed.getAmountOffCents()).isEqualTo(500L);
        assertThat(listed.getDuration()).isEqualTo("once");
        assertThat(listed.getStartsAt().toInstant()).isEqualTo(starts.toInstant());
    }

    @Test
    void badTermsAndATakenCodeAreProblemsThatMakeNothingAndOnlyTheOperatorMayAsk() {
        String taken = code("TAKEN");
        assertThat(operator().post("/v1/operator/promotion-codes", ApiClient.json(Map.of("mode", "test", "code", taken, "percentOff", 10)))
                .status()).isEqualTo(201);
        long coupons = STRIPE.requests.stream().filter(r -> r.path().equals("/v1/coupons")).count();

        String past = Instant.now().minusSeconds(60).toString();
        for (String bad : List.of(
                "{\"mode\": \"test\", \"code\": \"" + code("BOTH") + "\", \"percentOff\": 10, \"amountOffCents\": 100}",
                "{\"mode\": \"test\", \"code\": \"" + code("NEITHER") + "\"}",
                "{\"mode\": \"test\", \"code\": \"" + code("REPEAT") + "\", \"percentOff\": 10, \"duration\": \"repeating\"}",
                "{\"mode\": \"test\", \"code\": \"" + code("PAST") + "\", \"percentOff\": 10, \"expiresAt\": \"" + past + "\"}",
                "{\"mode\": \"test\", \"code\": \"has spaces\", \"percentOff\": 10}",
                "{\"mode\": \"test\", \"code\": \"" + code("MUCH") + "\", \"percentOff\": 101}",
                "{\"mode\": null, \"code\": \"" + code("NOMODE") + "\", \"percentOff\": 10}",
                "{\"mode\": \"sandbox\", \"code\": \"" + code("MODE") + "\", \"percentOff\": 10}",
                "not json")) {
            ApiClient.Response refused = operator().post("/v1/operator/promotion-codes", bad);
            assertThat(refused.status()).as(bad + " -> " + refused.body()).isIn(400, 422);
            assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        }
        assertThat(STRIPE.requests.stream().filter(r -> r.path().equals("/v1/coupons")).count()).as("no coupon for bad terms").isEqualTo(coupons);

        ApiClient.Response unsaid = operator().post("/v1/operator/promotion-codes", "{\"mode\": \"test\", \"code\": \"" + code("NULL")
                + "\", \"percentOff\": 10, \"duration\": null}");
        assertThat(unsaid.status()).as("a null duration is the default: " + unsaid.body()).isEqualTo(201);
        assertThat(unsaid.json().get("duration").asString()).isEqualTo("once");

        ApiClient.Response duplicate = operator().post("/v1/operator/promotion-codes", ApiClient.json(Map.of("mode", "test", "code", taken,
                "percentOff", 20)));
        assertThat(duplicate.status()).as(duplicate.body()).isEqualTo(422);
        assertThat(duplicate.json().get("detail").asString()).contains("Stripe refused").contains("already exists");

        ApiClient.Response live = operator().post("/v1/operator/promotion-codes", ApiClient.json(Map.of("mode", "live", "code", code("LIVE"),
                "percentOff", 10)));
        assertThat(live.status()).as("no Stripe in live mode here").isEqualTo(409);
        assertThat(operator().get("/v1/operator/promotion-codes?mode=sandbox").status()).isIn(400, 422);

        TestTenant tenant = newTenant();
        assertThat(tenant.api().post("/v1/operator/promotion-codes", ApiClient.json(Map.of("mode", "test", "code", code("MINE"), "percentOff", 99)))
                .status()).as("a tenant's key").isEqualTo(403);
        assertThat(tenant.api().get("/v1/operator/promotion-codes?mode=test").status()).isEqualTo(403);
        assertThat(anonymous().get("/v1/operator/promotion-codes?mode=test").status()).isEqualTo(401);
    }

    private static String code(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase(java.util.Locale.ROOT);
    }
}
