package io.parley.platform.billing;

import io.parley.platform.api.BillingApi;
import io.parley.platform.api.model.BillingSession;
import io.parley.platform.api.model.CreateCheckoutSessionRequest;
import io.parley.platform.api.model.CreateCreditsCheckoutSessionRequest;
import io.parley.platform.api.model.CreatePortalSessionRequest;
import io.parley.platform.api.model.Plan;
import io.parley.platform.api.model.SpendControls;
import io.parley.platform.api.model.SpendControlsUpdate;
import io.parley.platform.api.model.Subscription;
import io.parley.platform.api.model.Usage;
import io.parley.platform.api.model.UsageDay;
import io.parley.platform.tenancy.Caller;
import io.parley.platform.tenancy.TenantTransactions;
import io.parley.platform.tenancy.web.Callers;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.RestController;

@RestController
class BillingController implements BillingApi {

    /** The alert thresholds of spend controls that name none. */
    static final List<Integer> DEFAULT_THRESHOLDS = List.of(50, 80, 100);

    private final Entitlements entitlements;
    private final TenantTransactions transactions;
    private final UsageLedger ledger;
    private final StripeBilling stripe;
    private final BillingAccounts accounts;
    private final Spend spend;
    private final BillingNotices notices;
    private final JdbcTemplate jdbc;
    private final Clock clock;

