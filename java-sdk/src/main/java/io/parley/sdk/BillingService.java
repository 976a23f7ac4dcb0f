package io.parley.sdk;

import io.parley.sdk.RequestExecutor.Safety;
import io.parley.sdk.api.BillingApi;
import io.parley.sdk.model.BillingSession;
import io.parley.sdk.model.CreateCheckoutSessionRequest;
import io.parley.sdk.model.CreateCreditsCheckoutSessionRequest;
import io.parley.sdk.model.CreatePortalSessionRequest;
import io.parley.sdk.model.SpendControls;
import io.parley.sdk.model.SpendControlsUpdate;
import io.parley.sdk.model.Subscription;
import io.parley.sdk.model.Usage;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Your tenant's subscription, in the mode of the key you use (a test key: Stripe's test mode): its plan and limits, its
 * status, and whether calls may be placed now. Obtain it from {@link Parley#billing()}. Thread-safe.
 */
public final class BillingService {
  private final BillingApi api;
  private final RequestExecutor executor;

  BillingService(BillingApi api, RequestExecutor executor) {
    this.api = api;
    this.executor = executor;
  }

  /** Where the tenant stands; when calls cannot be placed, {@link Subscription#getReason()} says why and how to lift it. */
  public Subscription subscription() {
    return executor.execute("getSubscription", Safety.REPEATABLE, api::getSubscription);
  }

  /**
   * Billable minutes and the providers' estimated cost per day (UTC) and persona, from {@code from} to {@code to} (both
   * included; null: this month so far).
   */
  public Usage usage(LocalDate from, LocalDate to) {
    return executor.execute("getUsage", Safety.REPEATABLE, () -> api.getUsage(from, to));
  }

  /**
   * A Stripe Checkout Session to subscribe to (or change to) a plan; send the tenant's browser to its URL. The
   * subscription starts when Stripe's webhook says it was paid, not when the browser comes back.
   */
  public BillingSession checkoutSession(CreateCheckoutSessionRequest request) {
    Objects.requireNonNull(request, "request");
    return executor.execute("createCheckoutSession", Safety.ONCE, () -> api.createCheckoutSession(request));
  }

  /**
   * A Stripe Checkout Session paying once for prepaid credits, which the metered minutes draw on; they are granted when
   * Stripe's webhook says the payment was made ({@link Subscription#getCreditBalanceCents()} then shows them).
   */
  public BillingSession creditsCheckoutSession(CreateCreditsCheckoutSessionRequest request) {
    Objects.requireNonNull(request, "request");
    return executor.execute("createCreditsCheckoutSession", Safety.ONCE, () -> api.createCreditsCheckoutSession(request));
  }

  /** A session of Stripe's customer portal (card, invoices, plan, cancelling). */
  public BillingSession portalSession(CreatePortalSessionRequest request) {
    Objects.requireNonNull(request, "request");
    return executor.execute("createPortalSession", Safety.ONCE, () -> api.createPortalSession(request));
  }

  /** The spend cap and alerts of this mode, and where this billing period's spend stands against the cap. */
  public SpendControls spendControls() {
    return executor.execute("getSpendControls", Safety.REPEATABLE, api::getSpendControls);
  }

  /**
   * Replaces the spend cap and alerts (a field left unset is unset: no cap, the default thresholds 50, 80 and 100, no
   * email). Once the period's spend reaches the cap, calls are refused with {@link PaymentRequiredException}.
   */
  public SpendControls updateSpendControls(SpendControlsUpdate update) {
    Objects.requireNonNull(update, "update");
    return executor.execute("updateSpendControls", Safety.REPEATABLE, () -> api.updateSpendControls(update));
  }
}
