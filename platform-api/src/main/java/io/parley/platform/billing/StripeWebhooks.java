package io.parley.platform.billing;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stripe's webhooks ({@code POST /webhooks/stripe}). The raw body's {@code Stripe-Signature} is verified with stripe-java
 * against the signing secret of each mode that has one, with a tolerance both ways: a timestamp older than
 * {@code signature-tolerance} is a replay, a newer one is forged or from a wrong clock. The secret that verifies gives the
 * mode, and the event's {@code livemode} must agree. Each event is then applied once, by its id, in the transaction of
 * the tenant it is about, and safely out of order: a subscription's status is taken only from an event newer
 * ({@code created}) than the one it last came from.
 *
 * <p>The tenant: the object's {@code metadata.tenant_id} (Parley puts it on the customers and subscriptions it creates),
 * else a Checkout Session's {@code client_reference_id}, else the tenant whose customer it is.
 */
@Component
public class StripeWebhooks {

    private static final Logger log = LoggerFactory.getLogger(StripeWebhooks.class);

    /** What became of a delivery. */
    public enum Outcome { APPLIED, DUPLICATE, IGNORED }

    private final BillingProperties settings;
    private final BillingAccounts accounts;
    private final TenantTransactions transactions;
    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final BillingNotices notices;
    private final PrepaidCredits credits;
    private final Clock clock;

    public StripeWebhooks(BillingProperties settings, BillingAccounts accounts, TenantTransactions transactions, JdbcTemplate jdbc,
                          JsonMapper json, BillingNotices notices, PrepaidCredits credits, Clock clock) {
        this.notices = notices;
        this.credits = credits;
        this.settings = settings;
        this.accounts = accounts;
        this.transactions = transactions;
        this.jdbc = jdbc;
        this.json = json;
        this.clock = clock;
    }

    /** Verifies and applies one delivery; throws a 400 problem when it is not Stripe's, or not an event. */
    public Outcome receive(String payload, String signatureHeader) {
        Mode mode = verify(payload, signatureHeader);
        JsonNode event;
        try {
            event = json.readTree(payload);
        } catch (RuntimeException e) {
            throw new ApiProblemException(ProblemType.MALFORMED_REQUEST, "The webhook's body is not JSON");
        }
        String id = event == null ? "" : event.path("id").asString("");
        String type = event == null ? "" : event.path("type").asString("");
        JsonNode object = event == null ? null : event.path("data").path("object");
        if (!id.startsWith("evt_") || type.isEmpty() || !event.path("created").isIntegralNumber() || object == null || !object.isObject()) {
            throw new ApiProblemException(ProblemType.MALFORMED_REQUEST, "The webhook's body is not a Stripe event (id, type, created, data.object)");
        }
        if (event.path("livemode").asBoolean(false) != (mode == Mode.LIVE)) {
            throw new ApiProblemException(ProblemType.WEBHOOK_SIGNATURE_INVALID, "The event's livemode does not match the secret that signed it");
        }
        Instant created = Instant.ofEpochSecond(event.path("created").asLong());
        Optional<TenantId> tenant = tenant(mode, object);
        if (tenant.isEmpty()) {
            log.warn("Stripe event {} ({}) names no tenant of Parley's: recorded, not applied", id, type);
            return record(id, type, mode, created) ? Outcome.IGNORED : Outcome.DUPLICATE;
        }
        return transactions.write(tenant.get(), () -> {
            if (!record(id, type, mode, created)) return Outcome.DUPLICATE;
            apply(tenant.get(), mode, type, object, created);
            return Outcome.APPLIED;
        });
    }

    /** The mode whose signing secret verifies the delivery; a 400 problem otherwise. */
    Mode verify(String payload, String header) {
        if (header == null || header.isBlank()) {
            throw invalid("no Stripe-Signature header");
        }
        long tolerance = settings.signatureTolerance().toSeconds();
        Long timestamp = timestamp(header);
        if (timestamp == null) {
            throw invalid("the Stripe-Signature header has no timestamp (t=)");
        }
        String why = "no webhook signing secret is configured";
        for (Mode mode : Mode.values()) {
            BillingProperties.Stripe stripe = settings.stripe().get(mode.wire());
            if (stripe == null || stripe.webhookSecret() == null || stripe.webhookSecret().isBlank()) continue;
            try {
                // the signature (a v1 HMAC-SHA256 over "t.body" matching) by stripe-java; the timestamp's distance both ways below
                Webhook.Signature.verifyHeader(payload, header, stripe.webhookSecret(), 0, clock);
            } catch (SignatureVerificationException e) {
                why = e.getMessage();
                continue;
            }
            long now = clock.instant().getEpochSecond();
            if (timestamp < now - tolerance) throw invalid("the signature's timestamp is outside the tolerance (" + tolerance + " s): a replay");
            if (timestamp > now + tolerance) throw invalid("the signature's timestamp is in the future");
            return mode;
        }
        throw invalid(why);
    }

    private static ApiProblemException invalid(String why) {
        return new ApiProblemException(ProblemType.WEBHOOK_SIGNATURE_INVALID, "The Stripe webhook was not verified: " + why);
    }