    BillingController(Entitlements entitlements, TenantTransactions transactions, UsageLedger ledger, StripeBilling stripe, BillingAccounts accounts,
                      Spend spend, BillingNotices notices, JdbcTemplate jdbc, Clock clock) {
        this.entitlements = entitlements;
        this.transactions = transactions;
        this.ledger = ledger;
        this.stripe = stripe;
        this.accounts = accounts;
        this.spend = spend;
        this.notices = notices;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public ResponseEntity<SpendControls> getSpendControls() {
        Caller caller = Callers.tenantWide("the tenant's spend controls");
        return ResponseEntity.ok(transactions.read(caller.tenant(), () -> spendControls(caller)));
    }

    @Override
    public ResponseEntity<SpendControls> updateSpendControls(SpendControlsUpdate update) {
        Caller caller = Callers.tenantWide("the tenant's spend controls");
        if (update.getAlertThresholds() != null && update.getAlertThresholds().contains(null)) {
            throw ApiProblemException.invalidField("alertThresholds", "each must be a percentage from 1 to 100, not null");
        }
        List<Integer> thresholds = update.getAlertThresholds() == null ? DEFAULT_THRESHOLDS
                : new ArrayList<>(update.getAlertThresholds()).stream().sorted().toList();
        String email = update.getAlertEmail() == null || update.getAlertEmail().isBlank() ? null : update.getAlertEmail().strip();
        BillingAccounts.Controls controls = new BillingAccounts.Controls(update.getCapCents(), thresholds, email);
        return ResponseEntity.ok(transactions.write(caller.tenant(), () -> {
            accounts.setControls(caller.tenant(), caller.mode(), controls, clock.instant());
            notices.checkThresholds(caller.tenant(), caller.mode());   // a lower cap may be reached already
            return spendControls(caller);
        }));
    }

    private SpendControls spendControls(Caller caller) {
        Entitlements.Standing standing = entitlements.standing(caller.tenant(), caller.mode());
        BillingAccounts.Account account = standing.account().orElse(null);
        Spend.Position position = standing.spend() != null ? standing.spend()
                : spend.position(caller.tenant(), caller.mode(), account, standing.plan(), standing.local(), clock.instant());
        String currency = standing.local() || standing.plan() == null ? "usd" : standing.plan().currency();
        return new SpendControls(SpendControls.ModeEnum.fromValue(caller.mode().wire()),
                account == null ? DEFAULT_THRESHOLDS : account.alertThresholds(), position.spendCents(), currency,
                time(position.period().start()), time(position.period().end()), position.capReached())
                .capCents(account == null ? null : account.spendCapCents())
                .alertEmail(account == null ? null : account.alertEmail())
                .creditBalanceCents(account == null || standing.local() ? 0L : account.creditBalanceCents());
    }

    @Override
    public ResponseEntity<Usage> getUsage(LocalDate from, LocalDate to) {
        Caller caller = Callers.tenantWide("the tenant's usage");
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate start = from != null ? from : today.withDayOfMonth(1);
        LocalDate end = to != null ? to : today;
        if (end.isBefore(start)) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "to is before from",
                    List.of(new ApiProblemException.FieldError("to", "must not be before from (" + start + ")")));
        }
        if (ChronoUnit.DAYS.between(start, end) >= 366) {
            throw new ApiProblemException(ProblemType.VALIDATION_ERROR, "the range is longer than 366 days",
                    List.of(new ApiProblemException.FieldError("to", "at most 366 days after from")));
        }
        record Found(List<UsageLedger.Day> days, Entitlements.Standing standing) {}
        Found found = transactions.read(caller.tenant(), () -> new Found(ledger.days(caller.tenant(), caller.mode(), start, end),
                entitlements.standing(caller.tenant(), caller.mode())));
        long minutes = found.days().stream().mapToLong(UsageLedger.Day::billableMinutes).sum();
        BillingProperties.Plan plan = found.standing().plan();
        long included = plan == null ? 0 : plan.includedMinutes();
        long overage = Math.max(0, minutes - included);
        return ResponseEntity.ok(new Usage(start, end,
                Usage.ModeEnum.fromValue(caller.mode().wire()), minutes, included, overage,
                plan == null ? BigDecimal.ZERO : plan.perMinuteCents().multiply(BigDecimal.valueOf(overage)),
                found.days().stream().mapToLong(UsageLedger.Day::providerCostMicros).sum(),
                found.days().stream().map(d -> new UsageDay(d.date(), d.calls(), d.billableMinutes(), d.callSeconds(),
                        d.providerCostMicros()).personaId(d.personaId())).toList())
                .plan(found.standing().planKey()));
    }

    @Override
    public ResponseEntity<BillingSession> createCheckoutSession(
            CreateCheckoutSessionRequest request) {
        Caller caller = Callers.tenantWide("the tenant's subscription");
        StripeBilling.Session session = stripe.checkout(caller.tenant(), caller.mode(), tenantName(caller), request.getPlan().strip(),
                request.getSuccessUrl(), request.getCancelUrl());
        return ResponseEntity.status(HttpStatus.CREATED).body(new BillingSession(session.id(),
                URI.create(session.url())));
    }

    @Override
    public ResponseEntity<BillingSession> createCreditsCheckoutSession(CreateCreditsCheckoutSessionRequest request) {
        Caller caller = Callers.tenantWide("the tenant's credits");
        Entitlements.Standing standing = transactions.read(caller.tenant(), () -> entitlements.standing(caller.tenant(), caller.mode()));
        String currency = standing.plan() == null ? "usd" : standing.plan().currency();
        StripeBilling.Session session = stripe.creditsCheckout(caller.tenant(), caller.mode(), tenantName(caller), request.getAmountCents(), currency,
                request.getSuccessUrl(), request.getCancelUrl());
        return ResponseEntity.status(HttpStatus.CREATED).body(new BillingSession(session.id(), URI.create(session.url())));
    }

    @Override
    public ResponseEntity<BillingSession> createPortalSession(CreatePortalSessionRequest request) {
        Caller caller = Callers.tenantWide("the tenant's subscription");
        StripeBilling.Session session = stripe.portal(caller.tenant(), caller.mode(), tenantName(caller), request.getReturnUrl());
        return ResponseEntity.status(HttpStatus.CREATED).body(new BillingSession(session.id(),
                URI.create(session.url())));
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
                .currentPeriodEnd(time(a.currentPeriodEnd())).trialEnd(time(a.trialEnd())).stripeCustomerId(a.customerId())
                .creditBalanceCents(s.local() ? null : a.creditBalanceCents()));
        return ResponseEntity.ok(subscription);
    }

    private static OffsetDateTime time(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
    }
}
