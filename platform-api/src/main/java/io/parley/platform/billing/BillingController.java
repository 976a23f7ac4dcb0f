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

    BillingController(Entitlements entitlements, TenantTransactions transactions) {
        this.entitlements = entitlements;
        this.transactions = transactions;
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
