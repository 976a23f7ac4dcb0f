package io.parley.platform.billing;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Billing ({@code parley.billing.*}): the plans tenants subscribe to, Stripe per mode, and how long a subscription whose
 * payment failed keeps calling.
 *
 * @param plans              by key ({@code starter}, {@code growth}, {@code scale}), and {@link #LOCAL_PLAN}: the plan
 *                           of a mode without Stripe (the embedded default), which records usage and charges nothing
 * @param stripe             by mode ({@code test}, {@code live}); a mode without a secret key runs the local plan
 * @param gracePeriod        how long a {@code past_due} subscription may still place calls: 7 days
 * @param signatureTolerance how far a Stripe webhook's signed timestamp may be from now, past or future: 5 minutes
 * @param providerCosts      each provider's estimated cost per unit of each meter, in millionths of a dollar
 *                           ({@code deepgram.stt_seconds: 72}); a call's seconds are priced by its carrier ({@code twilio})
 */
@ConfigurationProperties("parley.billing")
public record BillingProperties(Map<String, Plan> plans, Map<String, Stripe> stripe, @DefaultValue("P7D") Duration gracePeriod,
                                @DefaultValue("PT5M") Duration signatureTolerance, Map<String, Map<String, BigDecimal>> providerCosts) {

    /** The plan of a mode that has no Stripe. */
    public static final String LOCAL_PLAN = "free";

    public BillingProperties {
        plans = plans == null ? Map.of() : Map.copyOf(plans);
        stripe = stripe == null ? Map.of() : Map.copyOf(stripe);
        providerCosts = providerCosts == null ? Map.of() : Map.copyOf(providerCosts);
        if (gracePeriod.isNegative() || signatureTolerance.isNegative() || signatureTolerance.isZero()) {
            throw new IllegalStateException("parley.billing.grace-period must not be negative, signature-tolerance must be positive");
        }
    }

    /**
     * A plan.
     *
     * @param name               what tenants see: "Starter"
     * @param monthlyPriceCents  its monthly price, in cents of {@code currency}
     * @param includedMinutes    billable minutes a month included in it
     * @param perMinuteCents     the price of each minute beyond them, in cents (fractions allowed: 1.5)
     * @param concurrentCalls    calls under way at once
     * @param personas           personas a tenant may have
     * @param stripePrice        the Stripe Price of the monthly fee
     * @param stripeMeteredPrice the Stripe Price (on a Billing Meter) of the minutes
     */
    public record Plan(String name, @DefaultValue("usd") String currency, long monthlyPriceCents, int includedMinutes, BigDecimal perMinuteCents,
                       int concurrentCalls, int personas, String stripePrice, String stripeMeteredPrice) {
        public Plan {
            perMinuteCents = perMinuteCents == null ? BigDecimal.ZERO : perMinuteCents;
        }
    }

    /**
     * Stripe in one mode.
     *
     * @param secretKey     {@code sk_test_...} or {@code sk_live_...}; blank: no Stripe in this mode
     * @param webhookSecret the signing secret of the endpoint at {@code /webhooks/stripe} ({@code whsec_...})
     * @param apiBase       Stripe's API ({@code https://api.stripe.com}; tests: a loopback server)
     */
    public record Stripe(String secretKey, String webhookSecret, String apiBase) {
        public boolean enabled() {
            return secretKey != null && !secretKey.isBlank();
        }
    }

    /** Stripe in {@code mode} ({@code test}, {@code live}), if it has a secret key. */
    public java.util.Optional<Stripe> stripe(String mode) {
        return java.util.Optional.ofNullable(stripe.get(mode)).filter(Stripe::enabled);
    }

    /** The plan with that key; the local plan when it is not configured (and a minimal one when that is not either). */
    public Plan plan(String key) {
        Plan plan = key == null ? null : plans.get(key);
        if (plan != null) return plan;
        return plans.getOrDefault(LOCAL_PLAN, new Plan("Free", "usd", 0, 0, BigDecimal.ZERO, 2, 10, null, null));
    }
}
