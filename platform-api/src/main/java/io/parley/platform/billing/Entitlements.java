package io.parley.platform.billing;

import io.parley.platform.tenancy.Mode;
import io.parley.platform.tenancy.TenantId;
import io.parley.platform.web.ApiProblemException;
import io.parley.platform.web.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What a tenant's subscription lets it do, in the mode of the credential at hand. A mode with Stripe follows the
 * subscription: {@code active} and {@code trialing} may place calls; {@code past_due} may for the grace period after
 * the payment failed, then not; {@code canceled}, {@code unpaid}, {@code incomplete}, {@code paused} and no
 * subscription at all may not. A mode without Stripe runs the local free plan: calls are placed (and usage recorded).
 */
@Component
public class Entitlements {

    /**
     * Where a tenant stands: its plan, the subscription's status, and whether it may place calls (and if not, why, how to
     * lift it, and the problem that says so).
     *
     * @param spend the period's spend against the cap, when a cap is set and the subscription allows calls
     */
    public record Standing(String planKey, BillingProperties.Plan plan, String status, boolean local, boolean mayCall, String why,
                           ProblemType refusal, Instant graceEndsAt, Optional<BillingAccounts.Account> account, Spend.Position spend) {

        Standing capped(Spend.Position position) {
            if (!position.capReached()) {
                return new Standing(planKey, plan, status, local, mayCall, why, refusal, graceEndsAt, account, position);
            }
            return new Standing(planKey, plan, status, local, false, "this billing period's usage (" + position.spendCents()
                    + " cents since " + position.period().start() + ") reached the spend cap of " + position.capCents()
                    + " cents: raise or remove the cap (PUT /v1/billing/spend-controls), or wait for the next period on "
                    + position.period().end(), ProblemType.SPEND_CAP_REACHED, graceEndsAt, account, position);
        }
    }

    private final BillingProperties settings;
    private final BillingAccounts accounts;
    private final Spend spend;
    private final Clock clock;

    public Entitlements(BillingProperties settings, BillingAccounts accounts, Spend spend, Clock clock) {
        this.settings = settings;
        this.accounts = accounts;
        this.spend = spend;
        this.clock = clock;
    }

    /**
     * The tenant's standing in {@code mode}; inside its transaction. A subscription that allows calls is held to the
     * tenant's spend cap, if it set one (the spend is read only then).
     */
    public Standing standing(TenantId tenant, Mode mode) {
        Optional<BillingAccounts.Account> account = accounts.find(tenant, mode);
        Standing standing = subscription(mode, account);
        if (!standing.mayCall() || account.isEmpty() || account.get().spendCapCents() == null) return standing;
        return standing.capped(spend.position(tenant, mode, account.get(), standing.plan(), standing.local(), clock.instant()));
    }

    /** Where the tenant stands with its subscription alone. */
    private Standing subscription(Mode mode, Optional<BillingAccounts.Account> account) {
        boolean stripe = settings.stripe(mode.wire()).isPresent();
        if (account.isEmpty() || "none".equals(account.get().status())) {
            if (!stripe) {
                return new Standing(BillingProperties.LOCAL_PLAN, settings.plan(BillingProperties.LOCAL_PLAN), "active", true, true, null, null, null,
                        account, null);
            }
            return refused(account, "none", "the tenant has no subscription in " + mode.wire() + " mode: subscribe with POST /v1/billing/checkout-session", null);
        }
        BillingAccounts.Account a = account.get();
        String planKey = a.plan() == null ? BillingProperties.LOCAL_PLAN : a.plan();
        return switch (a.status()) {
            case "active", "trialing" -> new Standing(planKey, settings.plan(planKey), a.status(), false, true, null, null, null, account, null);
            case "past_due" -> {
                Instant since = a.pastDueSince() == null ? clock.instant() : a.pastDueSince();
                Instant graceEnds = since.plus(settings.gracePeriod());
                yield clock.instant().isBefore(graceEnds)
                        ? new Standing(planKey, settings.plan(planKey), a.status(), false, true, null, null, graceEnds, account, null)
                        : refused(account, a.status(), "the subscription's payment failed on " + since + " and its grace period ended on " + graceEnds
                                + ": update the payment method in the customer portal (POST /v1/billing/portal-session)", graceEnds);
            }
            case "canceled", "incomplete_expired" -> refused(account, a.status(), "the subscription is " + a.status()
                    + ": subscribe again with POST /v1/billing/checkout-session", null);
            default -> refused(account, a.status(), "the subscription is " + a.status()
                    + ": pay the open invoice or update the payment method in the customer portal (POST /v1/billing/portal-session)", null);
        };
    }

    /** The tenant's standing, if it may place a call now; else throws the problem that says why not, and how to lift it. */
    public Standing requireCalling(TenantId tenant, Mode mode) {
        Standing standing = standing(tenant, mode);
        if (!standing.mayCall()) {
            throw new ApiProblemException(standing.refusal(), "Calls cannot be placed: " + standing.why());
        }
        return standing;
    }

    /**
     * Throws the problem that says the plan's concurrent calls are all under way, for a call due now (a paid plan only:
     * the local plan has no limit of its own; a call due later is checked again when it is dialled, and waits for a slot).
     */
    public void requireSlot(Standing standing, long underWay) {
        if (standing.local() || standing.plan() == null || underWay < standing.plan().concurrentCalls()) return;
        throw new ApiProblemException(ProblemType.PLAN_LIMIT_REACHED, "Concurrent calls: " + underWay + " of the " + standing.plan().name()
                + " plan's " + standing.plan().concurrentCalls() + " are under way. Schedule the call for later, wait for one to end, or change"
                + " to a larger plan (POST /v1/billing/checkout-session)");
    }

    /**
     * Throws the problem that says the plan's personas are all made (a paid plan only, as for {@link #requireSlot}): the
     * plan of {@code mode}, the credential's, as personas belong to the tenant in both modes.
     */
    public void requirePersonaSlot(TenantId tenant, Mode mode, long personas) {
        Standing standing = subscription(mode, accounts.find(tenant, mode));
        if (standing.local() || standing.plan() == null || personas < standing.plan().personas()) return;
        throw new ApiProblemException(ProblemType.PLAN_LIMIT_REACHED, "Personas: the tenant has " + personas + ", the " + standing.plan().name()
                + " plan's limit. Delete one (DELETE /v1/personas/{personaId}) or change to a larger plan (POST /v1/billing/checkout-session)");
    }

    private Standing refused(Optional<BillingAccounts.Account> account, String status, String why, Instant graceEnds) {
        String planKey = account.map(BillingAccounts.Account::plan).orElse(null);
        return new Standing(planKey, planKey == null ? null : settings.plan(planKey), status, false, false, why, ProblemType.SUBSCRIPTION_INACTIVE,
                graceEnds, account, null);
    }
}