    private static Long timestamp(String header) {
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                try {
                    return Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** Notes the event as applied; false when it already was. */
    private boolean record(String id, String type, Mode mode, Instant created) {
        return jdbc.update("insert into stripe_events (id, type, livemode, created, received_at) values (?, ?, ?, ?, ?) on conflict (id) do nothing",
                id, type, mode == Mode.LIVE, OffsetDateTime.ofInstant(created, ZoneOffset.UTC), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)) == 1;
    }

    private Optional<TenantId> tenant(Mode mode, JsonNode object) {
        for (String candidate : new String[] {object.path("metadata").path("tenant_id").asString(""), object.path("client_reference_id").asString("")}) {
            try {
                if (!candidate.isEmpty()) {
                    TenantId tenant = new TenantId(UUID.fromString(candidate));
                    if (Boolean.TRUE.equals(jdbc.queryForObject("select parley_tenant_exists(?)", Boolean.class, tenant.value()))) {
                        return Optional.of(tenant);
                    }
                }
            } catch (IllegalArgumentException e) {
                // not a tenant id of ours
            }
        }
        return accounts.tenantOfCustomer(mode, text(object, "customer"));
    }

    private void apply(TenantId tenant, Mode mode, String type, JsonNode object, Instant created) {
        Instant now = clock.instant();
        switch (type) {
            case "checkout.session.completed", "checkout.session.async_payment_succeeded" -> {   // the latter: a payment that settled later
                if ("credits".equals(object.path("metadata").path("purpose").asString(""))) {
                    // prepaid credits bought: granted once per session, and only when paid (the subscription is not touched)
                    String session = text(object, "id");
                    String customer = text(object, "customer");
                    String currency = object.path("currency").asString("").toLowerCase(java.util.Locale.ROOT);
                    if ("paid".equals(text(object, "payment_status")) && object.path("amount_total").isIntegralNumber()
                            && object.path("amount_total").asLong() > 0 && session != null && session.length() <= 255 && customer != null
                            && customer.length() <= 255 && currency.matches("[a-z]{3}")) {
                        credits.paid(tenant, mode, session, customer, object.path("amount_total").asLong(), currency);
                    } else {
                        log.info("Credits Checkout Session {} of tenant {} is not a paid one Parley can grant", session, tenant.value());
                    }
                    return;
                }
                // which customer and subscription are the tenant's, and its plan; the status comes from the subscription's events,
                // and a subscription paid for through Checkout calls from now on unless a newer event already said otherwise
                boolean paid = "paid".equals(text(object, "payment_status")) || "no_payment_required".equals(text(object, "payment_status"));
                accounts.apply(tenant, mode, new BillingAccounts.Change(text(object, "customer"), text(object, "subscription"),
                        plan(object), null, null, null, null), created, now);
                if (paid && accounts.find(tenant, mode).map(a -> a.stateAt() == null).orElse(true)) {
                    accounts.apply(tenant, mode, new BillingAccounts.Change(null, null, null, "active", null, null, null), created, now);
                }
            }
            case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted" -> {
                String status = "customer.subscription.deleted".equals(type) ? "canceled" : text(object, "status");
                accounts.apply(tenant, mode, new BillingAccounts.Change(text(object, "customer"), text(object, "id"), plan(object), status,
                        period(object, "current_period_start"), period(object, "current_period_end"), epoch(object.path("trial_end"))), created, now);
            }
            case "invoice.payment_failed" -> accounts.apply(tenant, mode, new BillingAccounts.Change(text(object, "customer"), null, null,
                    "past_due", null, null, null), created, now);
            case "invoice.paid" -> {
                // a paid invoice settles a failed payment; a subscription that was not past due is left as it is
                String status = accounts.find(tenant, mode).map(BillingAccounts.Account::status).orElse("none");
                if (status.equals("past_due") || status.equals("unpaid")) {
                    accounts.apply(tenant, mode, new BillingAccounts.Change(text(object, "customer"), null, null, "active", null, null, null), created, now);
                }
                credits.balanceMoved(tenant, mode);   // the invoice may have drawn on prepaid credits
            }
            case "billing.credit_grant.created", "billing.credit_grant.updated" -> credits.balanceMoved(tenant, mode);
            case "customer.subscription.trial_will_end" -> {
                // the subscription's own events change its state; this one tells the tenant to add a way to pay
                accounts.apply(tenant, mode, new BillingAccounts.Change(text(object, "customer"), text(object, "id"), null, null, null, null,
                        epoch(object.path("trial_end"))), created, now);
                notices.trialWillEnd(tenant, mode, epoch(object.path("trial_end")));
            }
            default -> log.debug("Stripe event {} is not one Parley acts on", type);
        }
    }

    /** The plan: the object's {@code metadata.plan}, else the plan whose Stripe Price its first item is. */
    private String plan(JsonNode object) {
        String named = object.path("metadata").path("plan").asString("");
        if (settings.plans().containsKey(named)) return named;
        for (JsonNode item : object.path("items").path("data")) {
            String price = item.path("price").path("id").asString("");
            for (var plan : settings.plans().entrySet()) {
                if (price.equals(plan.getValue().stripePrice()) || price.equals(plan.getValue().stripeMeteredPrice())) return plan.getKey();
            }
        }
        return null;
    }

    /** The current period's start or end: on the subscription (older API versions) or on its items (newer ones). */
    private static Instant period(JsonNode subscription, String field) {
        Instant top = epoch(subscription.path(field));
        if (top != null) return top;
        for (JsonNode item : subscription.path("items").path("data")) {
            Instant value = epoch(item.path(field));
            if (value != null) return value;
        }
        return null;
    }

    private static Instant epoch(JsonNode value) {
        return value.isIntegralNumber() ? Instant.ofEpochSecond(value.asLong()) : null;
    }

    private static String text(JsonNode object, String field) {
        JsonNode value = object.path(field);
        if (value.isString()) return value.asString();
        if (value.isObject() && value.path("id").isString()) return value.path("id").asString();   // an expanded object
        return null;
    }
}
