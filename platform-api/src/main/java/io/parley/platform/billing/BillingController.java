package io.parley.platform.billing;

import io.parley.platform.api.BillingApi;
import io.parley.platform.api.model.Plan;
import io.parley.platform.api.model.Subscription;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.tenancy.web.Callers;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RestController;

@RestController
class BillingController implements BillingApi {

    private final Entitlements entitlements;
    private final TenantTransactions transactions;
    private final UsageLedger ledger;
    private final java.time.Clock clock;

    private final StripeBilling stripe;
    private final org.springframework.jdbc.core.JdbcTemplate jdbc;

    BillingController(Entitlements entitlements, TenantTransactions transactions, UsageLedger ledger, java.time.Clock clock, StripeBilling stripe,
                      org.springframework.jdbc.core.JdbcTemplate jdbc) {
        this.stripe = stripe;
        this.jdbc = jdbc;
        this.entitlements = entitlements;
        this.transactions = transactions;
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.Usage> getUsage(java.time.LocalDate from, java.time.LocalDate to) {
        Caller caller = Callers.tenantWide("the tenant's usage");
        java.time.LocalDate today = java.time.LocalDate.now(clock.withZone(ZoneOffset.UTC));
        java.time.LocalDate start = from != null ? from : today.withDayOfMonth(1);
        java.time.LocalDate end = to != null ? to : today;
        if (end.isBefore(start)) {
            throw new io.parley.platform.web.ApiProblemException(io.parley.platform.web.ProblemType.VALIDATION_ERROR, "to is before from",
                    java.util.List.of(new io.parley.platform.web.ApiProblemException.FieldError("to", "must not be before from (" + start + ")")));
        }
        if (java.time.temporal.ChronoUnit.DAYS.between(start, end) >= 366) {
            throw new io.parley.platform.web.ApiProblemException(io.parley.platform.web.ProblemType.VALIDATION_ERROR, "the range is longer than 366 days",
                    java.util.List.of(new io.parley.platform.web.ApiProblemException.FieldError("to", "at most 366 days after from")));
        }
        record Found(java.util.List<UsageLedger.Day> days, Entitlements.Standing standing) {}
        Found found = transactions.read(caller.tenant(), () -> new Found(ledger.days(caller.tenant(), caller.mode(), start, end),
                entitlements.standing(caller.tenant(), caller.mode())));
        long minutes = found.days().stream().mapToLong(UsageLedger.Day::billableMinutes).sum();
        BillingProperties.Plan plan = found.standing().plan();
        long included = plan == null ? 0 : plan.includedMinutes();
        long overage = Math.max(0, minutes - included);
        return ResponseEntity.ok(new io.parley.platform.api.model.Usage(start, end,
                io.parley.platform.api.model.Usage.ModeEnum.fromValue(caller.mode().wire()), minutes, included, overage,
                plan == null ? java.math.BigDecimal.ZERO : plan.perMinuteCents().multiply(java.math.BigDecimal.valueOf(overage)),
                found.days().stream().mapToLong(UsageLedger.Day::providerCostMicros).sum(),
                found.days().stream().map(d -> new io.parley.platform.api.model.UsageDay(d.date(), d.calls(), d.billableMinutes(), d.callSeconds(),
                        d.providerCostMicros()).personaId(d.personaId())).toList())
                .plan(found.standing().planKey()));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.BillingSession> createCheckoutSession(
            io.parley.platform.api.model.CreateCheckoutSessionRequest request) {
        Caller caller = Callers.tenantWide("the tenant's subscription");
        StripeBilling.Session session = stripe.checkout(caller.tenant(), caller.mode(), tenantName(caller), request.getPlan().strip(),
                request.getSuccessUrl(), request.getCancelUrl());
        return ResponseEntity.status(org.springframework.http.HttpStatus.CREATED).body(new io.parley.platform.api.model.BillingSession(session.id(),
                java.net.URI.create(session.url())));
    }

    @Override
    public ResponseEntity<io.parley.platform.api.model.BillingSession> createPortalSession(io.parley.platform.api.model.CreatePortalSessionRequest request) {
        Caller caller = Callers.tenantWide("the tenant's subscription");
        StripeBilling.Session session = stripe.portal(caller.tenant(), caller.mode(), tenantName(caller), request.getReturnUrl());
        return ResponseEntity.status(org.springframework.http.HttpStatus.CREATED).body(new io.parley.platform.api.model.BillingSession(session.id(),
                java.net.URI.create(session.url())));
    }

    private String tenantName(Caller caller) {
        return transactions.read(caller.tenant(), () -> jdbc.query("select name from tenants where id = ?", (rs, i) -> rs.getString(1),
                caller.tenant().value()).stream().findFirst().orElse(caller.tenant().value().toString()));
    }

    @Override
    public ResponseEntity<Subscription> getSubscription() {
        Caller caller = Callers.tenantWide("the tenant's subscription");
        Entitlements.Standing s = transactions.read(caller.tenant(), () -> entitlements.standing(caller.tenant(), caller.mode()));
        Subscription subscription = new Subscription(Subscription.ModeEnum.fromValue(caller.mode().wire()), s.status(), s.local(), s.mayCall())
                .reason(s.why())
                .graceEndsAt(time(s.graceEndsAt()));
        if (s.plan() != null) {
            BillingProperties.Plan p = s.plan();
            subscription.plan(new Plan(s.planKey(), p.name(), p.currency(), p.monthlyPriceCents(), p.includedMinutes(), p.perMinuteCents(),
                    p.concurrentCalls(), p.personas()));
        }
        s.account().ifPresent(a -> subscription.pastDueSince("past_due".equals(a.status()) ? time(a.pastDueSince()) : null)
                .currentPeriodEnd(time(a.currentPeriodEnd())).trialEnd(time(a.trialEnd())).stripeCustomerId(a.customerId()));
        return ResponseEntity.ok(subscription);
    }

    private static OffsetDateTime time(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
